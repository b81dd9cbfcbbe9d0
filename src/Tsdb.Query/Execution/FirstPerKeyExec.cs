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
        // A constant key (InfluxQL's measurement name over one table) groups nothing.
        _groupBy = [.. on.Where(k => !k.IsConstant).Select(GroupingOf).DistinctBy(e => e.ToString())];
        var groupColumns = _groupBy.OfType<ColumnExpr>().Select(c => c.Index).ToHashSet();
        _tiebreak = [.. order.Where(o => !_groupBy.Any(k => k.ToString() == o.Expr.ToString()) && !o.Expr.Walk().OfType<ColumnExpr>().All(c => groupColumns.Contains(c.Index)))];
        _byTime = ByTime();
    }

    /// <summary>
    /// Directly over a scan whose rows are kept by their time alone (lastpoint: the newest row per key), the first
    /// pass reads only the keys, the time and what the scan's filter needs, to find the time beyond which no kept
    /// row lies; the second pass reads whole rows of that time range only (storage skips every older page).
    /// </summary>
    private readonly ByTimeBound? _byTime;

    private sealed record ByTimeBound(ScanExec Scan, string[] Columns, int[] Keys, int Time, bool Descending, Expr? Filter);

    private ByTimeBound? ByTime()
    {
        if (_fused is not { HasStagesAbove: false } fused || _tiebreak is not [{ Expr: ColumnExpr { Name: "time", Type.Id: ArrowTypeId.Timestamp } time } order]
            || !_groupBy.All(g => g is ColumnExpr))
        {
            return null;
        }
        var scan = fused.Scan;
        var needed = _groupBy.Cast<ColumnExpr>().Select(c => c.Index).Append(time.Index).ToList();
        var filterColumns = scan.Filter?.Walk().OfType<ColumnExpr>().Select(c => c.Index).Distinct().ToList() ?? [];
        // Reading the filter's columns in the first pass is only worth it while they are few (lastpoint has none).
        if (filterColumns.Except(needed).Count() > 2)
        {
            return null;
        }
        var columns = needed.Concat(filterColumns).Distinct().ToList();
        var at = columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        var filter = scan.Filter?.Transform(e => e is ColumnExpr c ? new ColumnExpr(at[c.Index], c.Name, c.Type) : null);
        return new ByTimeBound(scan, [.. columns.Select(c => scan.Schema[c].Name)], [.. _groupBy.Cast<ColumnExpr>().Select(c => at[c.Index])], at[time.Index], order.Descending, filter);
    }

    /// <summary>
    /// The first pass: per key, the times of its first <c>keep</c> rows in time order; the bound is the oldest of
    /// those (newest when ascending) over all keys. Null when no row passes.
    /// </summary>
    private async Task<long?> TimeBoundAsync(ByTimeBound plan, TaskContext context)
    {
        var ct = context.CancellationToken;
        var request = plan.Scan.Request() with { Columns = plan.Columns };
        var schema = new Schema([.. plan.Columns.Select(n => plan.Scan.Schema[plan.Scan.Schema.GetFieldIndex(n)])]);
        var best = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        // Each stored batch reduced on its own, up to one per core; the candidates merged here in scan order.
        await foreach (var candidates in ScanExec.InParallel(context.Scan(request), raw => Candidates(plan, schema, raw, context), context.Parallelism, ct).ConfigureAwait(false))
        {
            foreach (var (name, t) in candidates)
            {
                if (!best.TryGetValue(name, out var kept))
                {
                    best[name] = kept = new List<long>(_keep);
                }
                Keep(kept, t, plan.Descending);
            }
        }
        if (best.Count == 0)
        {
            return null;
        }
        // A key with fewer than keep rows needs them all: its bound is its last kept time either way.
        return plan.Descending ? best.Values.Min(k => k[^1]) : best.Values.Max(k => k[^1]);
    }

    private static int[] GroupIds(ArrowArray[] keys, int rows, out int groups)
    {
        if (keys.Length > 0)
        {
            return Hashing.GroupIds(keys, out groups);
        }
        groups = 1;
        return new int[rows];
    }

    /// <summary>A stored batch's first <c>keep</c> rows per key in time order, as (key, time).</summary>
    private List<(string Key, long Time)> Candidates(ByTimeBound plan, Schema schema, RecordBatch raw, TaskContext context)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        var result = new List<(string, long)>();
        var batch = ScanExec.Align(raw, schema);
        if (plan.Filter is not null && batch.Length > 0)
        {
            batch = Selection.Filter(batch, plan.Filter.EvaluateMask(batch, context.Eval));
        }
        if (batch.Length == 0)
        {
            return result;
        }
        var keys = plan.Keys.Select(batch.Column).ToArray();
        var times = batch.Column(plan.Time);
        var ids = GroupIds(keys, batch.Length, out var groups);
        var values = times.Data.GetValues<long>();
        var key = new System.Text.StringBuilder();
        foreach (var row in Sorting.FirstPerGroup([(times, plan.Descending, false)], ids, groups, _keep))
        {
            if (times.IsNull(row))
            {
                continue;
            }
            key.Clear();
            foreach (var k in keys)
            {
                key.Append(k.IsNull(row) ? "\u0000" : Convert.ToString(k.GetObject(row), System.Globalization.CultureInfo.InvariantCulture)).Append('\u0001');
            }
            result.Add((key.ToString(), values[row]));
        }
        return result;
    }

    /// <summary>Adds <paramref name="t"/> to the first <c>keep</c> times in order (newest first when descending).</summary>
    private void Keep(List<long> kept, long t, bool descending)
    {
        var i = kept.Count;
        while (i > 0 && (descending ? kept[i - 1] < t : kept[i - 1] > t))
        {
            i--;
        }
        if (i < _keep)
        {
            kept.Insert(i, t);
            if (kept.Count > _keep)
            {
                kept.RemoveAt(kept.Count - 1);
            }
        }
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
        $"FirstPerKeyExec: on=[{string.Join(", ", _on)}], order=[{string.Join(", ", _order)}]" + (_keep == 1 ? "" : $", keep={_keep}")
        + (_byTime is null ? "" : $", time_bound_first=[{string.Join(", ", _byTime.Columns)}]") + (_fused is null ? "" : ", " + _fused.Describe());

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        Func<ScanRequest, ScanRequest>? narrow = null;
        if (_byTime is { } byTime)
        {
            if (await TimeBoundAsync(byTime, context).ConfigureAwait(false) is not { } bound)
            {
                yield break;
            }
            narrow = byTime.Descending
                ? r => r with { FromTime = r.FromTime is { } f ? Math.Max(f, bound) : bound }
                : r => r with { ToTime = r.ToTime is { } t ? Math.Min(t, bound) : bound };
        }
        var reduced = _fused is not null
            ? _fused.RunAsync(context, b => Reduce(b, context), narrow)
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
        var ids = GroupIds(keys, batch.Length, out var groups);
        if ((long)groups * _keep >= batch.Length)
        {
            return batch;
        }
        var firsts = Sorting.FirstPerGroup(sortKeys, ids, groups, _keep);
        Array.Sort(firsts);   // keep input order among survivors, so ties resolve as the full sort would
        return Selection.Take(batch, firsts);
    }
}
