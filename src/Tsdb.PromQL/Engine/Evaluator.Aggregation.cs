using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>Up to this k, topk/bottomk keep the best in a sorted array instead of sorting every sample.</summary>
    private const int MaxInsertionK = 32;

    private const int MaxCachedGroupingKeys = 1 << 20;

    private readonly Dictionary<AggregateExpr, GroupSlots> _groupSlots = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// An aggregation's groups for the whole query: each distinct grouping key gets a slot, and each input label-set
    /// object (selector output carries the same objects at every step) remembers its slot by reference. A step then
    /// finds a sample's group by one reference lookup and an array index, and builds each key once per query.
    /// </summary>
    private sealed class GroupSlots
    {
        public Dictionary<Labels, int> SlotOfSeries { get; } = new(ReferenceEqualityComparer.Instance);

        public Dictionary<Labels, int> SlotOfKey { get; } = [];

        public List<Labels> Keys { get; } = [];

        /// <summary>This step's group per slot; emptied again when the step's aggregation is done.</summary>
        public AggregationGroup?[] Groups { get; set; } = [];
    }

    private sealed class AggregationGroup(Labels labels, int slot)
    {
        public Labels Labels { get; } = labels;

        public int Slot { get; } = slot;

        public double Value;
        public double C;
        public double Mean;
        public long Count;
        public bool DropName;
        public MathUtil.MeanAccumulator Avg;
        public List<double>? Values;

        /// <summary>sum/avg of native histograms: the running sum, and whether floats, histograms or an error were met.</summary>
        public FloatHistogram? Histogram;
        public long FloatCount;
        public bool Unusable;
    }

    private VectorResult EvalAggregate(AggregateExpr aggregate, long t)
    {
        var input = ((VectorResult)Eval(aggregate.Inner, t)).Samples;
        var op = aggregate.Op;
        double parameter = 0;
        string? label = null;
        if (aggregate.Parameter is not null)
        {
            var p = Eval(aggregate.Parameter, t);
            if (p is StringResult s)
            {
                label = s.Value;
            }
            else
            {
                parameter = ((ScalarResult)p).Value;
            }
        }
        if (op is AggregationOp.Min or AggregationOp.Max or AggregationOp.Stddev or AggregationOp.Stdvar or AggregationOp.Quantile
            or AggregationOp.Topk or AggregationOp.Bottomk)
        {
            input = IgnoreHistograms(aggregate, input);
        }
        switch (op)
        {
            case AggregationOp.Topk or AggregationOp.Bottomk:
                if (double.IsNaN(parameter))
                {
                    throw new PromQLException(PromQLErrorType.Execution, "Parameter value is NaN");
                }
                if (parameter >= 9.2233720368547758E+18 || parameter < -9.2233720368547758E+18)
                {
                    throw new PromQLException(PromQLErrorType.Execution, $"Scalar value {MathUtil.FormatFloat(parameter)} overflows int64");
                }
                {
                    var selected = TopBottomK(aggregate, input, (long)parameter, op == AggregationOp.Topk, t);
                    ReturnSamples(input);
                    return new VectorResult(selected);
                }
            case AggregationOp.Limitk or AggregationOp.LimitRatio:
                {
                    var limited = Limit(aggregate, input, parameter, t);
                    ReturnSamples(input);
                    return new VectorResult(limited);
                }
            case AggregationOp.CountValues:
                if (!LabelSets.IsValidLabelName(label!))
                {
                    throw new PromQLException(PromQLErrorType.Execution, $"invalid label name {Parsing.Lexer.Quote(label!)}");
                }
                return new VectorResult(CountValues(aggregate, input, label!, t));
            case AggregationOp.Quantile:
                if (parameter is < 0 or > 1 || double.IsNaN(parameter))
                {
                    AddWarning($"PromQL warning: quantile value should be between 0 and 1, got {MathUtil.FormatFloat(parameter)} ({Where(aggregate.Parameter!)})");
                }
                break;
            default:
                break;
        }

        var slots = SlotsOf(aggregate);
        var order = new List<AggregationGroup>();
        foreach (var sample in input)
        {
            var slot = GroupSlot(slots, aggregate, sample.Metric);
            var groups = slots.Groups;
            if (slot >= groups.Length)
            {
                groups = new AggregationGroup?[Math.Max(slots.Keys.Count, groups.Length * 2)];
                slots.Groups.CopyTo(groups, 0);
                slots.Groups = groups;
            }
            var group = groups[slot];
            if (op is AggregationOp.Sum or AggregationOp.Avg && (sample.H is not null || group?.Histogram is not null))
            {
                if (group is null)
                {
                    group = new AggregationGroup(slots.Keys[slot], slot) { Count = 0, DropName = sample.DropName };
                    groups[slot] = group;
                    order.Add(group);
                }
                group.DropName |= sample.DropName;
                AddToHistogramGroup(aggregate, group, sample);
                continue;
            }
            if (group is null)
            {
                group = new AggregationGroup(slots.Keys[slot], slot) { Value = sample.F, Mean = sample.F, Count = 1, FloatCount = 1, DropName = sample.DropName };
                switch (op)
                {
                    case AggregationOp.Avg:
                        group.Avg.Add(sample.F);
                        break;
                    case AggregationOp.Stddev or AggregationOp.Stdvar:
                        group.Value = 0;
                        break;
                    case AggregationOp.Quantile:
                        group.Values = [sample.F];
                        break;
                    default:
                        break;
                }
                groups[slot] = group;
                order.Add(group);
                continue;
            }
            group.DropName |= sample.DropName;
            group.Count++;
            group.FloatCount++;
            var f = sample.F;
            switch (op)
            {
                case AggregationOp.Sum:
                    (group.Value, group.C) = MathUtil.KahanSumInc(f, group.Value, group.C);
                    break;
                case AggregationOp.Avg:
                    group.Avg.Add(f);
                    break;
                case AggregationOp.Min:
                    if (group.Value > f || double.IsNaN(group.Value))
                    {
                        group.Value = f;
                    }
                    break;
                case AggregationOp.Max:
                    if (group.Value < f || double.IsNaN(group.Value))
                    {
                        group.Value = f;
                    }
                    break;
                case AggregationOp.Stddev or AggregationOp.Stdvar:
                    {
                        var delta = f - group.Mean;
                        group.Mean += delta / group.Count;
                        group.Value += delta * (f - group.Mean);
                        break;
                    }
                case AggregationOp.Quantile:
                    group.Values!.Add(f);
                    break;
                default:
                    break;
            }
        }

        // Every input sample is folded into its group: the input vector (built for this aggregation alone) can be reused.
        ReturnSamples(input);
        foreach (var group in order)
        {
            slots.Groups[group.Slot] = null;
        }
        var output = new List<Sample>(order.Count);
        foreach (var group in order)
        {
            if (group.Histogram is not null || group.Unusable)
            {
                if (group.FloatCount > 0)
                {
                    AddWarning($"PromQL warning: encountered a mix of histograms and floats for aggregation ({Where(aggregate)})");
                }
                else if (!group.Unusable)
                {
                    var h = op == AggregationOp.Avg ? group.Histogram!.Divide(group.Count) : group.Histogram!;
                    output.Add(new Sample(group.Labels, 0, t, group.DropName && group.Labels.Has(Labels.MetricName)) { H = h.Compact() });
                }
                continue;
            }
            var value = op switch
            {
                AggregationOp.Sum => double.IsInfinity(group.Value) ? group.Value : group.Value + group.C,
                AggregationOp.Avg => group.Avg.Result,
                AggregationOp.Count => group.Count,
                AggregationOp.Group => 1,
                AggregationOp.Min or AggregationOp.Max => group.Value,
                AggregationOp.Stdvar => group.Value / group.Count,
                AggregationOp.Stddev => Math.Sqrt(group.Value / group.Count),
                AggregationOp.Quantile => MathUtil.Quantile(parameter, group.Values!),
                _ => throw new PromQLException(PromQLErrorType.Execution, $"aggregation {op} is not supported"),
            };
            // Stddev/stdvar of a single sample that is Inf/NaN is NaN, as in Prometheus.
            if (op is AggregationOp.Stddev or AggregationOp.Stdvar && group.Count == 1)
            {
                value = double.IsNaN(group.Mean) || double.IsInfinity(group.Mean) ? double.NaN : 0;
            }
            output.Add(new Sample(group.Labels, value, t, group.DropName && group.Labels.Has(Labels.MetricName)));
        }
        return new VectorResult(output);
    }

    /// <summary>A histogram sample into a sum/avg group (which may already hold floats: that is reported at the end).</summary>
    private void AddToHistogramGroup(AggregateExpr aggregate, AggregationGroup group, in Sample sample)
    {
        if (sample.H is not { } h)
        {
            // A float after histograms: kept apart so the mix is reported.
            group.FloatCount++;
            group.Count++;
            return;
        }
        group.Count++;
        if (group.Unusable)
        {
            return;
        }
        if (group.Histogram is null)
        {
            group.Histogram = h;
            return;
        }
        if (!group.Histogram.TryAdd(h, out var sum, out var reconciled))
        {
            AddWarning($"PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"{sample.Metric.Name}\" ({Where(aggregate)})");
            group.Unusable = true;
            group.Histogram = null;
            return;
        }
        if (reconciled)
        {
            AddInfo($"PromQL info: mismatched custom buckets were reconciled during aggregation ({Where(aggregate)})");
        }
        group.Histogram = sum;
    }

    /// <summary>Aggregations defined on floats only leave histogram samples out, with Prometheus' info annotation.</summary>
    private List<Sample> IgnoreHistograms(AggregateExpr aggregate, List<Sample> input)
    {
        var any = false;
        foreach (var sample in input)
        {
            if (sample.H is not null)
            {
                any = true;
                break;
            }
        }
        if (!any)
        {
            return input;
        }
        AddInfo($"PromQL info: ignored histogram in {aggregate.Op.ToString().ToLowerInvariant()} aggregation ({Where(aggregate)})");
        var floats = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            if (sample.H is null)
            {
                floats.Add(sample);
            }
        }
        return floats;
    }

    private GroupSlots SlotsOf(AggregateExpr aggregate)
    {
        if (!_groupSlots.TryGetValue(aggregate, out var slots))
        {
            slots = new GroupSlots();
            _groupSlots[aggregate] = slots;
        }
        return slots;
    }

    /// <summary>The slot of the group a series falls in (see <see cref="GroupSlots"/>).</summary>
    private static int GroupSlot(GroupSlots slots, AggregateExpr aggregate, Labels metric)
    {
        if (slots.SlotOfSeries.TryGetValue(metric, out var slot))
        {
            return slot;
        }
        var key = aggregate.Without ? LabelSets.Without(metric, aggregate.Grouping, true) : LabelSets.Keep(metric, aggregate.Grouping);
        if (!slots.SlotOfKey.TryGetValue(key, out slot))
        {
            slot = slots.Keys.Count;
            slots.Keys.Add(key);
            slots.SlotOfKey[key] = slot;
        }
        // Label sets built anew at every step (e.g. by a binary operation) never hit again: bound what they cost.
        if (slots.SlotOfSeries.Count >= MaxCachedGroupingKeys)
        {
            slots.SlotOfSeries.Clear();
        }
        slots.SlotOfSeries[metric] = slot;
        return slot;
    }

    private Labels GroupingKey(AggregateExpr aggregate, Labels metric)
    {
        var slots = SlotsOf(aggregate);
        return slots.Keys[GroupSlot(slots, aggregate, metric)];
    }

    private List<Sample> TopBottomK(AggregateExpr aggregate, List<Sample> input, long k, bool top, long t)
    {
        var output = new List<Sample>();
        if (k < 1)
        {
            return output;
        }
        List<List<Sample>> order;
        if (aggregate.Grouping.Count == 0 && !aggregate.Without)
        {
            // No grouping: one group, the input itself (no copy of every sample at every step).
            order = [input];
        }
        else
        {
            var groups = new Dictionary<Labels, List<Sample>>();
            order = [];
            foreach (var sample in input)
            {
                var key = GroupingKey(aggregate, sample.Metric);
                if (!groups.TryGetValue(key, out var list))
                {
                    list = [];
                    groups[key] = list;
                    order.Add(list);
                }
                list.Add(sample);
            }
        }
        foreach (var list in order)
        {
            // The first k of a stable sort: NaN ranks below everything for topk and above everything for bottomk,
            // ties keep input order.
            var n = (int)Math.Min(k, list.Count);
            if (n <= MaxInsertionK)
            {
                SelectFirst(list, n, top, output, t);
                continue;
            }
            var indices = new int[list.Count];
            for (var i = 0; i < indices.Length; i++)
            {
                indices[i] = i;
            }
            Array.Sort(indices, (a, b) =>
            {
                var c = Compare(list[a].F, list[b].F, top);
                return c != 0 ? c : a.CompareTo(b);
            });
            for (var i = 0; i < n; i++)
            {
                var s = list[indices[i]];
                output.Add(new Sample(s.Metric, s.F, t, s.DropName));
            }
        }
        return output;
    }

    /// <summary>
    /// The first <paramref name="n"/> samples in rank order, kept in a small sorted array: most samples lose to the
    /// current n-th at one comparison, so this is O(count) for the small k dashboards use, where a full sort of
    /// every series at every step was O(count log count).
    /// </summary>
    private static void SelectFirst(List<Sample> list, int n, bool top, List<Sample> output, long t)
    {
        if (n == 0)
        {
            return;
        }
        Span<int> best = stackalloc int[n];
        var filled = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var f = list[i].F;
            // A later sample that ties ranks after: it enters only when strictly better than the current last.
            if (filled == n && Compare(f, list[best[n - 1]].F, top) >= 0)
            {
                continue;
            }
            var position = filled < n ? filled++ : n - 1;
            while (position > 0 && Compare(f, list[best[position - 1]].F, top) < 0)
            {
                best[position] = best[position - 1];
                position--;
            }
            best[position] = i;
        }
        for (var i = 0; i < filled; i++)
        {
            var s = list[best[i]];
            output.Add(new Sample(s.Metric, s.F, t, s.DropName));
        }
    }

    private static int Compare(double a, double b, bool descending)
    {
        var aNaN = double.IsNaN(a);
        var bNaN = double.IsNaN(b);
        if (aNaN || bNaN)
        {
            return aNaN == bNaN ? 0 : aNaN ? 1 : -1;
        }
        return descending ? b.CompareTo(a) : a.CompareTo(b);
    }

    private List<Sample> CountValues(AggregateExpr aggregate, List<Sample> input, string label, long t)
    {
        var counts = new Dictionary<Labels, int>();
        var order = new List<Labels>();
        foreach (var sample in input)
        {
            var key = GroupingKey(aggregate, sample.Metric);
            key = LabelSets.Set(key, label, sample.H is { } h ? h.ToString() : MathUtil.FormatFloat(sample.F));
            if (!counts.TryGetValue(key, out var count))
            {
                order.Add(key);
            }
            counts[key] = count + 1;
        }
        var output = new List<Sample>(order.Count);
        foreach (var key in order)
        {
            output.Add(new Sample(key, counts[key], t, false));
        }
        return output;
    }
}
