using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;
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
    /// <para>
    /// With one row kept per key of one tag column, and a filter of time terms at most, the first pass takes each
    /// key's newest (oldest) time from a chunk's <see cref="TagTimes"/> instead of its rows, for every chunk that has
    /// them and whose time range the filter keeps whole; the other chunks are read as before. Any bound at or before
    /// the true one (after, ascending) is correct: the statistic is exact for the chunk's visible rows
    /// (chunks reached by row deletes have none, or, for deletes of everything before a time, only the newer rows').
    /// </para>
    /// </summary>
    private readonly ByTimeBound? _byTime;

    /// <param name="Statistics">The tag column whose <see cref="TagTimes"/> can stand for a chunk's rows; null: rows only.</param>
    /// <param name="TimeTerms">The scan filter's terms (all of them compare time with a constant) a chunk's whole range must pass.</param>
    private sealed record ByTimeBound(ScanExec Scan, string[] Columns, int[] Keys, int Time, bool Descending, Expr? Filter, string? Statistics, IReadOnlyList<(BinaryOp Op, long Value)> TimeTerms);

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
        string? statistics = null;
        var timeTerms = TimeTerms(scan.Filter, time.Index);
        if (_keep == 1 && _groupBy is [ColumnExpr { Type.Id: ArrowTypeId.Dictionary } tag] && timeTerms is not null)
        {
            statistics = scan.Schema[tag.Index].Name;
        }
        return new ByTimeBound(scan, [.. columns.Select(c => scan.Schema[c].Name)], [.. _groupBy.Cast<ColumnExpr>().Select(c => at[c.Index])], at[time.Index], order.Descending, filter, statistics, timeTerms ?? []);
    }

    /// <summary>The filter as time terms (<c>time op constant</c>, ANDed); none for no filter; null when it tests anything else.</summary>
    private static List<(BinaryOp Op, long Value)>? TimeTerms(Expr? filter, int time)
    {
        var terms = new List<(BinaryOp, long)>();
        foreach (var term in filter is null ? [] : Predicates.Conjuncts(filter))
        {
            if (term is not BinaryExpr { Op: BinaryOp.Equal or BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual } b)
            {
                return null;
            }
            if (b.Left is ColumnExpr l && l.Index == time && b.Right is LiteralExpr { Value: TimestampScalar r })
            {
                terms.Add((b.Op, r.Nanos));
            }
            else if (b.Right is ColumnExpr c && c.Index == time && b.Left is LiteralExpr { Value: TimestampScalar v })
            {
                // constant op time, as time op' constant
                terms.Add((b.Op switch { BinaryOp.Less => BinaryOp.Greater, BinaryOp.LessOrEqual => BinaryOp.GreaterOrEqual, BinaryOp.Greater => BinaryOp.Less, BinaryOp.GreaterOrEqual => BinaryOp.LessOrEqual, _ => b.Op }, v.Nanos));
            }
            else
            {
                return null;
            }
        }
        return terms;
    }

    /// <summary>Whether every time in [min, max] passes every term (each term keeps an interval, so both ends passing is enough).</summary>
    private static bool Keeps(IReadOnlyList<(BinaryOp Op, long Value)> terms, long min, long max)
    {
        foreach (var (op, value) in terms)
        {
            if (!Passes(op, min, value) || !Passes(op, max, value))
            {
                return false;
            }
        }
        return true;

        static bool Passes(BinaryOp op, long t, long value) => op switch
        {
            BinaryOp.Equal => t == value,
            BinaryOp.Less => t < value,
            BinaryOp.LessOrEqual => t <= value,
            BinaryOp.Greater => t > value,
            _ => t >= value,
        };
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
        void Add(string name, long t)
        {
            if (!best.TryGetValue(name, out var kept))
            {
                best[name] = kept = new List<long>(_keep);
            }
            Keep(kept, t, plan.Descending);
        }
        var fromStatistics = new List<TagTimes>();
        async ValueTask<bool> Answered(IQueryChunk chunk, CancellationToken cancellationToken)
        {
            if (!Keeps(plan.TimeTerms, chunk.MinTime, chunk.MaxTime))
            {
                return false;
            }
            TagTimes? times;
            try
            {
                times = await chunk.GetTagTimesAsync(plan.Statistics!, cancellationToken).ConfigureAwait(false);
            }
            catch (ChunkGoneException)
            {
                return false;   // read as rows, where the scan looks for a fresh list
            }
            if (times is null || (!plan.Descending && !times.OldestExact))
            {
                return false;
            }
            lock (fromStatistics)
            {
                fromStatistics.Add(times);
            }
            Metrics.Count("bound_chunks_statistics", 1);
            return true;
        }
        void Scanned(IReadOnlyList<IQueryChunk> chunks) => Metrics.Count("bound_chunks_scanned", chunks.Count);
        var rows = plan.Statistics is null ? context.Scan(request, Scanned) : context.Scan(request, Scanned, Answered);
        // Each stored batch reduced on its own, up to one per core; the candidates merged here in scan order.
        await foreach (var candidates in ScanExec.InParallel(rows, raw => Candidates(plan, schema, raw, context), context.Parallelism, ct, raw => raw.Length < context.InlineRows).ConfigureAwait(false))
        {
            foreach (var (name, t) in candidates)
            {
                Add(name, t);
            }
        }
        foreach (var times in fromStatistics)
        {
            foreach (var (value, t) in times.Values)
            {
                Add(KeyText(value), plan.Descending ? t.Newest : t.Oldest);
            }
            if (times.Missing is { } missing)
            {
                Add(KeyText(null), plan.Descending ? missing.Newest : missing.Oldest);
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

    /// <summary>A one-column key as <see cref="Candidates"/> writes it, for a value of a chunk's statistic (null: the tag missing).</summary>
    private static string KeyText(string? value) => (value ?? "\u0000") + "\u0001";

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
        + (_byTime is null ? "" : $", time_bound_first=[{string.Join(", ", _byTime.Columns)}]" + (_byTime.Statistics is null ? "" : $", statistics={_byTime.Statistics}")) + (_fused is null ? "" : ", " + _fused.Describe());

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
            : ScanExec.InParallel(_input.ExecuteAsync(context), b => Reduce(b, context), context.Parallelism, context.CancellationToken, b => b.Length < context.InlineRows);
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
