using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Core.Time;
using Tsdb.Query.Chunks;

namespace Tsdb.Cluster;

/// <summary>
/// Rows an ingest node held in its write buffer when a query node asked (already deduplicated there), for one day
/// partition. They are newer than every file of that node, so the chunk's order is above any file's; among ingest
/// nodes the order is by node id (which of two nodes' copies of one point wins is not defined, as in IOx).
/// </summary>
internal sealed class IngesterChunk : IQueryChunk
{
    private readonly IReadOnlyList<RecordBatch> _batches;
    private readonly Schema _schema;

    private IngesterChunk(string node, int day, Schema schema, IReadOnlyList<RecordBatch> batches, long order)
    {
        Node = node;
        PartitionKey = PartitionDay.Format(day);
        _schema = schema;
        _batches = batches;
        Order = order;
        long min = long.MaxValue, max = long.MinValue, rows = 0;
        foreach (var batch in batches)
        {
            rows += batch.Length;
            foreach (var t in ((TimestampArray)batch.Column(TableDefinition.TimeColumn)!).Values)
            {
                min = Math.Min(min, t);
                max = Math.Max(max, t);
            }
        }
        (MinTime, MaxTime, RowCount) = (min, max, rows);
    }

    /// <summary>The ingest node the rows came from.</summary>
    public string Node { get; }

    public string Kind => "ingester";

    public string PartitionKey { get; }

    public long MinTime { get; }

    public long MaxTime { get; }

    public long RowCount { get; }

    public long Order { get; }

    public bool IsSorted => false;

    public bool MayHaveDuplicates => false;

    public IReadOnlyDictionary<string, ChunkTagRange>? TagRanges => null;

    public ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_schema);

    public async IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var batch in _batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (read.Columns is not { } columns)
            {
                yield return batch;
                continue;
            }
            var indices = columns.Select(c => batch.Schema.GetFieldIndex(c)).Where(i => i >= 0).ToList();
            yield return indices.Count == batch.ColumnCount
                ? batch
                : new RecordBatch(new Schema([.. indices.Select(i => batch.Schema[i])]), [.. indices.Select(batch.Column)], batch.Length);
        }
    }

    /// <summary>One chunk per day partition of <paramref name="batches"/> (rows of a day kept in their order).</summary>
    public static IEnumerable<IngesterChunk> ByDay(string node, long order, Schema schema, IReadOnlyList<RecordBatch> batches)
    {
        var days = new SortedDictionary<int, List<RecordBatch>>();
        foreach (var batch in batches)
        {
            if (batch.Length == 0)
            {
                continue;
            }
            var times = ((TimestampArray)batch.Column(TableDefinition.TimeColumn)!).Values;
            var first = PartitionDay.FromNanoseconds(times[0]);
            var oneDay = true;
            foreach (var t in times)
            {
                if (PartitionDay.FromNanoseconds(t) != first)
                {
                    oneDay = false;
                    break;
                }
            }
            if (oneDay)
            {
                Add(days, first, batch);
                continue;
            }
            var rowsByDay = new SortedDictionary<int, List<int>>();
            for (var i = 0; i < times.Length; i++)
            {
                var day = PartitionDay.FromNanoseconds(times[i]);
                if (!rowsByDay.TryGetValue(day, out var rows))
                {
                    rowsByDay[day] = rows = [];
                }
                rows.Add(i);
            }
            foreach (var (day, rows) in rowsByDay)
            {
                Add(days, day, Selection.Take(batch, [.. rows]));
            }
        }
        return days.Select(d => new IngesterChunk(node, d.Key, schema, d.Value, order));
    }

    private static void Add(SortedDictionary<int, List<RecordBatch>> days, int day, RecordBatch batch)
    {
        if (!days.TryGetValue(day, out var list))
        {
            days[day] = list = [];
        }
        list.Add(batch);
    }
}
