using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Query.Aggregation;

namespace Tsdb.Query.Tests;

/// <summary>
/// Every aggregate's accumulator against today's engine (<see cref="Aggregates"/> over all rows at once, which the
/// plan-based engine must answer exactly like): batches with random groups, NULLs and ties; the same rows split into
/// partitions whose accumulators are merged; FILTER; groups without rows; no rows at all.
/// </summary>
public sealed class AggregationTests
{
    /// <summary>One aggregate call: the function, its argument kinds (see <see cref="AggregationTestData"/>) and options.</summary>
    private sealed record Call(string Name, string[] Kinds, AggregateCallOptions Options, bool Approximate = false);

    private static readonly Dictionary<string, Call> Calls = BuildCalls();

    private static Dictionary<string, Call> BuildCalls()
    {
        var calls = new Dictionary<string, Call>(StringComparer.Ordinal);
        var none = AggregateCallOptions.None;
        void Add(string id, Call call) => calls.Add(id, call);
        Add("count(*)", new("count", [], none));
        foreach (var kind in (string[])["int64", "float64", "utf8", "tag", "bool", "time"])
        {
            Add($"count({kind})", new("count", [kind], none));
        }
        foreach (var kind in (string[])["int64", "int32", "uint64", "float64", "float32", "utf8", "tag", "bool", "time"])
        {
            Add($"count(DISTINCT {kind})", new("count", [kind], none with { Distinct = true }));
            Add($"min({kind})", new("min", [kind], none));
            Add($"max({kind})", new("max", [kind], none));
        }
        foreach (var kind in (string[])["int64", "int32", "uint64", "float64", "float32"])
        {
            // Float sums add in another order once partitions merge.
            Add($"sum({kind})", new("sum", [kind], none, Approximate: kind.StartsWith("float", StringComparison.Ordinal)));
        }
        foreach (var name in (string[])["avg", "mean", "variance", "var_samp", "var", "var_pop", "stddev", "stddev_samp", "stddev_pop"])
        {
            Add($"{name}(float64)", new(name, ["float64-no-nan"], none, Approximate: true));
            Add($"{name}(int64)", new(name, ["int64"], none, Approximate: true));
        }
        Add("median(float64)", new("median", ["float64"], none));
        Add("median(int32)", new("median", ["int32"], none));
        foreach (var p in (double[])[0, 0.1, 0.25, 0.5, 0.9, 1])
        {
            Add($"approx_percentile_cont(float64, {p})", new("approx_percentile_cont", ["float64"], none with { Parameter = p }));
        }
        Add("approx_percentile_cont(int64, 0.75)", new("approx_percentile_cont", ["int64"], none with { Parameter = 0.75 }));
        foreach (var name in (string[])["first_value", "last_value"])
        {
            Add($"{name}(int64)", new(name, ["int64"], none));
            Add($"{name}(tag ORDER BY time)", new(name, ["tag", "time"], none with { OrderBy = [(false, false)] }));
            Add($"{name}(float64 ORDER BY int64 DESC)", new(name, ["float64", "int64"], none with { OrderBy = [(true, true)] }));
            Add($"{name}(utf8 ORDER BY bool, float64 DESC NULLS LAST)", new(name, ["utf8", "bool", "float64"], none with { OrderBy = [(false, false), (true, false)] }));
            Add($"{name}(time ORDER BY tag NULLS FIRST, utf8 DESC)", new(name, ["time", "tag", "utf8"], none with { OrderBy = [(false, true), (true, true)] }));
        }
        foreach (var name in (string[])["selector_first", "selector_last", "selector_min", "selector_max"])
        {
            foreach (var kind in (string[])["float64", "int64", "utf8", "tag", "bool", "float32"])
            {
                foreach (var member in (string[])["value", "time"])
                {
                    Add($"{name}({kind}, time)['{member}']", new(name, [kind, "time"], none with { Parameter = member }));
                }
            }
        }
        return calls;
    }

    public static TheoryData<string> CallIds() => [.. Calls.Keys];

    /// <summary>One batch's argument arrays and group ids (groups numbered in order of first appearance, as a hash table would).</summary>
    private sealed record Batch(ArrowArray[] Arguments, int[] Ids, int GroupCount, BooleanArray? Filter);

