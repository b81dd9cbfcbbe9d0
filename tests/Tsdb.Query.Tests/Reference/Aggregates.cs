using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Tests;

/// <summary>
/// The aggregates of the engine the plans replaced (whole arrays over group ids, one pass each), kept as an oracle:
/// the accumulators must answer as it did.
/// </summary>
internal static class Aggregates
{
    public static ArrowArray Compute(string name, ArrowArray? input, bool distinct, int[] ids, int groups)
    {
        if (input is null)
        {
            var counts = new long[groups];
            foreach (var id in ids)
            {
                counts[id]++;
            }
            return Columns.FromValues(ArrowType.Int64, counts, null);
        }
        if (distinct)
        {
            if (name != "count")
            {
                throw new QueryException($"{name}(DISTINCT …) is not supported yet");
            }
            var sets = new HashSet<object>[groups];
            for (var g = 0; g < groups; g++)
            {
                sets[g] = [];
            }
            var plain = Columns.Plain(input);
            for (var i = 0; i < ids.Length; i++)
            {
                if (plain.GetObject(i) is { } o)
                {
                    sets[ids[i]].Add(o);
                }
            }
            var result = new long[groups];
            for (var g = 0; g < groups; g++)
            {
                result[g] = sets[g].Count;
            }
            return Columns.FromValues(ArrowType.Int64, result, null);
        }
        switch (name)
        {
            case "count":
            {
                var counts = new long[groups];
                for (var i = 0; i < ids.Length; i++)
                {
                    if (!input.IsNull(i))
                    {
                        counts[ids[i]]++;
                    }
                }
                return Columns.FromValues(ArrowType.Int64, counts, null);
            }
            case "min" or "max":
                return MinMax(input, ids, groups, name == "max");
            case "sum":
                return Sum(input, ids, groups);
            default:
                return Statistic(name, input, ids, groups);
        }
    }

