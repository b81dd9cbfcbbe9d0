namespace Tsdb.PromQL.Engine;

/// <summary>Numeric helpers shared by functions and aggregations, following Prometheus' float handling.</summary>
internal static class MathUtil
{
    /// <summary>Kahan–Neumaier compensated addition (Prometheus' kahanSumInc).</summary>
    public static (double Sum, double C) KahanSumInc(double inc, double sum, double c)
    {
        var t = sum + inc;
        if (double.IsInfinity(t))
        {
            c = 0;
        }
        else if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += (sum - t) + inc;
        }
        else
        {
            c += (inc - t) + sum;
        }
        return (t, c);
    }

    /// <summary>
    /// Running mean as Prometheus computes avg and avg_over_time: a compensated sum, switching to an incremental mean
    /// once the sum overflows.
    /// </summary>
    public struct MeanAccumulator
    {
        private double _sum;
        private double _c;
        private double _mean;
        private bool _incremental;

        public long Count { get; private set; }

        public void Add(double f)
        {
            Count++;
            if (Count == 1)
            {
                _sum = f;
                _c = 0;
                return;
            }
            if (!_incremental)
            {
                var (newSum, newC) = KahanSumInc(f, _sum, _c);
                if (!double.IsInfinity(newSum))
                {
                    _sum = newSum;
                    _c = newC;
                    return;
                }
                _incremental = true;
                _mean = _sum / (Count - 1);
                _c /= Count - 1;
            }
            if (double.IsInfinity(_mean))
            {
                if (double.IsInfinity(f) && (_mean > 0) == (f > 0))
                {
                    return;
                }
                if (!double.IsInfinity(f) && !double.IsNaN(f))
                {
                    return;
                }
            }
            var currentMean = _mean + _c;
            (_mean, _c) = KahanSumInc((f / Count) - (currentMean / Count), _mean, _c);
        }

        public readonly double Result
        {
            get
            {
                if (_incremental)
                {
                    return _mean + _c;
                }
                if (Count == 1)
                {
                    return _sum;
                }
                return (_sum + _c) / Count;
            }
        }
    }

    /// <summary>The φ-quantile of <paramref name="values"/> (sorted in place), Prometheus' linear interpolation.</summary>
    public static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        values.Sort(static (a, b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : double.IsNaN(b) ? 1 : a.CompareTo(b));
        var n = values.Count;
        var rank = q * (n - 1);
        var lower = Math.Max(0, (int)Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return (values[lower] * (1 - weight)) + (values[upper] * weight);
    }

    /// <summary>Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent.</summary>
    public static string FormatFloat(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(f))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(f))
        {
            return "-Inf";
        }
        var r = f.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return r;
        }
        var exponent = int.Parse(r.AsSpan(e + 1), System.Globalization.CultureInfo.InvariantCulture);
        var mantissa = r[..e];
        var negative = mantissa.StartsWith('-');
        if (negative)
        {
            mantissa = mantissa[1..];
        }
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var pointPos = (dot < 0 ? mantissa.Length : dot) + exponent;
        string result;
        if (pointPos <= 0)
        {
            result = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            result = digits + new string('0', pointPos - digits.Length);
        }
        else
        {
            result = digits[..pointPos] + "." + digits[pointPos..];
        }
        return negative ? "-" + result : result;
    }
}
