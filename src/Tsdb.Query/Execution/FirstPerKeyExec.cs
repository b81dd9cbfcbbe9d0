using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// Below the sort of a DISTINCT ON … ORDER BY (or of a per-series LIMIT): each batch keeps only its first
/// <c>keep</c> rows per key in ORDER BY order (the answer's rows for a key are among the first of the batches they are
/// in), one batch per core at a time. The sort and the final DISTINCT ON or limit then see a few rows per key per batch
/// instead of every row (lastpoint: 10 M rows become thousands). Over a scan (through filters and projections) a slice
/// is reduced in the same task that scans and filters it (<see cref="FusedScan"/>).
/// <para>
/// Keeping more rows than needed is harmless, so a key computed from one tag column alone (InfluxQL's
/// <c>coalesce(CAST(tag AS Utf8), '')</c>) is grouped by the tag's dictionary codes — finer groups, no strings built.
/// </para>
/// </summary>
internal sealed class FirstPerKeyExec : ExecutionPlan
{
    private readonly ExecutionPlan _input;
    private readonly IReadOnlyList<Expr> _on;
    private readonly IReadOnlyList<SortExpr> _order;
    private readonly int _keep;
    private readonly FusedScan? _fused;

    /// <summary>What rows are grouped by: the keys, a tag-only key replaced by its tag column.</summary>
    private readonly Expr[] _groupBy;

    /// <summary>
    /// The ORDER BY keys that can tell rows of one group apart: a key that is itself a grouping expression, or reads
    /// only grouping columns (or nothing), has one value per group (lastpoint's <c>ORDER BY hostname, time DESC</c>
    /// compares only times).
    /// </summary>
    private readonly SortExpr[] _tiebreak;

    public FirstPerKeyExec(ExecutionPlan input, IReadOnlyList<Expr> on, IReadOnlyList<SortExpr> order, int keep = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keep);
        _input = input;
        _on = on;
        _order = order;
        _keep = keep;
        _fused = FusedScan.Of(input);
        _groupBy = [.. on.Select(GroupingOf).DistinctBy(e => e.ToString())];
        var groupColumns = _groupBy.OfType<ColumnExpr>().Select(c => c.Index).ToHashSet();
        _tiebreak = [.. order.Where(o => !_groupBy.Any(k => k.ToString() == o.Expr.ToString()) && !o.Expr.Walk().OfType<ColumnExpr>().All(c => groupColumns.Contains(c.Index)))];
    }

    private static Expr GroupingOf(Expr key)
    {
        if (key is ColumnExpr)
        {
            return key;
        }
        var columns = key.Walk().OfType<ColumnExpr>().DistinctBy(c => c.Index).ToList();
        return columns is [{ Type.Id: ArrowTypeId.Dictionary } tag] && !key.Walk().Any(e => e is ScalarFunctionExpr { Function.IsVolatile: true }) ? tag : key;
    }

    public override Schema Schema => _input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [_input];

    public override string Describe() =>
        $"FirstPerKeyExec: on=[{string.Join(", ", _on)}], order=[{string.Join(", ", _order)}]" + (_keep == 1 ? "" : $", keep={_keep}") + (_fused is null ? "" : ", " + _fused.Describe());

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var reduced = _fused is not null
            ? _fused.RunAsync(context, b => Reduce(b, context))
            : ScanExec.InParallel(_input.ExecuteAsync(context), b => Reduce(b, context), context.Parallelism, context.CancellationToken);
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
        var keys = new ArrowArray[_groupBy.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = _groupBy[i].Evaluate(batch, context.Eval).ToArray(batch.Length);
        }
        var sortKeys = new List<(ArrowArray Column, bool Descending, bool NullsFirst)>(_tiebreak.Length);
        foreach (var o in _tiebreak)
        {
            sortKeys.Add((o.Expr.Evaluate(batch, context.Eval).ToArray(batch.Length), o.Descending, o.NullsFirst));
        }
        var ids = Hashing.GroupIds(keys, out var groups);
        if ((long)groups * _keep >= batch.Length)
        {
            return batch;
        }
        var firsts = Sorting.FirstPerGroup(sortKeys, ids, groups, _keep);
        Array.Sort(firsts);   // keep input order among survivors, so ties resolve as the full sort would
        return Selection.Take(batch, firsts);
    }
}
