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

    private long _skipThrough;
    private long _lastSequence;

    public WriteBuffer(long memoryLimitBytes, TimeProvider? time = null)
    {
        MemoryLimitBytes = memoryLimitBytes;
        _time = time ?? TimeProvider.System;
    }

    private readonly TimeProvider _time;

    /// <summary>Records up to this sequence are already in Parquet: replay hands them over, the buffer ignores them.</summary>
    public void SkipThrough(long sequence) => Interlocked.Exchange(ref _skipThrough, sequence);

    /// <summary>The highest sequence whose rows are in the buffer.</summary>
    public long LastSequence => Interlocked.Read(ref _lastSequence);

    public long MemoryLimitBytes { get; }

    public long MemoryBytes => Interlocked.Read(ref _bytes);

    public long RowCount => Interlocked.Read(ref _rows);

    public bool IsOverBudget => MemoryBytes >= MemoryLimitBytes;

    public void OnRecord(WalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Sequence <= Interlocked.Read(ref _skipThrough))
        {
            return;
        }
        var now = _time.GetUtcNow();
        foreach (var write in record.Tables)
        {
            var batch = write.Batch;
            if (batch.Length == 0)
            {
                continue;
            }
            var (min, max) = TimeRange(batch);
            var bytes = SizeOf(batch);
            var chunk = new BufferedChunk(record.Database, write.Table, record.Sequence, PartitionDay.FromNanoseconds(min), batch, min, max, bytes, now);
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
        Interlocked.Exchange(ref _lastSequence, Math.Max(Interlocked.Read(ref _lastSequence), record.Sequence));
    }

    /// <summary>Every chunk with a sequence up to <paramref name="sequence"/>, in WAL order.</summary>
    public IReadOnlyList<BufferedChunk> ChunksThrough(long sequence)
    {
        lock (_lock)
        {
            return [.. _tables.Values.SelectMany(c => c).Where(c => c.Sequence <= sequence).OrderBy(c => c.Sequence)];
        }
    }

    /// <summary>When the oldest chunk arrived, or null when the buffer is empty.</summary>
    public DateTimeOffset? OldestArrival
    {
        get
        {
            lock (_lock)
            {
                DateTimeOffset? oldest = null;
                foreach (var chunks in _tables.Values)
                {
                    foreach (var c in chunks)
                    {
                        if (oldest is null || c.ArrivedAt < oldest)
                        {
                            oldest = c.ArrivedAt;
                        }
                    }
                }
                return oldest;
            }
        }
    }

    /// <summary>Drops the chunks with a sequence up to <paramref name="sequence"/> (they are persisted).</summary>
    public void RemoveThrough(long sequence) => RemoveWhere(c => c.Sequence <= sequence);

    /// <summary>Drops chunks matching <paramref name="predicate"/> (persisted, expired, or of a deleted table).</summary>
    public void RemoveWhere(Func<BufferedChunk, bool> predicate)
    {
        lock (_lock)
        {
            foreach (var key in _tables.Keys.ToList())
            {
                var chunks = _tables[key];
                foreach (var chunk in chunks.Where(predicate))
                {
                    Interlocked.Add(ref _bytes, -chunk.Bytes);
                    Interlocked.Add(ref _rows, -chunk.Batch.Length);
                }
                chunks.RemoveAll(c => predicate(c));
                if (chunks.Count == 0)
                {
                    _tables.Remove(key);
                }
            }
        }
    }

    /// <summary>
    /// Rewrites chunks in place: <paramref name="rewrite"/> returns the chunk's batch to keep it, a batch of some of
    /// its rows (same schema) to keep only those, or null to drop it. Readers holding a snapshot keep the old chunks.
    /// </summary>
    public void Rewrite(Func<BufferedChunk, RecordBatch?> rewrite)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        lock (_lock)
        {
            foreach (var key in _tables.Keys.ToList())
            {
                var chunks = _tables[key];
                for (var i = chunks.Count - 1; i >= 0; i--)
                {
                    var chunk = chunks[i];
                    var batch = rewrite(chunk);
                    if (ReferenceEquals(batch, chunk.Batch))
                    {
                        continue;
                    }
                    Interlocked.Add(ref _bytes, -chunk.Bytes);
                    Interlocked.Add(ref _rows, -chunk.Batch.Length);
                    if (batch is not { Length: > 0 })
                    {
                        chunks.RemoveAt(i);
                        continue;
                    }
                    var (min, max) = TimeRange(batch);
                    var bytes = SizeOf(batch);
                    chunks[i] = chunk with { Batch = batch, MinTime = min, MaxTime = max, Bytes = bytes };
                    Interlocked.Add(ref _bytes, bytes);
                    Interlocked.Add(ref _rows, batch.Length);
                }
                if (chunks.Count == 0)
                {
                    _tables.Remove(key);
                }
            }
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