    private static ArrowArray Sum(ArrowArray input, int[] ids, int groups)
    {
        var seen = new bool[groups];
        var type = input.Type.Id;
        if (type is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64)
        {
            var values = Columns.Int64Values(input);
            var sums = new long[groups];
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i))
                {
                    sums[ids[i]] = checked(sums[ids[i]] + values[i]);
                    seen[ids[i]] = true;
                }
            }
            return Columns.FromValues(ArrowType.Int64, sums, seen);
        }
        if (type is ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64)
        {
            var values = input.Data.GetValues<ulong>();
            var plain = type == ArrowTypeId.UInt64 ? values.ToArray() : Array.ConvertAll(Columns.DoubleValues(input), d => (ulong)d);
            var sums = new ulong[groups];
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i))
                {
                    sums[ids[i]] = checked(sums[ids[i]] + plain[i]);
                    seen[ids[i]] = true;
                }
            }
            return Columns.FromValues(ArrowType.UInt64, sums, seen);
        }
        RequireNumeric("sum", input);
        var d = Columns.DoubleValues(input);
        var fsums = new double[groups];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!input.IsNull(i))
            {
                fsums[ids[i]] += d[i];
                seen[ids[i]] = true;
            }
        }
        return Columns.FromValues(ArrowType.Float64, fsums, seen);
    }

    private static void RequireNumeric(string name, ArrowArray input)
    {
        if (!Columns.IsNumeric(input.Type))
        {
            throw new QueryException($"{name} needs a numeric argument, found {input.Type}");
        }
    }

    private static ArrowArray Statistic(string name, ArrowArray input, int[] ids, int groups)
    {
        RequireNumeric(name, input);
        var d = Columns.DoubleValues(input);
        var result = new double[groups];
        var valid = new bool[groups];
        if (name == "median")
        {
            var lists = new List<double>[groups];
            for (var g = 0; g < groups; g++)
            {
                lists[g] = [];
            }
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i))
                {
                    lists[ids[i]].Add(d[i]);
                }
            }
            for (var g = 0; g < groups; g++)
            {
                var l = lists[g];
                if (l.Count == 0)
                {
                    continue;
                }
                l.Sort();
                valid[g] = true;
                result[g] = l.Count % 2 == 1 ? l[l.Count / 2] : (l[(l.Count / 2) - 1] + l[l.Count / 2]) / 2;
            }
            if (input.Type.Id is ArrowTypeId.Int32 or ArrowTypeId.Int64)
            {
                // DataFusion keeps the integer type: the mean of the middle two truncated toward zero (the values
                // here are small, so the doubles above are exact).
                return Columns.FromValues(ArrowType.Int64, result.Select(v => (long)Math.Truncate(v)).ToArray(), valid);
            }
            return Columns.FromValues(ArrowType.Float64, result, valid);
        }
        // Welford's running mean and squared deviations: stable for avg, variance and stddev alike.
        var count = new long[groups];
        var mean = new double[groups];
        var m2 = new double[groups];
        var sum = new double[groups];
        for (var i = 0; i < ids.Length; i++)
        {
            if (input.IsNull(i))
            {
                continue;
            }
            var g = ids[i];
            count[g]++;
            sum[g] += d[i];
            var delta = d[i] - mean[g];
            mean[g] += delta / count[g];
            m2[g] += delta * (d[i] - mean[g]);
        }
        for (var g = 0; g < groups; g++)
        {
            var n = count[g];
            switch (name)
            {
                case "avg" or "mean":
                    valid[g] = n > 0;
                    result[g] = n > 0 ? sum[g] / n : 0;
                    break;
                case "variance" or "var_samp" or "var":
                    valid[g] = n > 1;
                    result[g] = n > 1 ? m2[g] / (n - 1) : 0;
                    break;
                case "stddev" or "stddev_samp":
                    valid[g] = n > 1;
                    result[g] = n > 1 ? Math.Sqrt(m2[g] / (n - 1)) : 0;
                    break;
                case "var_pop":
                    valid[g] = n > 0;
                    result[g] = n > 0 ? m2[g] / n : 0;
                    break;
                case "stddev_pop":
                    valid[g] = n > 0;
                    result[g] = n > 0 ? Math.Sqrt(m2[g] / n) : 0;
                    break;
                default:
                    throw new QueryException($"unknown aggregate '{name}'");
            }
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    /// <summary>The row holding each group's extreme, then a take: the result keeps the input's type.</summary>
    private static ArrowArray MinMax(ArrowArray input, int[] ids, int groups, bool max)
    {
        var best = new int[groups];
        best.AsSpan().Fill(-1);
        var sign = max ? 1 : -1;
        var t = input.Type;
        if (Columns.IsString(t))
        {
            var s = Columns.StringValues(input);
            for (var i = 0; i < ids.Length; i++)
            {
                if (s[i] is not null && (best[ids[i]] < 0 || sign * string.CompareOrdinal(s[i], s[best[ids[i]]]) > 0))
                {
                    best[ids[i]] = i;
                }
            }
        }
        else if (t.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64 or ArrowTypeId.UInt64 or ArrowTypeId.UInt32 or ArrowTypeId.UInt16 or ArrowTypeId.UInt8)
        {
            var d = Columns.DoubleValues(input);
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i) && (best[ids[i]] < 0 || sign * CompareDouble(d[i], d[best[ids[i]]]) > 0))
                {
                    best[ids[i]] = i;
                }
            }
        }
        else if ((t.Id is ArrowTypeId.Int64 or ArrowTypeId.Timestamp) && input.NullCount == 0)
        {
            // The common field column: read in place, no copy, no null checks.
            var l = input.Data.GetValues<long>();
            for (var i = 0; i < ids.Length; i++)
            {
                ref var b = ref best[ids[i]];
                if (b < 0 || sign * l[i].CompareTo(l[b]) > 0)
                {
                    b = i;
                }
            }
        }
        else if (t.IsSignedInteger || t.Id == ArrowTypeId.Timestamp)
        {
            var l = Columns.Int64Values(input);
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i) && (best[ids[i]] < 0 || sign * l[i].CompareTo(l[best[ids[i]]]) > 0))
                {
                    best[ids[i]] = i;
                }
            }
        }
        else if (t.Id == ArrowTypeId.Boolean)
        {
            var b = (BooleanArray)input;
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i) && (best[ids[i]] < 0 || sign * b.GetValue(i).CompareTo(b.GetValue(best[ids[i]])) > 0))
                {
                    best[ids[i]] = i;
                }
            }
        }
        else
        {
            throw new QueryException($"min/max of {t} is not supported");
        }
        return Selection.Take(Columns.Plain(input), best);
    }

    private static int CompareDouble(double a, double b) =>
        double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b);

    /// <summary>
    /// first_value/last_value(x ORDER BY keys): the value (NULL included) of each group's first or last row in that
    /// order; rows that tie keep their input order.
    /// </summary>
    public static ArrowArray FirstLast(ArrowArray input, IReadOnlyList<(ArrowArray, bool, bool)> order, bool last, int[] ids, int groups) =>
        Selection.Take(Columns.Plain(input), FirstLastRows(order, last, ids, groups));

    /// <summary>Each group's row for first_value/last_value: first or last in the stable sort by <paramref name="order"/>.</summary>
    public static int[] FirstLastRows(IReadOnlyList<(ArrowArray, bool, bool)> order, bool last, int[] ids, int groups)
    {
        var sorted = order.Count == 0 ? [.. Enumerable.Range(0, ids.Length)] : Sorting.SortIndices(order);
        var pick = new int[groups];
        pick.AsSpan().Fill(-1);
        foreach (var row in sorted)
        {
            if (last || pick[ids[row]] < 0)
            {
                pick[ids[row]] = row;
            }
        }
        return pick;
    }

    /// <summary>approx_percentile_cont, computed exactly: linear interpolation between the neighbouring order statistics.</summary>
    public static ArrowArray Percentile(ArrowArray input, double p, int[] ids, int groups)
    {
        RequireNumeric("approx_percentile_cont", input);
        var d = Columns.DoubleValues(input);
        var lists = new List<double>[groups];
        for (var g = 0; g < groups; g++)
        {
            lists[g] = [];
        }
        for (var i = 0; i < ids.Length; i++)
        {
            if (!input.IsNull(i) && !double.IsNaN(d[i]))
            {
                lists[ids[i]].Add(d[i]);
            }
        }
        var result = new double[groups];
        var valid = new bool[groups];
        for (var g = 0; g < groups; g++)
        {
            var l = lists[g];
            if (l.Count == 0)
            {
                continue;
            }
            l.Sort();
            var rank = p * (l.Count - 1);
            var lo = (int)Math.Floor(rank);
            var hi = Math.Min(lo + 1, l.Count - 1);
            result[g] = l[lo] + ((rank - lo) * (l[hi] - l[lo]));
            valid[g] = true;
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    /// <summary>
    /// selector_first/last (earliest/latest time) and selector_min/max (smallest/largest value): the chosen row's
    /// value or time. Rows whose value is NULL are skipped, as IOx's selectors do; ties keep the earlier row in input
    /// order for first/min and the later one for last/max.
    /// </summary>
    public static ArrowArray Selector(string name, ArrowArray value, ArrowArray time, bool wantTime, int[] ids, int groups)
    {
        var byTime = name is "selector_first" or "selector_last";
        var last = name is "selector_last" or "selector_max";
        var key = byTime ? time : Columns.Plain(value);
        var sorted = Sorting.SortIndices([(key, false, false)]);
        var doubles = key.Type.Id is ArrowTypeId.Float64 ? Columns.DoubleValues(key) : null;
        var pick = new int[groups];
        pick.AsSpan().Fill(-1);
        foreach (var row in sorted)
        {
            if (value.IsNull(row) || key.IsNull(row) || (doubles is not null && double.IsNaN(doubles[row])))
            {
                continue;
            }
            if (last || pick[ids[row]] < 0)
            {
                pick[ids[row]] = row;
            }
        }
        return Selection.Take(Columns.Plain(wantTime ? time : value), pick);
    }
}
