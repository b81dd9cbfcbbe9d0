using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// ORDER BY: the keys are evaluated per batch and appended as columns, the <see cref="ExternalSorter"/> holds the rows
/// against the query's memory pool (spilling sorted runs to disk past it) and merges them; with a fetch it keeps a
/// bounded top-K instead.
/// </summary>
internal sealed class SortExec(ExecutionPlan input, IReadOnlyList<SortExpr> keys, long? fetch) : ExecutionPlan
{
    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() =>
        $"SortExec: [{string.Join(", ", keys)}]" + (fetch is { } f ? string.Create(CultureInfo.InvariantCulture, $", fetch={f}") : "");

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var width = input.Schema.FieldCount;
        var names = input.Schema.Fields.Select(f => f.Name).Concat(keys.Select((_, i) => $"__sort_key_{i}")).ToArray();
        using var reservation = context.Memory.Reserve("Sort");
        ExternalSorter? sorter = null;
        // The first batch is held back: when it is the only one and already in order (rows that arrive sorted by
        // time, as a series' aggregates often do), it goes out as it came, without the sorter.
        RecordBatch? first = null;
        ExternalSorter Sorter(Schema schema) => new(schema, [.. keys.Select((k, i) => new SortKey(width + i, k.Descending, k.NullsFirst))],
            reservation, context.SpillDirectory, fetch, context.BatchSize);
        try
        {
            await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
            {
                var columns = new ArrowArray[width + keys.Count];
                for (var i = 0; i < width; i++)
                {
                    columns[i] = batch.Column(i);
                }
                for (var k = 0; k < keys.Count; k++)
                {
                    columns[width + k] = keys[k].Expr.Evaluate(batch, context.Eval).ToArray(batch.Length);
                }
                var extended = MakeBatch(names, columns, batch.Length);
                if (first is null && sorter is null)
                {
                    first = extended;
                    continue;
                }
                sorter ??= Sorter(extended.Schema);
                if (first is not null)
                {
                    await sorter.AddAsync(first, context.CancellationToken).ConfigureAwait(false);
                    first = null;
                }
                await sorter.AddAsync(extended, context.CancellationToken).ConfigureAwait(false);
                Metrics.PeakMemory = Math.Max(Metrics.PeakMemory, reservation.Size);
            }
            var outputNames = names.Take(width).ToArray();
            if (first is not null)
            {
                if (Sorting.IsSorted([.. keys.Select((k, i) => (first.Column(width + i), k.Descending, k.NullsFirst))]))
                {
                    var rows = fetch is { } f ? (int)Math.Min(f, first.Length) : first.Length;
                    yield return MakeBatch(outputNames, [.. first.Columns.Take(width).Select(c => rows == first.Length ? c : c.Slice(0, rows))], rows);
                    yield break;
                }
                sorter = Sorter(first.Schema);
                await sorter.AddAsync(first, context.CancellationToken).ConfigureAwait(false);
                Metrics.PeakMemory = Math.Max(Metrics.PeakMemory, reservation.Size);
            }
            if (sorter is null)
            {
                yield break;
            }
            await foreach (var sorted in sorter.SortedAsync(context.CancellationToken).ConfigureAwait(false))
            {
                Metrics.Spills = sorter.SpillCount;
                Metrics.SpilledBytes = sorter.SpilledBytes;
                yield return MakeBatch(outputNames, [.. sorted.Columns.Take(width)], sorted.Length);
            }
        }
        finally
        {
            if (sorter is not null)
            {
                await sorter.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
