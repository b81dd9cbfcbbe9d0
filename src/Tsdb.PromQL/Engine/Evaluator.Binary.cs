using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    private EvalValue EvalBinary(BinaryExpr binary, long t)
    {
        var lhs = Eval(binary.Lhs, t);
        var rhs = Eval(binary.Rhs, t);
        var op = binary.Op;
        if (lhs is ScalarResult ls && rhs is ScalarResult rs)
        {
            var (value, keep) = Apply(op, ls.Value, rs.Value);
            return new ScalarResult(op.IsComparison() ? (keep ? 1 : 0) : value);
        }
        if (lhs is VectorResult lv && rhs is VectorResult rv)
        {
            return new VectorResult(op switch
            {
                BinaryOp.And => And(lv.Samples, rv.Samples, binary.Matching!),
                BinaryOp.Or => Or(lv.Samples, rv.Samples, binary.Matching!),
                BinaryOp.Unless => Unless(lv.Samples, rv.Samples, binary.Matching!),
                _ => VectorBinop(binary, lv.Samples, rv.Samples, t),
            });
        }
        var swap = lhs is ScalarResult;
        var scalar = swap ? ((ScalarResult)lhs).Value : ((ScalarResult)rhs).Value;
        var vector = swap ? ((VectorResult)rhs).Samples : ((VectorResult)lhs).Samples;
        var output = new List<Sample>(vector.Count);
        foreach (var sample in vector)
        {
            if (sample.H is not null)
            {
                var (lf, lh, rf, rh) = swap ? (scalar, (FloatHistogram?)null, 0.0, sample.H) : (0.0, sample.H, scalar, (FloatHistogram?)null);
                if (TryHistogramOperation(binary, lf, lh, rf, rh, sample.Metric.Name, out var hv, out var hh))
                {
                    output.Add(new Sample(sample.Metric, hv, t, sample.DropName || !op.IsComparison() || binary.ReturnBool) { H = hh });
                }
                continue;
            }
            var (l, r) = swap ? (scalar, sample.F) : (sample.F, scalar);
            var (value, keep) = Apply(op, l, r);
            if (op.IsComparison())
            {
                // A comparison filters the vector and keeps the vector's value, whichever side it is on.
                value = sample.F;
            }
            if (binary.ReturnBool)
            {
                value = keep ? 1 : 0;
                keep = true;
            }
            if (!keep)
            {
                continue;
            }
            var dropName = sample.DropName || !op.IsComparison() || binary.ReturnBool;
            output.Add(new Sample(sample.Metric, value, t, dropName));
        }
        return new VectorResult(output);
    }

    /// <summary>The arithmetic result, or for comparisons the left value and whether the comparison holds.</summary>
    private static (double Value, bool Keep) Apply(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Atan2 => (Math.Atan2(l, r), true),
        BinaryOp.Eql => (l, l == r),
        BinaryOp.Neq => (l, l != r),
        BinaryOp.Gtr => (l, l > r),
        BinaryOp.Lss => (l, l < r),
        BinaryOp.Gte => (l, l >= r),
        BinaryOp.Lte => (l, l <= r),
        _ => throw new PromQLException(PromQLErrorType.Execution, $"operator \"{op.Text()}\" not allowed here"),
    };

    private static List<Sample> And(List<Sample> lhs, List<Sample> rhs, VectorMatching matching)
    {
        var signatures = new HashSet<Labels>();
        foreach (var sample in rhs)
        {
            signatures.Add(LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels));
        }
        var output = new List<Sample>();
        foreach (var sample in lhs)
        {
            if (signatures.Contains(LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels)))
            {
                output.Add(sample);
            }
        }
        return output;
    }

    private static List<Sample> Or(List<Sample> lhs, List<Sample> rhs, VectorMatching matching)
    {
        var signatures = new HashSet<Labels>();
        var output = new List<Sample>(lhs.Count + rhs.Count);
        foreach (var sample in lhs)
        {
            signatures.Add(LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels));
            output.Add(sample);
        }
        foreach (var sample in rhs)
        {
            if (!signatures.Contains(LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels)))
            {
                output.Add(sample);
            }
        }
        return output;
    }

    private static List<Sample> Unless(List<Sample> lhs, List<Sample> rhs, VectorMatching matching)
    {
        var signatures = new HashSet<Labels>();
        foreach (var sample in rhs)
        {
            signatures.Add(LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels));
        }
        var output = new List<Sample>();
        foreach (var sample in lhs)
        {
            if (!signatures.Contains(LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels)))
            {
                output.Add(sample);
            }
        }
        return output;
    }

    private List<Sample> VectorBinop(BinaryExpr binary, List<Sample> lhs, List<Sample> rhs, long t)
    {
        var matching = binary.Matching!;
        var op = binary.Op;
        var oneToMany = matching.Cardinality == MatchCardinality.OneToMany;
        if (oneToMany)
        {
            (lhs, rhs) = (rhs, lhs);
        }
        var rightSigs = new Dictionary<Labels, Sample>();
        foreach (var sample in rhs)
        {
            var sig = LabelSets.Signature(sample.Metric, matching.On, matching.MatchingLabels);
            if (rightSigs.TryGetValue(sig, out var existing))
            {
                throw new PromQLException(PromQLErrorType.Execution,
                    $"found duplicate series for the match group {LabelSets.Format(sig)} on the {(oneToMany ? "left" : "right")} hand-side of the operation: " +
                    $"[{LabelSets.Format(existing.Metric)}, {LabelSets.Format(sample.Metric)}];many-to-many matching not allowed: matching labels must be unique on one side");
            }
            rightSigs[sig] = sample;
        }
        var matchedOneToOne = new HashSet<Labels>();
        var matchedGrouped = new Dictionary<Labels, HashSet<Labels>>();
        var output = new List<Sample>();
        var arithmetic = !op.IsComparison();
        foreach (var ls in lhs)
        {
            var sig = LabelSets.Signature(ls.Metric, matching.On, matching.MatchingLabels);
            if (!rightSigs.TryGetValue(sig, out var rs))
            {
                continue;
            }
            var (fl, fr) = oneToMany ? (rs.F, ls.F) : (ls.F, rs.F);
            var (hl, hr) = oneToMany ? (rs.H, ls.H) : (ls.H, rs.H);
            double value;
            bool keep;
            FloatHistogram? histogram = null;
            if (hl is not null || hr is not null)
            {
                if (!TryHistogramOperation(binary, fl, hl, fr, hr, (oneToMany ? rs : ls).Metric.Name, out value, out histogram))
                {
                    continue;
                }
                // With bool the operation already answered 1 or 0.
                keep = !binary.ReturnBool || value != 0;
            }
            else
            {
                (value, keep) = Apply(op, fl, fr);
            }
            var metric = ResultMetric(ls.Metric, rs.Metric, matching);
            if (matching.Cardinality == MatchCardinality.OneToOne)
            {
                if (!matchedOneToOne.Add(sig))
                {
                    throw new PromQLException(PromQLErrorType.Execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
            }
            else
            {
                if (!matchedGrouped.TryGetValue(sig, out var inserted))
                {
                    inserted = [];
                    matchedGrouped[sig] = inserted;
                }
                if (!inserted.Add(arithmetic || binary.ReturnBool ? LabelSets.DropName(metric) : metric))
                {
                    throw new PromQLException(PromQLErrorType.Execution, "multiple matches for labels: grouping labels must ensure unique matches");
                }
            }
            if (binary.ReturnBool)
            {
                value = keep ? 1 : 0;
            }
            else if (!keep)
            {
                continue;
            }
            output.Add(new Sample(metric, value, t, arithmetic || binary.ReturnBool || ls.DropName) { H = binary.ReturnBool ? null : histogram });
        }
        return output;
    }

    /// <summary>
    /// An operator with a native histogram on either side (Prometheus 3): histogram ± histogram, histogram × or ÷
    /// float, float × histogram, and == / != between histograms; anything else drops the pair with an info. For a
    /// comparison the result is the left histogram (or 1/0 with bool). False when the pair is dropped.
    /// </summary>
    private bool TryHistogramOperation(BinaryExpr binary, double lf, FloatHistogram? lh, double rf, FloatHistogram? rh, string metricName, out double value, out FloatHistogram? histogram)
    {
        var op = binary.Op;
        value = 0;
        histogram = null;
        if (lh is not null && rh is not null)
        {
            switch (op)
            {
                case BinaryOp.Add or BinaryOp.Sub:
                    {
                        var ok = op == BinaryOp.Add ? lh.TryAdd(rh, out var result, out var reconciled) : lh.TrySubtract(rh, out result, out reconciled);
                        if (!ok)
                        {
                            AddWarning($"PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"{metricName}\" ({Where(binary)})");
                            return false;
                        }
                        if (reconciled)
                        {
                            AddInfo($"PromQL info: mismatched custom buckets were reconciled during {(op == BinaryOp.Add ? "addition" : "subtraction")} ({Where(binary)})");
                        }
                        histogram = result.Compact();
                        return true;
                    }
                case BinaryOp.Eql or BinaryOp.Neq:
                    {
                        var equal = lh.ExactlyEquals(rh);
                        var holds = op == BinaryOp.Eql ? equal : !equal;
                        if (binary.ReturnBool)
                        {
                            value = holds ? 1 : 0;
                            return true;
                        }
                        histogram = lh;
                        return holds;
                    }
                default:
                    break;
            }
        }
        else if (lh is not null && op is BinaryOp.Mul or BinaryOp.Div)
        {
            histogram = op == BinaryOp.Mul ? lh.Scale(rf) : lh.Divide(rf);
            return true;
        }
        else if (rh is not null && op == BinaryOp.Mul)
        {
            histogram = rh.Scale(lf);
            return true;
        }
        AddInfo($"PromQL info: incompatible sample types encountered for binary operator \"{op.Text()}\": {(lh is null ? "float" : "histogram")} {op.Text()} {(rh is null ? "float" : "histogram")} ({Where(binary)})");
        return false;
    }

    private static Labels ResultMetric(Labels lhs, Labels rhs, VectorMatching matching)
    {
        var metric = lhs;
        if (matching.Cardinality == MatchCardinality.OneToOne)
        {
            metric = matching.On ? LabelSets.Keep(metric, matching.MatchingLabels) : LabelSets.Without(metric, matching.MatchingLabels, false);
        }
        foreach (var name in matching.Include)
        {
            // group_x labels are copied from the "one" side.
            metric = LabelSets.Set(metric, name, rhs.Get(name));
        }
        return metric;
    }
}
