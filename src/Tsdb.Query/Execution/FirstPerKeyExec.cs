using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// Below the sort of a DISTINCT ON … ORDER BY: each batch keeps only its first row per key in ORDER BY order (the
/// answer's row for a key is the first of the batch it is in), one batch per core at a time. The sort and the final
/// DISTINCT ON then see a few rows per key per batch instead of every row (lastpoint: 10 M rows become thousands).
/// Over a scan (through filters and projections) a slice is reduced in the same task that scans and filters it
/// (<see cref="FusedScan"/>).
/// </summary>
internal sealed class FirstPerKeyExec(ExecutionPlan input, IReadOnlyList<Expr> on, IReadOnlyList<SortExpr> order) : ExecutionPlan
{
    private readonly FusedScan? _fused = FusedScan.Of(input);

    /// <summary>
    /// The ORDER BY keys that can tell rows of one key apart: a key that is itself a DISTINCT ON expression has one
    /// value per group (lastpoint's <c>ORDER BY hostname, time DESC</c> compares only times).
    /// </summary>
    private readonly SortExpr[] _tiebreak = [.. order.Where(o => !on.Any(k => k.ToString() == o.Expr.ToString()))];

    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() =>
        $"FirstPerKeyExec: on=[{string.Join(", ", on)}], order=[{string.Join(", ", order)}]" + (_fused is null ? "" : ", " + _fused.Describe());

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var reduced = _fused is not null
            ? _fused.RunAsync(context, b => Reduce(b, context))
            : ScanExec.InParallel(input.ExecuteAsync(context), b => Reduce(b, context), context.Parallelism, context.CancellationToken);
        await foreach (var batch in reduced.ConfigureAwait(false))
        {
            if (batch is { Length: > 0 })
            {
                yield return batch;
            }
        }
    }

    private RecordBatch Reduce(RecordBatch batch, TaskContext context)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        if (batch.Length <= 1)
        {
            return batch;
        }
        var keys = new ArrowArray[on.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = on[i].Evaluate(batch, context.Eval).ToArray(batch.Length);
        }
        var sortKeys = new List<(ArrowArray Column, bool Descending, bool NullsFirst)>(_tiebreak.Length);
        foreach (var o in _tiebreak)
        {
            sortKeys.Add((o.Expr.Evaluate(batch, context.Eval).ToArray(batch.Length), o.Descending, o.NullsFirst));
        }
        var ids = Hashing.GroupIds(keys, out var groups);
        if (groups == batch.Length)
        {
            return batch;
        }
        var firsts = Sorting.FirstPerGroup(sortKeys, ids, groups);
        Array.Sort(firsts);   // keep input order among survivors, so ties resolve as the full sort would
        return Selection.Take(batch, firsts);
    }
}
