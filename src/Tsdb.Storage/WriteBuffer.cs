using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Time;
using Tsdb.Wal;

namespace Tsdb.Storage;

/// <summary>
/// Rows that are in the WAL but not yet in Parquet, per database, table and day partition, as immutable chunks.
/// Fed by the WAL (replay and new records, in sequence order); read by taking a snapshot of a table's chunks.
/// Memory is accounted so the write path can refuse writes (503) instead of running out.
/// </summary>
public sealed class WriteBuffer : IWalListener
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Database, string Table), List<BufferedChunk>> _tables = [];
    private long _bytes;
    private long _rows;

    public WriteBuffer(long memoryLimitBytes) => MemoryLimitBytes = memoryLimitBytes;

    public long MemoryLimitBytes { get; }

    public long MemoryBytes => Interlocked.Read(ref _bytes);

    public long RowCount => Interlocked.Read(ref _rows);

    public bool IsOverBudget => MemoryBytes >= MemoryLimitBytes;

    public void OnRecord(WalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        foreach (var write in record.Tables)
        {
            var batch = write.Batch;
            if (batch.Length == 0)
            {
                continue;
            }
            var (min, max) = TimeRange(batch);
            var bytes = SizeOf(batch);
            var chunk = new BufferedChunk(record.Sequence, PartitionDay.FromNanoseconds(min), batch, min, max, bytes);
            lock (_lock)
            {
                var key = (record.Database, write.Table);
                if (!_tables.TryGetValue(key, out var chunks))
                {
                    _tables[key] = chunks = [];
                }
                chunks.Add(chunk);
            }
            Interlocked.Add(ref _bytes, bytes);
            Interlocked.Add(ref _rows, batch.Length);
        }
    }

    /// <summary>The table's chunks at this moment, in WAL order.</summary>
    public IReadOnlyList<BufferedChunk> Snapshot(string database, string table)
    {
        lock (_lock)
        {
            return _tables.TryGetValue((database, table), out var chunks) ? [.. chunks] : [];
        }
    }

    /// <summary>Names of the tables of <paramref name="database"/> with buffered rows.</summary>
    public IReadOnlyList<string> Tables(string database)
    {
        lock (_lock)
        {
            return [.. _tables.Keys.Where(k => k.Database == database).Select(k => k.Table).Order(StringComparer.Ordinal)];
        }
    }

    private static (long Min, long Max) TimeRange(RecordBatch batch)
    {
        var index = batch.Schema.GetFieldIndex("time");
        if (index < 0 || batch.Column(index) is not TimestampArray times)
        {
            throw new InvalidDataException("a buffered batch has no timestamp column named 'time'");
        }
        var values = times.Values;
        long min = long.MaxValue, max = long.MinValue;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }

    private static long SizeOf(RecordBatch batch)
    {
        long bytes = 0;
        foreach (var column in batch.Columns)
        {
            bytes += SizeOf(column.Data);
        }
        return bytes;
    }

    private static long SizeOf(ArrayData data)
    {
        long bytes = 0;
        foreach (var buffer in data.Buffers)
        {
            bytes += buffer.Length;
        }
        return data.Type.Id == ArrowTypeId.Dictionary ? bytes + SizeOf(data.Dictionary!) : bytes;
    }
}
