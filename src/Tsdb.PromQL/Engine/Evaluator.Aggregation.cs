using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    private sealed class AggregationGroup(Labels labels)
    {
        public Labels Labels { get; } = labels;

        public double Value;
        public double C;
        public double Mean;
        public long Count;
        public bool DropName;
        public MathUtil.MeanAccumulator Avg;
        public List<double>? Values;
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
                return new VectorResult(TopBottomK(aggregate, input, (long)parameter, op == AggregationOp.Topk, t));
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

        var groups = new Dictionary<Labels, AggregationGroup>();
        var order = new List<AggregationGroup>();
        foreach (var sample in input)
        {
            var key = GroupingKey(aggregate, sample.Metric);
            if (!groups.TryGetValue(key, out var group))
            {
                group = new AggregationGroup(key) { Value = sample.F, Mean = sample.F, Count = 1, DropName = sample.DropName };
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
                groups[key] = group;
                order.Add(group);
                continue;
            }
            group.DropName |= sample.DropName;
            group.Count++;
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

        var output = new List<Sample>(order.Count);
        foreach (var group in order)
        {
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

    private static Labels GroupingKey(AggregateExpr aggregate, Labels metric) =>
        aggregate.Without ? LabelSets.Without(metric, aggregate.Grouping, true) : LabelSets.Keep(metric, aggregate.Grouping);

    private static List<Sample> TopBottomK(AggregateExpr aggregate, List<Sample> input, long k, bool top, long t)
    {
        var output = new List<Sample>();
        if (k < 1)
        {
            return output;
        }
        var groups = new Dictionary<Labels, List<Sample>>();
        var order = new List<List<Sample>>();
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
        foreach (var list in order)
        {
            // Stable sort: NaN ranks below everything for topk and above everything for bottomk.
            var sorted = list.Select((s, i) => (s, i)).ToList();
            sorted.Sort((a, b) =>
            {
                var c = Compare(a.s.F, b.s.F, top);
                return c != 0 ? c : a.i.CompareTo(b.i);
            });
            var n = (int)Math.Min(k, sorted.Count);
            for (var i = 0; i < n; i++)
            {
                var s = sorted[i].s;
                output.Add(new Sample(s.Metric, s.F, t, s.DropName));
            }
        }
        return output;

        static int Compare(double a, double b, bool descending)
        {
            var aNaN = double.IsNaN(a);
            var bNaN = double.IsNaN(b);
            if (aNaN || bNaN)
            {
                return aNaN == bNaN ? 0 : aNaN ? 1 : -1;
            }
            return descending ? b.CompareTo(a) : a.CompareTo(b);
        }
    }

    private static List<Sample> CountValues(AggregateExpr aggregate, List<Sample> input, string label, long t)
    {
        var counts = new Dictionary<Labels, int>();
        var order = new List<Labels>();
        foreach (var sample in input)
        {
            var key = GroupingKey(aggregate, sample.Metric);
            key = LabelSets.Set(key, label, MathUtil.FormatFloat(sample.F));
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