    private static List<Batch> Batches(Call call, Random random, bool filter, int count = 6, int maxGroups = 9)
    {
        var batches = new List<Batch>();
        var numbering = new Dictionary<int, int>();
        for (var b = 0; b < count; b++)
        {
            var length = b == 2 ? 0 : random.Next(1, 120);   // one empty batch
            var arguments = call.Kinds.Select(k => AggregationTestData.Column(random, k, length)).ToArray();
            var ids = new int[length];
            for (var i = 0; i < length; i++)
            {
                var raw = random.Next(maxGroups);
                if (!numbering.TryGetValue(raw, out var id))
                {
                    numbering[raw] = id = numbering.Count;
                }
                ids[i] = id;
            }
            batches.Add(new Batch(arguments, ids, numbering.Count, filter ? AggregationTestData.Filter(random, length) : null));
        }
        return batches;
    }

    private static IGroupsAccumulator Create(Call call)
    {
        Assert.True(AggregateFunctions.TryGet(call.Name, out var function));
        var types = call.Kinds.Select(k => AggregationTestData.Column(new Random(0), k, 1).Type).ToArray();
        return function.Create(types, call.Options);
    }

    private static ArrowArray Run(Call call, IEnumerable<Batch> batches, int groupCount)
    {
        var accumulator = Create(call);
        foreach (var batch in batches)
        {
            accumulator.Update(batch.Arguments, batch.Ids, batch.GroupCount, batch.Filter);
        }
        accumulator.Update(call.Kinds.Select(k => AggregationTestData.Column(new Random(0), k, 0)).ToArray(), [], groupCount, null);
        var result = accumulator.Evaluate();
        Assert.Equal(groupCount, result.Length);
        return result;
    }

    /// <summary>Today's engine over all rows at once (FILTER applied first, as QueryEngine.Aggregate does).</summary>
    private static ArrowArray Reference(Call call, IReadOnlyList<Batch> batches, int groupCount)
    {
        var arguments = new ArrowArray[call.Kinds.Length];
        var ids = new List<int>();
        var parts = call.Kinds.Select(_ => new List<ArrowArray>()).ToArray();
        foreach (var batch in batches)
        {
            var rows = batch.Filter is null
                ? Enumerable.Range(0, batch.Ids.Length).ToArray()
                : Enumerable.Range(0, batch.Ids.Length).Where(i => batch.Filter.Get(i) == true).ToArray();
            ids.AddRange(rows.Select(i => batch.Ids[i]));
            for (var a = 0; a < arguments.Length; a++)
            {
                parts[a].Add(Selection.Take(batch.Arguments[a], rows));
            }
        }
        for (var a = 0; a < arguments.Length; a++)
        {
            arguments[a] = parts[a].Count == 0
                ? Columns.Plain(AggregationTestData.Column(new Random(0), call.Kinds[a], 0))
                : AggregationTestData.Concatenate(parts[a]);
        }
        var idArray = ids.ToArray();
        var options = call.Options;
        return call.Name switch
        {
            "count" when arguments.Length == 0 => Aggregates.Compute("count", null, false, idArray, groupCount),
            "approx_percentile_cont" => Aggregates.Percentile(arguments[0], (double)options.Parameter!, idArray, groupCount),
            "first_value" or "last_value" => Aggregates.FirstLast(
                arguments[0],
                [.. options.OrderBy.Select((o, k) => (arguments[k + 1], o.Descending, o.NullsFirst))],
                call.Name == "last_value",
                idArray,
                groupCount),
            _ when call.Name.StartsWith("selector_", StringComparison.Ordinal) =>
                Aggregates.Selector(call.Name, arguments[0], arguments[1], (string)options.Parameter! == "time", idArray, groupCount),
            _ => Aggregates.Compute(call.Name, arguments[0], options.Distinct, idArray, groupCount),
        };
    }

