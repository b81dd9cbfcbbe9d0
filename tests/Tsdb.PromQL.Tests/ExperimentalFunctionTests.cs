using Tsdb.PromQL.Engine;

namespace Tsdb.PromQL.Tests;

/// <summary>The functions and aggregations behind <see cref="PromQLEngineOptions.EnableExperimentalFunctions"/>: the switch, then each one's edge cases.</summary>
public sealed class ExperimentalFunctionTests
{
    private const long Minute = 60_000;

    private static readonly PromQLEngineOptions On = new() { EnableExperimentalFunctions = true };

    private static MemorySeriesSource Series(string name, int count, Func<int, double>? value = null)
    {
        var source = new MemorySeriesSource();
        for (var i = 0; i < count; i++)
        {
            source.Add(Labels.From(("__name__", name), ("instance", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), 0, value?.Invoke(i) ?? i);
        }
        return source;
    }

    private static async Task<PromQLResult> InstantAsync(ISeriesSource source, string query, long t = 0) =>
        await new PromQLEngine(source, On).InstantQueryAsync(query, t, CancellationToken.None);

    private static async Task<IReadOnlyList<VectorSample>> VectorAsync(ISeriesSource source, string query, long t = 0) =>
        Assert.IsType<VectorValue>((await InstantAsync(source, query, t)).Value).Samples;

    private static async Task<double> ScalarAsync(string query, long t = 0) =>
        Assert.IsType<ScalarValue>((await InstantAsync(new MemorySeriesSource(), query, t)).Value).Value;

    [Fact]
    public void The_switch_is_off_by_default_as_in_Prometheus() => Assert.False(new PromQLEngineOptions().EnableExperimentalFunctions);

    [Theory]
    [InlineData("sort_by_label(x, \"a\")", "1:1: parse error: function \"sort_by_label\" is not enabled")]
    [InlineData("sum(mad_over_time(x[5m]))", "1:5: parse error: function \"mad_over_time\" is not enabled")]
    [InlineData("1 + start()", "1:5: parse error: function \"start\" is not enabled")]
    [InlineData("step()", "1:1: parse error: function \"step\" is not enabled")]
    [InlineData("limitk(1, x)", "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions")]
    [InlineData("count(limit_ratio(0.5, x))", "1:7: parse error: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions")]
    public async Task Experimental_functions_are_refused_when_off_with_Prometheus_wording(string query, string message)
    {
        var error = await Assert.ThrowsAsync<PromQLException>(() => new PromQLEngine(new MemorySeriesSource()).InstantQueryAsync(query, 0, CancellationToken.None));
        Assert.Equal(message, error.Message);
        Assert.Equal(PromQLErrorType.BadData, error.ErrorType);
        Assert.Throws<PromQLException>(() => PromQLEngine.Validate(query));
        PromQLEngine.Validate(query, experimentalFunctions: true);
    }

    [Theory]
    [InlineData("histogram_quantiles(x, \"q\")", "1:1: parse error: expected at least 3 argument(s) in call to \"histogram_quantiles\", got 2")]
    [InlineData("histogram_quantiles(x, \"q\", 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1)", "1:1: parse error: expected at most 12 argument(s) in call to \"histogram_quantiles\", got 13")]
    [InlineData("min_of(1)", "1:1: parse error: expected 2 argument(s) in call to \"min_of\", got 1")]
    [InlineData("sort_by_label(x, 1)", "1:18: parse error: expected type string in call to function \"sort_by_label\", got scalar")]
    [InlineData("double_exponential_smoothing(x, 0.5, 0.5)", "1:30: parse error: expected type range vector in call to function \"double_exponential_smoothing\", got instant vector")]
    [InlineData("info(x)", "1:1: parse error: function \"info\" is experimental and not supported by this engine")]
    public void Experimental_signatures_are_checked_when_on(string query, string message) =>
        Assert.Equal(message, Assert.Throws<PromQLException>(() => PromQLEngine.Validate(query, experimentalFunctions: true)).Message);

    [Fact]
    public async Task Start_and_end_stay_keywords_of_the_at_modifier_and_metric_names_when_off()
    {
        var source = new MemorySeriesSource();
        source.Add(Labels.From(("__name__", "start")), 0, 1);
        source.Add(Labels.From(("__name__", "x")), 0, 2);
        var engine = new PromQLEngine(source);
        Assert.Equal(1, Assert.Single(Assert.IsType<VectorValue>((await engine.InstantQueryAsync("start", 0, CancellationToken.None)).Value).Samples).Value);
        var at = Assert.IsType<MatrixValue>((await engine.RangeQueryAsync("x @ end()", 0, Minute, Minute, CancellationToken.None)).Value);
        Assert.Equal([2.0, 2.0], Assert.Single(at.Series).Points.Select(p => p.Value));
    }

    [Fact]
    public async Task Query_parameters_are_the_queries_own_at_every_step_and_in_subqueries()
    {
        var engine = new PromQLEngine(new MemorySeriesSource(), On);
        var range = Assert.IsType<MatrixValue>((await engine.RangeQueryAsync("start() + 1000 * end() + 1000000 * step() + 1000000000 * range()", 60_000, 180_000, 30_000, CancellationToken.None)).Value);
        var expected = 60 + (1000 * 180) + (1_000_000 * 30) + (1_000_000_000.0 * 120);
        Assert.All(Assert.Single(range.Series).Points, p => Assert.Equal(expected, p.Value));
        Assert.Equal(5, Assert.Single(range.Series).Points.Count);
        // Inside a subquery the inner steps still see the outer query's start and step.
        var sub = Assert.IsType<MatrixValue>((await engine.RangeQueryAsync("max_over_time(vector(start() + step())[5m:1m])", 600_000, 660_000, 60_000, CancellationToken.None)).Value);
        Assert.All(Assert.Single(sub.Series).Points, p => Assert.Equal(660, p.Value));
        Assert.Equal(0, await ScalarAsync("step()", 90_000));
        Assert.Equal(0, await ScalarAsync("range()", 90_000));
        Assert.Equal(90, await ScalarAsync("start()", 90_000));
        Assert.Equal(90, await ScalarAsync("end()", 90_000));
    }

    [Theory]
    [InlineData("min_of(3, 5)", 3)]
    [InlineData("max_of(3, 5)", 5)]
    [InlineData("min_of(NaN, 5)", double.NaN)]
    [InlineData("max_of(5, NaN)", double.NaN)]
    // Go's math.Min/Max: the infinity on the winning side beats NaN.
    [InlineData("min_of(NaN, -Inf)", double.NegativeInfinity)]
    [InlineData("max_of(+Inf, NaN)", double.PositiveInfinity)]
    [InlineData("min_of(-Inf, Inf)", double.NegativeInfinity)]
    public async Task Min_of_and_max_of_follow_Go(string query, double expected) => Assert.Equal(expected, await ScalarAsync(query));

    [Fact]
    public async Task Limitk_keeps_the_first_k_series_of_each_group_whatever_their_values()
    {
        var source = new MemorySeriesSource();
        foreach (var (group, instance, value) in new[] { ("a", "1", 5.0), ("a", "2", 5.0), ("a", "3", double.NaN), ("b", "1", 1.0), ("b", "2", -1.0) })
        {
            source.Add(Labels.From(("__name__", "up"), ("group", group), ("instance", instance)), 0, value);
        }
        Assert.Empty(await VectorAsync(source, "limitk(0, up)"));
        Assert.Empty(await VectorAsync(source, "limitk(-3, up)"));
        Assert.Equal(5, (await VectorAsync(source, "limitk(100, up)")).Count);
        Assert.Equal(5, (await VectorAsync(source, "limitk(2.9, up) or limitk(10, up)")).Count);
        var byGroup = await VectorAsync(source, "limitk by (group) (1, up)");
        Assert.Equal(["a", "b"], byGroup.Select(s => s.Labels.Get("group")).Order());
        // The series are kept whole: name, labels and value.
        Assert.All(byGroup, s => Assert.Equal("up", s.Labels.Name));
        var two = await VectorAsync(source, "limitk without (instance) (2, up)");
        Assert.Equal(4, two.Count);
        var nan = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(source, "limitk(NaN, up)"));
        Assert.Equal("Parameter value is NaN", nan.Message);
        var huge = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(source, "limitk(1e19, up)"));
        Assert.Equal("Scalar value 10000000000000000000 overflows int64", huge.Message);
    }

    [Fact]
    public async Task Limitk_of_nothing_is_nothing_and_stale_series_are_not_counted()
    {
        var source = new MemorySeriesSource();
        source.Add(Labels.From(("__name__", "up"), ("instance", "gone")), 0, 1);
        source.Add(Labels.From(("__name__", "up"), ("instance", "gone")), Minute, StaleMarker.Value);
        source.Add(Labels.From(("__name__", "up"), ("instance", "here")), Minute, 1);
        Assert.Empty(await VectorAsync(source, "limitk(5, missing)", Minute));
        Assert.Equal("here", Assert.Single(await VectorAsync(source, "limitk(1, up)", Minute)).Labels.Get("instance"));
    }

    [Fact]
    public async Task Limit_ratio_and_its_complement_split_the_series_the_same_way_at_every_step()
    {
        var source = new MemorySeriesSource();
        for (var i = 0; i < 200; i++)
        {
            var labels = Labels.From(("__name__", "x"), ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            source.Add(labels, 0, i);
            source.Add(labels, Minute, i);
        }
        var engine = new PromQLEngine(source, On);
        async Task<HashSet<string>> Pick(string query, long t)
        {
            var result = Assert.IsType<VectorValue>((await engine.InstantQueryAsync(query, t, CancellationToken.None)).Value);
            return [.. result.Samples.Select(s => s.Labels.Get("i"))];
        }
        var third = await Pick("limit_ratio(0.3, x)", 0);
        var rest = await Pick("limit_ratio(-0.7, x)", 0);
        Assert.Empty(third.Intersect(rest));
        Assert.Equal(200, third.Count + rest.Count);
        // A hash, not luck: roughly the ratio, and the same series a step later.
        Assert.InRange(third.Count, 35, 85);
        Assert.True(third.SetEquals(await Pick("limit_ratio(0.3, x)", Minute)));
        // A larger ratio keeps a superset.
        Assert.True(third.IsSubsetOf(await Pick("limit_ratio(0.6, x)", 0)));
        Assert.Empty(await Pick("limit_ratio(0, x)", 0));
        Assert.Equal(200, (await Pick("limit_ratio(1, x)", 0)).Count);
        Assert.Equal(200, (await Pick("limit_ratio(-1, x)", 0)).Count);
    }

    [Fact]
    public async Task Limit_ratio_caps_with_a_warning_and_refuses_NaN()
    {
        var source = Series("x", 3);
        var capped = await InstantAsync(source, "limit_ratio(1.5, x)");
        Assert.Equal(3, Assert.IsType<VectorValue>(capped.Value).Samples.Count);
        Assert.Equal(["PromQL warning: ratio value should be between -1 and 1, got 1.5, capping to 1 (1:13)"], capped.Warnings);
        var negative = await InstantAsync(source, "limit_ratio(-2, x)");
        Assert.Equal(["PromQL warning: ratio value should be between -1 and 1, got -2, capping to -1 (1:13)"], negative.Warnings);
        var nan = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(source, "limit_ratio(NaN, x)"));
        Assert.Equal("Ratio value is NaN", nan.Message);
    }

    [Fact]
    public void Limit_ratio_hashes_labels_as_Prometheus_labels_Hash_does()
    {
        // xxHash64 of name 0xFF value 0xFF per label, in name order; an independent xxHash64 vector checks the layout:
        // XXH64("a\xffb\xff") computed by the reference implementation is the same whatever builds the buffer.
        var labels = Labels.From(("b", "2"), ("a", "1"));
        byte[] bytes = [(byte)'a', 0xFF, (byte)'1', 0xFF, (byte)'b', 0xFF, (byte)'2', 0xFF];
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(bytes), Evaluator.LabelsHash(labels));
        Assert.Equal(0xEF46DB3751D8E999UL, Evaluator.LabelsHash(Labels.Empty));
        Assert.True(Evaluator.InRatio(0.5, 0));
        Assert.False(Evaluator.InRatio(0.5, ulong.MaxValue));
        Assert.True(Evaluator.InRatio(-0.5, ulong.MaxValue));
        Assert.False(Evaluator.InRatio(-0.5, 0));
    }

    [Theory]
    [InlineData("cpu2", "cpu10", -1)]
    [InlineData("1.2.3", "1.11.3", -1)]
    [InlineData("4m600", "4m1000", -1)]
    [InlineData("4m5", "4m600", -1)]
    [InlineData("a", "ab", -1)]
    [InlineData("", "a", -1)]
    [InlineData("x01", "x1", -1)]
    [InlineData("x1", "x1", 0)]
    [InlineData("99999999999999999999999", "100000000000000000000000", -1)]
    [InlineData("b", "a10", 1)]
    public void Natural_order_compares_digit_runs_as_numbers(string a, string b, int sign)
    {
        Assert.Equal(sign, Math.Sign(NaturalOrder.Compare(a, b)));
        Assert.Equal(-sign, Math.Sign(NaturalOrder.Compare(b, a)));
    }

    [Fact]
    public async Task Sort_by_label_orders_naturally_then_by_all_labels_and_desc_reverses_both()
    {
        var source = new MemorySeriesSource();
        foreach (var (cpu, mode) in new[] { ("10", "user"), ("2", "user"), ("2", "idle"), ("1", "idle") })
        {
            source.Add(Labels.From(("__name__", "cpu_seconds"), ("cpu", cpu), ("mode", mode)), 0, double.NaN);
        }
        source.Add(Labels.From(("__name__", "cpu_seconds"), ("mode", "total")), 0, 1);
        string Key(VectorSample s) => s.Labels.Get("cpu") + "/" + s.Labels.Get("mode");
        var ascending = await VectorAsync(source, "sort_by_label(cpu_seconds, \"cpu\")");
        // No cpu label sorts as an empty value (first); equal cpus fall back to the whole label set.
        Assert.Equal(["/total", "1/idle", "2/idle", "2/user", "10/user"], ascending.Select(Key));
        var descending = await VectorAsync(source, "sort_by_label_desc(cpu_seconds, \"cpu\")");
        Assert.Equal(["10/user", "2/user", "2/idle", "1/idle", "/total"], descending.Select(Key));
        var byMode = await VectorAsync(source, "sort_by_label(cpu_seconds, \"mode\", \"cpu\")");
        Assert.Equal(["1/idle", "2/idle", "/total", "2/user", "10/user"], byMode.Select(Key));
        Assert.Empty(await VectorAsync(source, "sort_by_label(missing, \"cpu\")"));
        var range = await new PromQLEngine(source, On).RangeQueryAsync("sort_by_label_desc(cpu_seconds)", 0, Minute, Minute, CancellationToken.None);
        Assert.Equal(["PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)"], range.Warnings);
    }

    private static MemorySeriesSource Samples(params double[] values)
    {
        var source = new MemorySeriesSource();
        for (var i = 0; i < values.Length; i++)
        {
            source.Add(Labels.From(("__name__", "m")), i * 10_000, values[i]);
        }
        return source;
    }

    [Theory]
    [InlineData(new[] { 4.0, 6, 2, 1, 999, 1, 2 }, 1)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 1)]
    [InlineData(new[] { 7.0, 7, 7 }, 0)]
    [InlineData(new[] { 5.0 }, 0)]
    [InlineData(new[] { 1.0, double.NaN, 3 }, double.NaN)]
    // Prometheus' interpolation multiplies the neighbour by a zero weight: Inf * 0 is NaN, so is the median.
    [InlineData(new[] { 1.0, double.PositiveInfinity, 3 }, double.NaN)]
    [InlineData(new[] { 1.0, 3, 5, double.PositiveInfinity }, 2)]
    public async Task Mad_over_time_is_the_median_distance_from_the_median(double[] values, double expected)
    {
        var sample = Assert.Single(await VectorAsync(Samples(values), "mad_over_time(m[5m])", 60_000));
        Assert.Equal(expected, sample.Value);
        Assert.False(sample.Labels.Has("__name__"));
    }

    [Fact]
    public async Task Over_time_functions_skip_stale_markers_and_empty_windows()
    {
        var source = Samples(1, 9, StaleMarker.Value, 3);
        // 1, 9, 3: median 3, distances 2, 6, 0.
        Assert.Equal(2, Assert.Single(await VectorAsync(source, "mad_over_time(m[1m])", 30_000)).Value);
        Assert.Equal(10, Assert.Single(await VectorAsync(source, "ts_of_max_over_time(m[1m])", 30_000)).Value);
        Assert.Equal(30, Assert.Single(await VectorAsync(source, "ts_of_last_over_time(m[1m])", 30_000)).Value);
        foreach (var name in new[] { "mad_over_time", "ts_of_min_over_time", "ts_of_max_over_time", "ts_of_first_over_time", "ts_of_last_over_time" })
        {
            Assert.Empty(await VectorAsync(source, $"{name}(m[1m])", 10 * Minute));
            Assert.Empty(await VectorAsync(source, $"{name}(missing[1m])", 30_000));
        }
    }

    [Theory]
    [InlineData("ts_of_max_over_time", new[] { 1.0, 5, 2, 5, 0 }, 30)]
    [InlineData("ts_of_min_over_time", new[] { 0.0, 5, 0, 5, 1 }, 20)]
    [InlineData("ts_of_max_over_time", new[] { double.NaN, 1, double.NaN }, 10)]
    [InlineData("ts_of_min_over_time", new[] { double.NaN, double.NaN }, 10)]
    [InlineData("ts_of_first_over_time", new[] { 3.0, 2, 1 }, 0)]
    [InlineData("ts_of_last_over_time", new[] { 3.0, 2, 1 }, 20)]
    public async Task Ts_of_functions_report_when_in_seconds_the_latest_of_ties(string function, double[] values, double expected) =>
        Assert.Equal(expected, Assert.Single(await VectorAsync(Samples(values), $"{function}(m[5m])", 60_000)).Value);

    [Fact]
    public async Task Double_exponential_smoothing_follows_a_line_and_checks_its_factors()
    {
        var line = Samples(10, 20, 30, 40, 50);
        Assert.Equal(50, Assert.Single(await VectorAsync(line, "double_exponential_smoothing(m[5m], 0.5, 0.5)", 40_000)).Value, 9);
        // Two points: the first step keeps the initial trend.
        var two = Samples(1, 3);
        Assert.Equal((0.3 * 3) + (0.7 * (1 + 2)), Assert.Single(await VectorAsync(two, "double_exponential_smoothing(m[5m], 0.3, 0.9)", 10_000)).Value, 12);
        Assert.Empty(await VectorAsync(Samples(1), "double_exponential_smoothing(m[5m], 0.5, 0.5)", 10_000));
        var sf = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(line, "double_exponential_smoothing(m[5m], 1, 0.5)", 40_000));
        Assert.Equal("invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000", sf.Message);
        var tf = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(line, "double_exponential_smoothing(m[5m], 0.5, NaN)", 40_000));
        Assert.Equal("invalid trend factor. Expected: 0 < tf < 1, got: NaN", tf.Message);
    }

    [Fact]
    public async Task Histogram_quantiles_labels_each_quantile_of_classic_buckets()
    {
        var source = new MemorySeriesSource();
        foreach (var (le, count) in new[] { ("0.1", 10.0), ("1", 20.0), ("+Inf", 20.0) })
        {
            source.Add(Labels.From(("__name__", "rt_bucket"), ("job", "a"), ("le", le)), 0, count);
        }
        var samples = await VectorAsync(source, "histogram_quantiles(rt_bucket, \"q\", 0, 0.5, 0.75, 1, 2)");
        var byQ = samples.ToDictionary(s => s.Labels.Get("q"), s => s.Value);
        Assert.Equal(["0.0", "0.5", "0.75", "1.0", "2.0"], byQ.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.1, byQ["0.5"], 12);
        Assert.Equal(0.55, byQ["0.75"], 12);
        Assert.Equal(double.PositiveInfinity, byQ["2.0"]);
        Assert.All(samples, s => Assert.Equal("a", s.Labels.Get("job")));
        Assert.All(samples, s => Assert.False(s.Labels.Has("__name__")));
        // Two histograms that differ only in the label the quantile overwrites collide.
        var twoJobs = new MemorySeriesSource();
        foreach (var job in new[] { "a", "b" })
        {
            twoJobs.Add(Labels.From(("__name__", "rt_bucket"), ("job", job), ("le", "+Inf")), 0, 1);
            twoJobs.Add(Labels.From(("__name__", "rt_bucket"), ("job", job), ("le", "1")), 0, 1);
        }
        Assert.Equal(2, (await VectorAsync(twoJobs, "histogram_quantiles(rt_bucket, \"q\", 0.5)")).Count);
        var collision = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(twoJobs, "histogram_quantiles(rt_bucket, \"job\", 0.5)"));
        Assert.Equal("vector cannot contain metrics with the same labelset", collision.Message);
        var badLabel = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(source, "histogram_quantiles(rt_bucket, \"\", 0.1)"));
        Assert.Equal("invalid quantile label name in histogram_quantiles(): ", badLabel.Message);
        var warned = await InstantAsync(source, "histogram_quantiles(rt_bucket, \"q\", 0.5, NaN)");
        Assert.Equal(["PromQL warning: quantile value should be between 0 and 1, got NaN (1:42)"], warned.Warnings);
        Assert.Empty(await VectorAsync(source, "histogram_quantiles(missing, \"q\", 0.5)"));
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.25, "0.25")]
    [InlineData(-0.1, "-0.1")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Quantile_labels_are_written_as_OpenMetrics_floats(double q, string expected) =>
        Assert.Equal(expected, Evaluator.FormatQuantileLabel(q));
}
