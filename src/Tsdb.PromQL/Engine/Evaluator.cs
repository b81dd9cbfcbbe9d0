using System.Runtime.CompilerServices;
using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

/// <summary>
/// Evaluates a parsed query step by step. Every selector's series are fetched once for the whole span the query
/// needs (<see cref="LoadAsync"/>); each step then reads from memory.
/// </summary>
internal sealed partial class Evaluator
{
    private readonly string _query;
    private readonly PromQLEngineOptions _options;
    private readonly long _queryStart;
    private readonly long _queryEnd;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<VectorSelector, StoredSeries[]> _data = new(ReferenceEqualityComparer.Instance);

    // Each series' first and last timestamp, side by side: a step whose window misses a series is decided from this
    // one array, without touching the series' own arrays (a range query over many short-lived series skips most).
    private readonly Dictionary<VectorSelector, (long First, long Last)[]> _spans = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<VectorSelector, (long Min, long Max)> _ranges = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SubqueryExpr, Dictionary<long, EvalValue>> _subqueryCache = new(ReferenceEqualityComparer.Instance);
    private long _samplesThisStep;

    // Lists a consumer has finished with, reused by the next step: a range query over many series otherwise
    // allocates (large-object-heap) lists of every series at every step, and the garbage collector pays for them.
    private readonly ListPool<Sample> _samplePool = new();
    private readonly ListPool<RangeSeries> _rangePool = new();

    public Evaluator(string query, PromQLEngineOptions options, long queryStart, long queryEnd, CancellationToken cancellationToken)
    {
        _query = query;
        _options = options;
        _queryStart = queryStart;
        _queryEnd = queryEnd;
        _cancellationToken = cancellationToken;
    }

    public List<string> Warnings { get; } = [];

    public List<string> Infos { get; } = [];

    private long Lookback => _options.LookbackDeltaMs > 0 ? _options.LookbackDeltaMs : 5 * 60 * 1000;

    private long DefaultSubqueryStep => _options.DefaultSubqueryStepMs > 0 ? _options.DefaultSubqueryStepMs : 60_000;

    /// <summary>Works out the time span each selector needs, then fetches each once.</summary>
    public async Task LoadAsync(ISeriesSource source, Expr root)
    {
        CollectRanges(root, _queryStart, _queryEnd);
        long total = 0;
        foreach (var (selector, range) in _ranges)
        {
            var fetched = await source.SelectAsync(selector.Matchers, range.Min, range.Max, _cancellationToken).ConfigureAwait(false);
            var series = new StoredSeries[fetched.Count];
            var spans = new (long First, long Last)[fetched.Count];
            for (var i = 0; i < fetched.Count; i++)
            {
                var s = fetched[i];
                if (s.Histograms is not null && s.Histograms.Length != s.TimestampsMs.Length)
                {
                    throw new PromQLException(PromQLErrorType.Execution, $"series {LabelSets.Format(s.Labels)}: {s.Histograms.Length} histogram entries for {s.TimestampsMs.Length} samples");
                }
                series[i] = new StoredSeries(s.Labels, s.TimestampsMs, s.Values, s.Histograms);
                spans[i] = s.TimestampsMs.Length == 0 ? (long.MaxValue, long.MinValue) : (s.TimestampsMs[0], s.TimestampsMs[^1]);
                total += s.TimestampsMs.Length;
            }
            _spans[selector] = spans;
            if (total > _options.MaxSamples)
            {
                throw TooManySamples();
            }
            _data[selector] = series;
        }
    }

    /// <summary>"line:column" of an expression, the suffix Prometheus puts on warnings and infos.</summary>
    public string Where(Expr expr)
    {
        var (line, column) = Parsing.Lexer.LineColumn(_query, expr.Position);
        return $"{line}:{column}";
    }

    private static PromQLException TooManySamples() =>
        new(PromQLErrorType.Execution, "query processing would load too many samples into memory in query execution");

    private long ResolveAt(AtKind kind, long atMs, long t) => kind switch
    {
        AtKind.Timestamp => atMs,
        AtKind.Start => _queryStart,
        AtKind.End => _queryEnd,
        _ => t,
    };