    internal static void AssertSameValues(ArrowArray expected, ArrowArray actual, bool approximate, string context)
    {
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected.GetObject(i);
            var a = actual.GetObject(i);
            if (e is double de && a is double da)
            {
                var same = de.Equals(da)
                    || (approximate && Math.Abs(de - da) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(de), Math.Abs(da))));
                Assert.True(same, $"{context}: group {i} expected {de:R}, got {da:R}");
            }
            else
            {
                Assert.True(Equals(e, a), $"{context}: group {i} expected {e ?? "NULL"}, got {a ?? "NULL"}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CallIds))]
    public void Update_over_batches_answers_as_todays_engine(string id)
    {
        var call = Calls[id];
        for (var seed = 0; seed < 5; seed++)
        {
            var batches = Batches(call, new Random(seed), filter: false);
            var groups = batches[^1].GroupCount;
            // Adding in row order as the reference does: even float sums agree to the bit.
            AssertSameValues(Reference(call, batches, groups), Run(call, batches, groups), approximate: call.Name is not ("sum" or "median" or "approx_percentile_cont") && call.Approximate, $"{id} seed {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(CallIds))]
    public void Filter_skips_rows_that_are_false_or_null(string id)
    {
        var call = Calls[id];
        for (var seed = 10; seed < 15; seed++)
        {
            var batches = Batches(call, new Random(seed), filter: true);
            var groups = batches[^1].GroupCount;
            AssertSameValues(Reference(call, batches, groups), Run(call, batches, groups), call.Approximate, $"{id} seed {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(CallIds))]
    public void Groups_without_rows_and_no_rows_at_all(string id)
    {
        var call = Calls[id];
        var batches = Batches(call, new Random(3), filter: true);
        var groups = batches[^1].GroupCount + 4;   // four groups no row reaches
        var result = Run(call, batches, groups);
        AssertSameValues(Reference(call, batches, groups), result, call.Approximate, id);
        for (var g = groups - 4; g < groups; g++)
        {
            Assert.Equal(call.Name == "count" ? 0L : null, result.GetObject(g));
        }

        // No rows at all, one group (an aggregate without GROUP BY over an empty table).
        var empty = Run(call, [], 1);
        AssertSameValues(Reference(call, [], 1), empty, false, id + " without rows");
        Assert.Equal(call.Name == "count" ? 0L : null, empty.GetObject(0));
    }

    /// <summary>
    /// The property partial aggregation relies on: the rows split into consecutive partitions, each aggregated into
    /// its own group numbering, then merged in order, answer as one accumulator over all rows (and as today's engine).
    /// </summary>
    [Theory]
    [MemberData(nameof(CallIds))]
    public void Merge_of_partitions_answers_as_one_accumulator(string id)
    {
        var call = Calls[id];
        for (var seed = 20; seed < 25; seed++)
        {
            var random = new Random(seed);
            var batches = Batches(call, random, filter: seed % 2 == 0, count: 8);
            var groups = batches[^1].GroupCount;
            var whole = Run(call, batches, groups);

            // Cut the batches into 1–4 consecutive partitions, each with its own local group ids.
            var cuts = new SortedSet<int> { 0, batches.Count };
            for (var c = random.Next(4); c > 0; c--)
            {
                cuts.Add(random.Next(1, batches.Count));
            }
            var bounds = cuts.ToArray();
            var merged = Create(call);
            if (seed % 3 == 0)
            {
                merged.Update(call.Kinds.Select(k => AggregationTestData.Column(random, k, 0)).ToArray(), [], 0, null);
            }
            for (var p = 0; p + 1 < bounds.Length; p++)
            {
                var local = new Dictionary<int, int>();
                var partition = Create(call);
                for (var b = bounds[p]; b < bounds[p + 1]; b++)
                {
                    var batch = batches[b];
                    var ids = batch.Ids.Select(g => local.TryGetValue(g, out var l) ? l : local[g] = local.Count).ToArray();
                    partition.Update(batch.Arguments, ids, local.Count, batch.Filter);
                }
                var mapping = new int[local.Count];
                foreach (var (global, l) in local)
                {
                    mapping[l] = global;
                }
                merged.Merge(partition, mapping, groups);
            }
            var result = merged.Evaluate();
            AssertSameValues(whole, result, call.Approximate, $"{id} seed {seed}: merged against one accumulator");
            AssertSameValues(Reference(call, batches, groups), result, call.Approximate, $"{id} seed {seed}: merged against today's engine");
        }
    }

    [Theory]
    [MemberData(nameof(CallIds))]
    public void Return_type_is_the_type_evaluate_returns(string id)
    {
        var call = Calls[id];
        Assert.True(AggregateFunctions.TryGet(call.Name, out var function));
        var types = call.Kinds.Select(k => AggregationTestData.Column(new Random(0), k, 1).Type).ToArray();
        var batches = Batches(call, new Random(1), filter: false);
        Assert.Equal(function.ReturnType(types, call.Options), Run(call, batches, batches[^1].GroupCount).Type);
        Assert.True(Create(call).MemoryBytes >= 0);
    }

    [Fact]
    public void Memory_grows_with_the_state()
    {
        var call = Calls["count(DISTINCT utf8)"];
        var accumulator = Create(call);
        var before = accumulator.MemoryBytes;
        var random = new Random(5);
        foreach (var batch in Batches(call, random, filter: false, count: 4, maxGroups: 500))
        {
            accumulator.Update(batch.Arguments, batch.Ids, batch.GroupCount, null);
        }
        Assert.True(accumulator.MemoryBytes > before + 1000, $"{accumulator.MemoryBytes} bytes");
    }
}
