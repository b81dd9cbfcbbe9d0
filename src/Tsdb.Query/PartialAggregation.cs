using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// GROUP BY in two phases, so the scanned rows are never gathered into one batch: each filtered scan batch is
/// grouped on its own (<see cref="Partial"/>, several batches at once on a multi-core machine) into one row per group holding the key values and a partial state per
/// aggregate (count; sum; min; max; avg as a sum and a count), and <see cref="Finish"/> groups those few rows again
/// and combines the states. Only aggregates whose states combine exactly like this take this path (see
/// <see cref="Supports"/>); the others (DISTINCT, FILTER, medians, percentiles, first/last, selectors, variance) still
/// see every row at once.
/// </summary>
internal sealed class PartialAggregation
{
    private readonly List<Expression> _groupKeys;
    private readonly List<(string Key, FunctionCall Call, string? Field)> _aggregates = [];
    private readonly Expression? _having;
    private readonly QueryText _text;
    private readonly long _now;
    private readonly List<ArrowArray[]> _partials = [];

    public PartialAggregation(List<Expression> groupKeys, IEnumerable<Expression> aggregates, Expression? having, QueryText text, long now)
    {
        _groupKeys = groupKeys;
        _having = having;
        _text = text;
        _now = now;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var aggregate in aggregates)
        {
            var key = SqlPrinter.Print(aggregate);
            if (seen.Add(key))
            {
                _aggregates.Add(aggregate is FieldAccessExpression { Operand: FunctionCall selector } access
                    ? (key, selector, access.Field)
                    : (key, (FunctionCall)aggregate, null));
            }
        }
    }

    private static readonly HashSet<string> Statistics = ["variance", "var_samp", "var", "var_pop", "stddev", "stddev_samp", "stddev_pop"];

    /// <summary>
    /// Aggregates whose per-batch states combine into the answer: count, sum, min, max, avg, the variance/stddev
    /// family (count, mean and squared deviations, merged pairwise), first_value/last_value (the winning row's value and
    /// order keys) and the selectors (the winning row's value and time). Not DISTINCT, FILTER, median or percentiles.
    /// </summary>
    public static bool Supports(Expression aggregate) => aggregate switch
    {
        FieldAccessExpression { Operand: FunctionCall { Distinct: false, Filter: null, Arguments.Count: 2 } selector } => Evaluator.IsSelector(selector),
        FunctionCall { Distinct: false, Filter: null, Name.Value: "first_value" or "last_value", Arguments.Count: 1 } => true,
        FunctionCall { Distinct: false, Filter: null, OrderBy.Count: 0 } call =>
            (call.Star ? call.Name.Value == "count" : call.Arguments.Count == 1)
            && (call.Name.Value is "count" or "sum" or "min" or "max" or "avg" or "mean" || Statistics.Contains(call.Name.Value)),
        _ => false,
    };

    /// <summary>Keeps partial states from <see cref="Partial"/>; called in scan order, so groups keep their order of first appearance.</summary>
    public void Add(ArrowArray[]? partial)
    {
        if (partial is not null)
        {
            _partials.Add(partial);
        }
    }

    /// <summary>One batch's groups and partial states (null for no rows). Safe to call for several batches at once.</summary>
    public ArrowArray[]? Partial(RecordBatch batch)
    {
        if (batch.Length == 0)
        {
            return null;
        }
        var rows = new Evaluator(_text, _now) { Batch = batch, Length = batch.Length };
        var keys = _groupKeys.Select(g => rows.Materialize(rows.Eval(g))).ToArray();
        var (ids, groups) = Group(keys, batch.Length);
        var columns = new List<ArrowArray>(keys.Length + (_aggregates.Count * 2));
        var firstRows = FirstRows(ids, groups);
        columns.AddRange(keys.Select(k => Selection.Take(k, firstRows)));
        foreach (var (_, call, field) in _aggregates)
        {
            var argument = call.Star ? null : rows.Materialize(rows.Eval(call.Arguments[0]));
            Guarded(call, () =>
            {
                switch (call.Name.Value)
                {
                    case "avg" or "mean":
                        var (sums, counts) = AverageState(argument!, ids, groups);
                        columns.Add(sums);
                        columns.Add(counts);
                        break;
                    case var name when field is not null:
                        // The winning row's value and time; the final pass picks among the winners the same way.
                        var time = rows.Materialize(rows.Eval(call.Arguments[1]));
                        columns.Add(Aggregates.Selector(name, argument!, time, false, ids, groups));
                        columns.Add(Aggregates.Selector(name, argument!, time, true, ids, groups));
                        break;
                    case "first_value" or "last_value":
                        // The winning row's value and ORDER BY keys.
                        var order = call.OrderBy.Select(o => (rows.Materialize(rows.Eval(o.Expression)), o.Descending, o.NullsFirst ?? o.Descending)).ToList();
                        var pick = Aggregates.FirstLastRows([.. order], call.Name.Value == "last_value", ids, groups);
                        columns.Add(Selection.Take(Columns.Plain(argument!), pick));
                        columns.AddRange(order.Select(o => Selection.Take(o.Item1, pick)));
                        break;
                    case var name when Statistics.Contains(name):
                        columns.AddRange(VarianceState(name, argument!, ids, groups));
                        break;
                    default:
                        columns.Add(Aggregates.Compute(call.Name.Value, argument, false, ids, groups));
                        break;
                }
            });
        }
        var partial = columns.ToArray();
        _text.Budget.Charge(new RecordBatch(new Schema(partial.Select((c, i) => new Field("p" + i, c.Type))), partial, groups));
        return partial;
    }

    /// <summary>The groups (after HAVING) as the evaluator the select list is computed on; null when no row was added.</summary>
    public Evaluator? Finish()
    {
        if (_partials.Count == 0)
        {
            return null;
        }
        var width = _partials[0].Length;
        var merged = new ArrowArray[width];
        for (var c = 0; c < width; c++)
        {
            merged[c] = _partials.Count == 1 ? _partials[0][c] : ArrowArray.Create(ArrayConcatenation.Concatenate([.. _partials.Select(p => p[c].Data)]));
        }
        var keys = merged[.._groupKeys.Count];
        var (ids, groups) = Group(keys, merged[0].Length);
        var firstRows = FirstRows(ids, groups);
        var substitutions = new Dictionary<string, ArrowArray>(StringComparer.Ordinal);
        QueryEngine.AddGroupKeys(substitutions, _groupKeys, [.. keys.Select(k => Selection.Take(k, firstRows))]);
        var at = _groupKeys.Count;
        foreach (var (key, call, field) in _aggregates)
        {
            Guarded(call, () =>
            {
                switch (call.Name.Value)
                {
                    case "avg" or "mean":
                        substitutions[key] = Average(merged[at], merged[at + 1], ids, groups);
                        at += 2;
                        break;
                    case var name when field is not null:
                        substitutions[key] = Aggregates.Selector(name, merged[at], merged[at + 1], field == "time", ids, groups);
                        at += 2;
                        break;
                    case "first_value" or "last_value":
                        var order = call.OrderBy.Select((o, i) => (merged[at + 1 + i], o.Descending, o.NullsFirst ?? o.Descending)).ToList();
                        substitutions[key] = Aggregates.FirstLast(merged[at], [.. order], call.Name.Value == "last_value", ids, groups);
                        at += 1 + order.Count;
                        break;
                    case var name when Statistics.Contains(name):
                        substitutions[key] = Variance(name, merged[at], merged[at + 1], merged[at + 2], ids, groups);
                        at += 3;
                        break;
                    case "count" or "sum":
                        // Counts add up; so do sums (a group whose partial sums are all null stays null).
                        substitutions[key] = Aggregates.Compute("sum", merged[at++], false, ids, groups);
                        break;
                    default:
                        substitutions[key] = Aggregates.Compute(call.Name.Value, merged[at++], false, ids, groups);
                        break;
                }
            });
        }
        return QueryEngine.Having(_having, substitutions, groups, _text, _now);
    }

    private static (int[] Ids, int Groups) Group(ArrowArray[] keys, int length)
    {
        if (keys.Length == 0)
        {
            return (new int[length], 1);   // no GROUP BY: one group
        }
        var ids = Hashing.GroupIds(keys, out var groups);
        return (ids, groups);
    }

    /// <summary>Each group's first row.</summary>
    internal static int[] FirstRows(int[] ids, int groups)
    {
        var first = new int[groups];
        first.AsSpan().Fill(-1);
        for (var i = ids.Length - 1; i >= 0; i--)
        {
            first[ids[i]] = i;
        }
        return first;
    }

    private void Guarded(FunctionCall call, Action compute)
    {
        try
        {
            compute();
        }
        catch (QueryException ex) when (ex.Line is null)
        {
            throw _text.Error(call.Span, ex.Detail);
        }
        catch (OverflowException)
        {
            throw _text.Error(call.Span, "integer overflow");
        }
    }

    /// <summary>avg's state per group: the sum of the non-null values as a double, and their count.</summary>
    private static (ArrowArray Sums, ArrowArray Counts) AverageState(ArrowArray input, int[] ids, int groups)
    {
        if (!Columns.IsNumeric(input.Type))
        {
            throw new QueryException($"avg needs a numeric argument, found {input.Type}");
        }
        var sums = new double[groups];
        var counts = new long[groups];
        if (input.Type.Id == ArrowTypeId.Int64 && input.NullCount == 0)
        {
            var longs = input.Data.GetValues<long>();   // read in place: the usual integer field
            for (var i = 0; i < ids.Length; i++)
            {
                sums[ids[i]] += longs[i];
                counts[ids[i]]++;
            }
        }
        else
        {
            var values = Columns.DoubleValues(input);
            for (var i = 0; i < ids.Length; i++)
            {
                if (!input.IsNull(i))
                {
                    sums[ids[i]] += values[i];
                    counts[ids[i]]++;
                }
            }
        }
        return (Columns.FromValues(ArrowType.Float64, sums, null), Columns.FromValues(ArrowType.Int64, counts, null));
    }

    /// <summary>Welford's state per group: the count of non-null values, their mean and the sum of squared deviations.</summary>
    private static ArrowArray[] VarianceState(string name, ArrowArray input, int[] ids, int groups)
    {
        if (!Columns.IsNumeric(input.Type))
        {
            throw new QueryException($"{name} needs a numeric argument, found {input.Type}");
        }
        var values = Columns.DoubleValues(input);
        var count = new long[groups];
        var mean = new double[groups];
        var m2 = new double[groups];
        for (var i = 0; i < ids.Length; i++)
        {
            if (input.IsNull(i))
            {
                continue;
            }
            var g = ids[i];
            count[g]++;
            var delta = values[i] - mean[g];
            mean[g] += delta / count[g];
            m2[g] += delta * (values[i] - mean[g]);
        }
        return [Columns.FromValues(ArrowType.Int64, count, null), Columns.FromValues(ArrowType.Float64, mean, null), Columns.FromValues(ArrowType.Float64, m2, null)];
    }

    /// <summary>Partial Welford states merged pairwise (Chan et al.), then the statistic as the all-rows path computes it.</summary>
    private static ArrowArray Variance(string name, ArrowArray counts, ArrowArray means, ArrowArray m2s, int[] ids, int groups)
    {
        var pc = Columns.Int64Values(counts);
        var pm = Columns.DoubleValues(means);
        var pq = Columns.DoubleValues(m2s);
        var n = new long[groups];
        var mean = new double[groups];
        var m2 = new double[groups];
        for (var i = 0; i < ids.Length; i++)
        {
            if (pc[i] == 0)
            {
                continue;
            }
            var g = ids[i];
            var total = n[g] + pc[i];
            var delta = pm[i] - mean[g];
            mean[g] += delta * pc[i] / total;
            m2[g] += pq[i] + (delta * delta * n[g] * pc[i] / total);
            n[g] = total;
        }
        var result = new double[groups];
        var valid = new bool[groups];
        var population = name is "var_pop" or "stddev_pop";
        var root = name.StartsWith("stddev", StringComparison.Ordinal);
        for (var g = 0; g < groups; g++)
        {
            var divisor = population ? n[g] : n[g] - 1;
            valid[g] = divisor > 0;
            var variance = divisor > 0 ? m2[g] / divisor : 0;
            result[g] = root ? Math.Sqrt(variance) : variance;
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    private static ArrowArray Average(ArrowArray sums, ArrowArray counts, int[] ids, int groups)
    {
        var s = Columns.DoubleValues(sums);
        var n = Columns.Int64Values(counts);
        var total = new double[groups];
        var count = new long[groups];
        for (var i = 0; i < ids.Length; i++)
        {
            total[ids[i]] += s[i];
            count[ids[i]] += n[i];
        }
        var valid = new bool[groups];
        for (var g = 0; g < groups; g++)
        {
            valid[g] = count[g] > 0;
            total[g] = count[g] > 0 ? total[g] / count[g] : 0;
        }
        return Columns.FromValues(ArrowType.Float64, total, valid);
    }
}
