using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;

namespace Tsdb.Query.Tests;

/// <summary>Tables held as lists of batches; records the time range of the last scan.</summary>
internal sealed class MemoryTableSource : ITableSource
{
    private readonly Dictionary<string, (Schema Schema, List<RecordBatch> Batches)> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<IAsyncEnumerable<RecordBatch>>> _streams = new(StringComparer.Ordinal);

    public (long? From, long? To) LastRange { get; private set; }

    public void Add(string table, Schema schema, params RecordBatch[] batches) => _tables[table] = (schema, [.. batches]);

    /// <summary>A table whose scans read <paramref name="stream"/> (an endless or failing table for the conformance tests).</summary>
    public void Add(string table, Schema schema, Func<IAsyncEnumerable<RecordBatch>> stream)
    {
        _tables[table] = (schema, []);
        _streams[table] = stream;
    }

    public Schema? GetSchema(string database, string table) =>
        database == "db" && _tables.TryGetValue(table, out var t) ? t.Schema : null;

    /// <summary>A table is one stream chunk whose reads yield the table's batches (or its stream).</summary>
    public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        LastRequest = request;
        LastRange = (request.FromTime, request.ToTime);
        return ValueTask.FromResult(request.Database == "db" && _tables.TryGetValue(request.Table, out var t)
            ? new TableChunks(null, [new StreamChunk(t.Schema, (_, ct) => ReadAsync(request.Table, ct))])
            : TableChunks.None);
    }

    private async IAsyncEnumerable<RecordBatch> ReadAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (Gate is { } gate)
        {
            GateReached.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken);
        }
        if (_streams.TryGetValue(table, out var stream))
        {
            await foreach (var b in stream())
            {
                BatchesRead++;
                yield return b;
            }
            yield break;
        }
        foreach (var b in _tables[table].Batches)
        {
            BatchesRead++;
            yield return b;
        }
    }

    /// <summary>The last scan's pushdowns. Rows are returned whole, as a source that ignores them would.</summary>
    public ScanRequest? LastRequest { get; private set; }

    public IReadOnlyList<string> Tables(string database) => database == "db" ? [.. _tables.Keys] : [];

    /// <summary>Batches handed out by scans so far.</summary>
    public int BatchesRead { get; set; }

    public List<TableFile> ParquetFiles { get; } = [];

    public IReadOnlyList<TableFile> Files(string database) => ParquetFiles;

    /// <summary>When set, scans wait for it before returning rows (to hold queries running).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed once a scan waits at <see cref="Gate"/>: its query is surely running, planned and registered.</summary>
    public TaskCompletionSource GateReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static readonly Schema CpuSchema = new([
        new Field("host", ArrowType.DictionaryUtf8),
        new Field("time", ArrowType.TimestampNanosecond, false),
        new Field("usage", ArrowType.Float64),
        new Field("n", ArrowType.Int64),
    ]);

    /// <summary>A cpu batch: rows of (host, time ns, usage, n).</summary>
    public static RecordBatch Cpu(params (string? Host, long Time, double? Usage, long? N)[] rows)
    {
        using var host = new DictionaryArrayBuilder();
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var usage = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var n = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        foreach (var r in rows)
        {
            host.Append(r.Host);
            time.Append(r.Time);
            usage.Append(r.Usage);
            n.Append(r.N);
        }
        return new RecordBatch(CpuSchema, [host.Build(), ArrowArray.Create(time.BuildData()), ArrowArray.Create(usage.BuildData()), ArrowArray.Create(n.BuildData())], rows.Length);
    }
}