    /// <summary>
    /// Called by every recursive walk of the tree. The parser bounds the tree's height; this is the last line against
    /// a stack overflow (on a thread with less stack than usual), which would end the whole server, not this query.
    /// </summary>
    internal static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new PromQLException(PromQLErrorType.Execution, "the query is too deeply nested to evaluate");
        }
    }

    private void CollectRanges(Expr expr, long min, long max)
    {
        EnsureStack();
        switch (expr)
        {
            case VectorSelector vs:
                AddRange(vs, min, max, Lookback);
                break;
            case MatrixSelector ms:
                AddRange(ms.Selector, min, max, ms.RangeMs);
                break;
            case SubqueryExpr sq:
                {
                    var from = sq.At == AtKind.None ? min : ResolveAt(sq.At, sq.AtMs, min);
                    var to = sq.At == AtKind.None ? max : ResolveAt(sq.At, sq.AtMs, max);
                    CollectRanges(sq.Inner, from - sq.OffsetMs - sq.RangeMs, to - sq.OffsetMs);
                    break;
                }
            case ParenExpr p:
                CollectRanges(p.Inner, min, max);
                break;
            case UnaryExpr u:
                CollectRanges(u.Operand, min, max);
                break;
            case BinaryExpr b:
                CollectRanges(b.Lhs, min, max);
                CollectRanges(b.Rhs, min, max);
                break;
            case Call c:
                foreach (var arg in c.Args)
                {
                    CollectRanges(arg, min, max);
                }
                break;
            case AggregateExpr a:
                CollectRanges(a.Inner, min, max);
                if (a.Parameter is not null)
                {
                    CollectRanges(a.Parameter, min, max);
                }
                break;
            default:
                break;
        }
    }

    private void AddRange(VectorSelector selector, long min, long max, long window)
    {
        var from = selector.At == AtKind.None ? min : ResolveAt(selector.At, selector.AtMs, min);
        var to = selector.At == AtKind.None ? max : ResolveAt(selector.At, selector.AtMs, max);
        var lo = from - selector.OffsetMs - window;
        var hi = to - selector.OffsetMs;
        _ranges[selector] = _ranges.TryGetValue(selector, out var existing)
            ? (Math.Min(existing.Min, lo), Math.Max(existing.Max, hi))
            : (lo, hi);
    }

    /// <summary>Starts a new top-level step: the sample budget is per step.</summary>
    public void BeginStep()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _samplesThisStep = 0;
    }

    private void CountSamples(long count)
    {
        _samplesThisStep += count;
        if (_samplesThisStep > _options.MaxSamples)
        {
            throw TooManySamples();
        }
    }

    public EvalValue Eval(Expr expr, long t)
    {
        EnsureStack();
        switch (expr)
        {
            case NumberLiteral n:
                return new ScalarResult(n.Value);
            case StringLiteral s:
                return new StringResult(s.Value);
            case ParenExpr p:
                return Eval(p.Inner, t);
            case UnaryExpr u:
                return EvalUnary(u, t);
            case VectorSelector vs:
                return new VectorResult(SelectInstant(vs, t));
            case MatrixSelector ms:
                return new MatrixResult(SelectRange(ms, t));
            case SubqueryExpr sq:
                return new MatrixResult(EvalSubquery(sq, t));
            case BinaryExpr b:
                return EvalBinary(b, t);
            case AggregateExpr a:
                return EvalAggregate(a, t);
            case Call c:
                return EvalCall(c, t);
            case EvaluatedVector v:
                return new VectorResult(v.Samples);
            default:
                throw new PromQLException(PromQLErrorType.Execution, $"unhandled expression of type {expr.GetType().Name}");
        }
    }

    private EvalValue EvalUnary(UnaryExpr u, long t)
    {
        var value = Eval(u.Operand, t);
        if (value is ScalarResult s)
        {
            return new ScalarResult(-s.Value);
        }
        var input = ((VectorResult)value).Samples;
        var output = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            output.Add(sample.H is { } h ? new Sample(sample.Metric, 0, t, true) { H = h.Scale(-1) } : new Sample(sample.Metric, -sample.F, t, true));
        }
        return new VectorResult(output);
    }

    private List<Sample> SelectInstant(VectorSelector selector, long t)
    {
        var reference = ResolveAt(selector.At, selector.AtMs, t) - selector.OffsetMs;
        var series = _data[selector];
        var spans = _spans[selector];
        var output = RentSamples(series.Length);
        for (var n = 0; n < series.Length; n++)
        {
            // No sample at or before the reference, or the last one too old: what the search below would find.
            if (spans[n].First > reference || spans[n].Last <= reference - Lookback)
            {
                continue;
            }
            var s = series[n];
            var index = UpperBound(s.T, reference) - 1;
            if (index < 0 || s.T[index] <= reference - Lookback || StaleMarker.IsStale(s.F[index], s.H?[index]))
            {
                continue;
            }
            output.Add(new Sample(s.Metric, s.F[index], s.T[index], false) { H = s.H?[index] });
        }
        CountSamples(output.Count);
        return output;
    }

    private List<RangeSeries> SelectRange(MatrixSelector matrix, long t)
    {
        var selector = matrix.Selector;
        var reference = ResolveAt(selector.At, selector.AtMs, t) - selector.OffsetMs;
        var series = _data[selector];
        var spans = _spans[selector];
        var output = RentRanges(series.Length);
        long total = 0;
        for (var n = 0; n < series.Length; n++)
        {
            // Every sample after the window or at/before its (open) start: the window is empty.
            if (spans[n].First > reference || spans[n].Last <= reference - matrix.RangeMs)
            {
                continue;
            }
            var s = series[n];
            var lo = UpperBound(s.T, reference - matrix.RangeMs);
            var hi = UpperBound(s.T, reference);
            if (hi <= lo)
            {
                continue;
            }
            var staleCount = 0;
            for (var i = lo; i < hi; i++)
            {
                if (StaleMarker.IsStale(s.F[i], s.H?[i]))
                {
                    staleCount++;
                }
            }
            if (staleCount == 0)
            {
                output.Add(new RangeSeries(s.Metric, s.T, s.F, lo, hi - lo, false, s.H));
            }
            else if (staleCount < hi - lo)
            {
                var ts = new long[hi - lo - staleCount];
                var vs = new double[ts.Length];
                var hs = s.H is null ? null : new FloatHistogram?[ts.Length];
                var k = 0;
                for (var i = lo; i < hi; i++)
                {
                    if (!StaleMarker.IsStale(s.F[i], s.H?[i]))
                    {
                        ts[k] = s.T[i];
                        if (hs is not null)
                        {
                            hs[k] = s.H![i];
                        }
                        vs[k++] = s.F[i];
                    }
                }
                output.Add(new RangeSeries(s.Metric, ts, vs, 0, ts.Length, false, hs));
            }
            total += hi - lo;
        }
        CountSamples(total);
        return output;
    }

    /// <summary>Inner steps of one subquery kept for the following outer steps.</summary>
    private const int MaxCachedSubquerySteps = 100_000;

    private List<RangeSeries> EvalSubquery(SubqueryExpr subquery, long t)
    {
        var end = ResolveAt(subquery.At, subquery.AtMs, t) - subquery.OffsetMs;
        var step = subquery.StepMs > 0 ? subquery.StepMs : DefaultSubqueryStep;
        var lowest = end - subquery.RangeMs;
        // Steps sit on absolute multiples of the step (Go's truncating division, as Prometheus computes it).
        var start = step * (lowest / step);
        if (start <= lowest)
        {
            start += step;
        }
        // The inner value at a time depends on nothing but that time, and consecutive outer steps share most of
        // their inner steps (all lie on multiples of the step), so each is evaluated once per query.
        if (!_subqueryCache.TryGetValue(subquery, out var cache))
        {
            cache = [];
            _subqueryCache[subquery] = cache;
        }
        EvictBefore(cache, start);
        var collected = new Dictionary<Labels, SubquerySeries>();
        var order = new List<Labels>();
        long total = 0;
        for (var ts = start; ts <= end; ts += step)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (!cache.TryGetValue(ts, out var value))
            {
                var saved = _samplesThisStep;
                value = Eval(subquery.Inner, ts);
                _samplesThisStep = saved;
                // Bounded: a long subquery at a fine step (x[100y:1ms]) has trillions of steps, nearly all empty.
                if (cache.Count < MaxCachedSubquerySteps)
                {
                    cache[ts] = value;
                }
            }
            if (value is ScalarResult scalar)
            {
                Append(collected, order, Labels.Empty, ts, scalar.Value, null, false);
                total++;
                continue;
            }
            foreach (var sample in ((VectorResult)value).Samples)
            {
                Append(collected, order, sample.Metric, ts, sample.F, sample.H, sample.DropName);
                total++;
            }
            // Checked as the samples come, not only at the end: they are all held until then.
            if (_samplesThisStep + total > _options.MaxSamples)
            {
                throw TooManySamples();
            }
        }
        CountSamples(total);
        var output = new List<RangeSeries>(order.Count);
        foreach (var labels in order)
        {
            var entry = collected[labels];
            output.Add(new RangeSeries(labels, [.. entry.T], [.. entry.F], 0, entry.T.Count, entry.DropName, entry.H is null ? null : [.. entry.H]));
        }
        return output;
    }

    /// <summary>Outer steps only move forward, so inner values before the current window are not needed again.</summary>
    private static void EvictBefore(Dictionary<long, EvalValue> cache, long start)
    {
        if (cache.Count < 1024)
        {
            return;
        }
        var stale = new List<long>();
        foreach (var key in cache.Keys)
        {
            if (key < start)
            {
                stale.Add(key);
            }
        }
        foreach (var key in stale)
        {
            cache.Remove(key);
        }
    }

    private sealed class SubquerySeries(bool dropName)
    {
        public List<long> T { get; } = [];

        public List<double> F { get; } = [];

        public List<FloatHistogram?>? H { get; set; }

        public bool DropName { get; } = dropName;
    }

    private static void Append(Dictionary<Labels, SubquerySeries> collected, List<Labels> order, Labels labels, long t, double f, FloatHistogram? h, bool dropName)
    {
        if (!collected.TryGetValue(labels, out var entry))
        {
            entry = new SubquerySeries(dropName);
            collected[labels] = entry;
            order.Add(labels);
        }
        if (h is not null && entry.H is null)
        {
            entry.H = [];
            for (var i = 0; i < entry.T.Count; i++)
            {
                entry.H.Add(null);
            }
        }
        if (entry.H is not null)
        {
            // The same stored sample seen again at a later inner step (lookback) is no new reset: its reset hint
            // would otherwise count once per step (Prometheus' subquery test "must not detect the counter reset
            // multiple times").
            if (h is { CounterResetHint: HistogramCounterResetHint.CounterReset } && entry.H.Count > 0 && entry.H[^1] is { } last && last.ExactlyEquals(h))
            {
                h = h.WithCounterResetHint(HistogramCounterResetHint.NotCounterReset);
            }
            entry.H.Add(h);
        }
        entry.T.Add(t);
        entry.F.Add(f);
    }

    /// <summary>An empty list for a vector, from the pool when one is free.</summary>
    private List<Sample> RentSamples(int capacity) => _samplePool.Rent(capacity);

    /// <summary>Gives back a vector nothing refers to any more (its owner consumed it; it was never cached or returned).</summary>
    internal void ReturnSamples(List<Sample> list) => _samplePool.Return(list);

    private List<RangeSeries> RentRanges(int capacity) => _rangePool.Rent(capacity);

    private void ReturnRanges(List<RangeSeries> list) => _rangePool.Return(list);

    /// <summary>A few emptied lists kept for reuse, so each step does not allocate its vectors anew (one query, one thread).</summary>
    private sealed class ListPool<T>
    {
        private const int MaxPooledLists = 8;
        private readonly Stack<List<T>> _lists = new();

        public List<T> Rent(int capacity)
        {
            if (_lists.TryPop(out var list))
            {
                list.EnsureCapacity(capacity);
                return list;
            }
            return new List<T>(capacity);
        }

        public void Return(List<T> list)
        {
            if (_lists.Count < MaxPooledLists)
            {
                list.Clear();
                _lists.Push(list);
            }
        }
    }

    /// <summary>Index of the first timestamp greater than <paramref name="t"/>.</summary>
    private static int UpperBound(long[] timestamps, long t)
    {
        int lo = 0, hi = timestamps.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (timestamps[mid] <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
