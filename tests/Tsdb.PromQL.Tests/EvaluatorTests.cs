namespace Tsdb.PromQL.Tests;

public sealed class EvaluatorTests
{
    private const long Minute = 60_000;

    private static MemorySeriesSource Source(params (string Name, string Job, long T, double V)[] samples)
    {
        var source = new MemorySeriesSource();
        foreach (var (name, job, t, v) in samples)
        {
            source.Add(Labels.From(("__name__", name), ("job", job)), t, v);
        }
        return source;
    }

    private static async Task<VectorValue> InstantAsync(ISeriesSource source, string query, long t, PromQLEngineOptions? options = null)
    {
        var result = await new PromQLEngine(source, options).InstantQueryAsync(query, t, CancellationToken.None);
        return Assert.IsType<VectorValue>(result.Value);
    }

    [Fact]
    public async Task Instant_selection_looks_back_five_minutes_left_open()
    {
        var source = Source(("x", "a", 0, 1), ("x", "a", Minute, 2));
        Assert.Equal(2, Assert.Single((await InstantAsync(source, "x", 6 * Minute - 1)).Samples).Value);
        Assert.Empty((await InstantAsync(source, "x", 6 * Minute)).Samples);
        Assert.Empty((await InstantAsync(source, "x", -1)).Samples);
        Assert.Equal(1, Assert.Single((await InstantAsync(source, "x offset 1m", 1 * Minute)).Samples).Value);
        Assert.Equal(2, Assert.Single((await InstantAsync(source, "x @ 60", 100 * Minute)).Samples).Value);
    }

    [Fact]
    public async Task A_chain_as_tall_as_the_parser_allows_evaluates()
    {
        var source = Source(("x", "a", 0, 2), ("x", "b", 0, 3));
        var chain = string.Join(" + ", Enumerable.Repeat("x", Parsing.Parser.MaxHeight));
        var result = await InstantAsync(source, chain, Minute);
        Assert.Equal([2000.0, 3000.0], result.Samples.Select(s => s.Value).Order());
    }

    [Fact]
    public void Evaluation_short_of_stack_fails_the_query_not_the_process()
    {
        // The same chain on a thread with a small stack: the evaluator's own check turns what would be a stack
        // overflow (which ends the process) into an error for this query.
        var source = Source(("x", "a", 0, 2));
        var chain = string.Join(" + ", Enumerable.Repeat("x", Parsing.Parser.MaxHeight));
        var failures = new List<Exception>();
        var thread = new Thread(
            () =>
            {
                foreach (var query in new Func<Task>[]
                {
                    () => new PromQLEngine(source).InstantQueryAsync(chain, Minute, CancellationToken.None),
                    () => new PromQLEngine(source).RangeQueryAsync(chain, 0, Minute, 15_000, CancellationToken.None),
                })
                {
                    try
                    {
                        query().GetAwaiter().GetResult();
                    }
                    catch (Exception e)
                    {
                        failures.Add(e);
                    }
                }
            },
            maxStackSize: 192 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, failure =>
        {
            var error = Assert.IsType<PromQLException>(failure);
            Assert.Equal(PromQLErrorType.Execution, error.ErrorType);
            Assert.Equal("the query is too deeply nested to evaluate", error.Message);
        });
    }

    [Fact]
    public async Task A_subquery_of_millions_of_mostly_empty_steps_answers()
    {
        // 30 days at 1 s: 2.6 M inner steps, of which only the 300 within the lookback of the one sample hold a
        // value. (Every step used to be kept for later outer steps: x[100y:1ms] took 11 GB before its timeout.)
        var source = Source(("x", "a", 10 * Minute, 5));
        var result = await InstantAsync(source, "count_over_time(x[30d:1s])", 20 * Minute);
        Assert.Equal(300, Assert.Single(result.Samples).Value);
    }

    [Fact]
    public async Task A_subquery_too_long_to_evaluate_times_out()
    {
        var source = Source(("x", "a", 10 * Minute, 5));
        var engine = new PromQLEngine(source, new PromQLEngineOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var error = await Assert.ThrowsAsync<PromQLException>(() => engine.InstantQueryAsync("x[100y:1ms]", 20 * Minute, CancellationToken.None));
        Assert.Equal(PromQLErrorType.Timeout, error.ErrorType);
    }

    [Fact]
    public async Task A_subquery_past_the_sample_limit_stops_with_the_limit_error()
    {
        var source = Source(Enumerable.Range(0, 600).Select(i => ("x", "a", i * 1000L, (double)i)).ToArray());
        var engine = new PromQLEngine(source, new PromQLEngineOptions { MaxSamples = 100 });
        var error = await Assert.ThrowsAsync<PromQLException>(() => engine.InstantQueryAsync("max_over_time(x[10m:1s])", 10 * Minute, CancellationToken.None));
        Assert.Contains("too many samples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_staleness_marker_hides_the_series_until_the_next_sample()
    {
        var stale = BitConverter.UInt64BitsToDouble(0x7FF0000000000002);
        var source = Source(("x", "a", 0, 1), ("x", "a", Minute, stale), ("x", "a", 2 * Minute, 3));
        Assert.Single((await InstantAsync(source, "x", 30_000)).Samples);
        Assert.Empty((await InstantAsync(source, "x", 90_000)).Samples);
        Assert.Equal(3, Assert.Single((await InstantAsync(source, "x", 150_000)).Samples).Value);
        // Range vectors skip the marker itself.
        Assert.Equal(2, Assert.Single((await InstantAsync(source, "count_over_time(x[5m])", 150_000)).Samples).Value);
    }

    [Fact]
    public async Task Range_windows_exclude_their_left_edge()
    {
        var source = Source(("x", "a", 0, 1), ("x", "a", Minute, 2), ("x", "a", 2 * Minute, 3));
        Assert.Equal(1, Assert.Single((await InstantAsync(source, "count_over_time(x[1m])", 2 * Minute)).Samples).Value);
        Assert.Equal(2, Assert.Single((await InstantAsync(source, "count_over_time(x[1m1ms])", 2 * Minute)).Samples).Value);
        Assert.Equal(3, Assert.Single((await InstantAsync(source, "count_over_time(x[2m1ms])", 2 * Minute)).Samples).Value);
    }

    [Fact]
    public async Task Range_query_returns_a_matrix_sorted_by_labels_with_names_dropped_by_functions()
    {
        var source = new MemorySeriesSource();
        for (var i = 0; i <= 10; i++)
        {
            source.Add(Labels.From(("__name__", "req_total"), ("job", "b")), i * 15_000, i * 30);
            source.Add(Labels.From(("__name__", "req_total"), ("job", "a")), i * 15_000, i * 15);
        }
        var result = await new PromQLEngine(source).RangeQueryAsync("rate(req_total[1m])", Minute, 2 * Minute, 30_000, CancellationToken.None);
        var matrix = Assert.IsType<MatrixValue>(result.Value);
        Assert.Equal(["{job=\"a\"}", "{job=\"b\"}"], matrix.Series.Select(s => s.Labels.ToString()));
        Assert.Equal([Minute, 90_000, 2 * Minute], matrix.Series[0].Points.Select(p => p.TimestampMs));
        Assert.All(matrix.Series[0].Points, p => Assert.Equal(1.0, p.Value, 9));
        Assert.All(matrix.Series[1].Points, p => Assert.Equal(2.0, p.Value, 9));
    }

    [Fact]
    public async Task Each_selector_is_fetched_once_for_the_whole_range()
    {
        var inner = Source(("x", "a", 0, 1), ("x", "a", 10 * Minute, 2));
        var counting = new CountingSource(inner);
        var engine = new PromQLEngine(counting);
        await engine.RangeQueryAsync("sum(rate(x[5m])) + max_over_time(x[10m:1m] offset 1m)", 10 * Minute, 60 * Minute, 15_000, CancellationToken.None);
        Assert.Equal(2, counting.Calls.Count);
        // rate(x[5m]): [start - 5m, end]; the subquery: [start - 1m - 10m - lookback, end - 1m].
        Assert.Contains((5 * Minute, 60 * Minute), counting.Calls);
        Assert.Contains((-6 * Minute, 59 * Minute), counting.Calls);
    }

    [Fact]
    public async Task Binary_operators_match_vectors_and_report_duplicates()
    {
        var source = Source(("a", "x", 0, 10), ("a", "y", 0, 20), ("b", "x", 0, 2), ("b", "y", 0, 4));
        var divided = await InstantAsync(source, "a / b", 0);
        Assert.Equal([5.0, 5.0], divided.Samples.Select(s => s.Value));
        Assert.All(divided.Samples, s => Assert.False(s.Labels.Has("__name__")));

        var filtered = await InstantAsync(source, "a > 15", 0);
        Assert.Equal("a{job=\"y\"}", Assert.Single(filtered.Samples).Labels.ToString());

        var error = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(source, "a + on() b", 0));
        Assert.StartsWith("found duplicate series for the match group {} on the right hand-side of the operation", error.Message, StringComparison.Ordinal);

        var collision = await Assert.ThrowsAsync<PromQLException>(() => InstantAsync(source, "abs({job=\"x\"})", 0));
        Assert.Equal("vector cannot contain metrics with the same labelset", collision.Message);
    }

    [Fact]
    public async Task Scalars_strings_and_matrices_come_back_typed()
    {
        var engine = new PromQLEngine(Source(("x", "a", 0, 1)));
        Assert.Equal(8, Assert.IsType<ScalarValue>((await engine.InstantQueryAsync("2 ^ 3", 0, CancellationToken.None)).Value).Value);
        Assert.Equal(512, Assert.IsType<ScalarValue>((await engine.InstantQueryAsync("2 ^ 3 ^ 2", 0, CancellationToken.None)).Value).Value);
        Assert.Equal("hi", Assert.IsType<StringValue>((await engine.InstantQueryAsync("\"hi\"", 0, CancellationToken.None)).Value).Value);
        var matrix = Assert.IsType<MatrixValue>((await engine.InstantQueryAsync("x[1m]", 30_000, CancellationToken.None)).Value);
        Assert.Equal(new Point(0, 1), Assert.Single(Assert.Single(matrix.Series).Points));
        var error = await Assert.ThrowsAsync<PromQLException>(() => engine.RangeQueryAsync("x[1m]", 0, Minute, 15_000, CancellationToken.None));
        Assert.Equal("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector", error.Message);
    }

    [Fact]
    public async Task Limits_and_cancellation_are_errors_of_the_right_type()
    {
        var source = Source(("x", "a", 0, 1), ("x", "b", 0, 1), ("x", "c", 0, 1));
        var engine = new PromQLEngine(source, new PromQLEngineOptions { MaxSamples = 2 });
        var tooMany = await Assert.ThrowsAsync<PromQLException>(() => engine.InstantQueryAsync("x", 0, CancellationToken.None));
        Assert.Equal(PromQLErrorType.Execution, tooMany.ErrorType);
        Assert.Contains("too many samples", tooMany.Message, StringComparison.Ordinal);

        var points = await Assert.ThrowsAsync<PromQLException>(() => new PromQLEngine(source).RangeQueryAsync("x", 0, 11_000_000, 1000, CancellationToken.None));
        Assert.Equal(PromQLErrorType.BadData, points.ErrorType);
        Assert.StartsWith("exceeded maximum resolution of 11,000 points per timeseries", points.Message, StringComparison.Ordinal);

        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        var cancel = await Assert.ThrowsAsync<PromQLException>(() => new PromQLEngine(source).RangeQueryAsync("x", 0, Minute, 1000, canceled.Token));
        Assert.Equal(PromQLErrorType.Canceled, cancel.ErrorType);
    }

    [Fact]
    public async Task Subquery_without_step_uses_the_configured_default()
    {
        var source = new MemorySeriesSource();
        for (var i = 0; i <= 60; i++)
        {
            source.Add(Labels.From(("__name__", "x")), i * 10_000, i);
        }
        var oneMinute = await InstantAsync(source, "count_over_time(x[5m:])", 10 * Minute);
        Assert.Equal(5, Assert.Single(oneMinute.Samples).Value);
        var tenSeconds = await InstantAsync(source, "count_over_time(x[5m:])", 10 * Minute, new PromQLEngineOptions { DefaultSubqueryStepMs = 10_000 });
        Assert.Equal(30, Assert.Single(tenSeconds.Samples).Value);
    }

    [Theory]
    [InlineData("job", MatchType.RegexMatch, "a|b", "a", true)]
    [InlineData("job", MatchType.RegexMatch, "a", "ab", false)]
    [InlineData("job", MatchType.RegexMatch, "a.*", "a\nb", false)]
    [InlineData("job", MatchType.RegexNoMatch, "a.*", "ba", true)]
    [InlineData("job", MatchType.RegexMatch, "(?i)API", "api", true)]
    [InlineData("job", MatchType.RegexMatch, "(?P<x>a)b", "ab", true)]
    [InlineData("job", MatchType.NotEqual, "", "", false)]
    public void Label_matchers_are_fully_anchored(string name, MatchType type, string pattern, string value, bool expected) =>
        Assert.Equal(expected, new LabelMatcher(name, type, pattern).Matches(value));

    [Fact]
    public async Task Mutated_queries_evaluate_or_fail_with_PromQLException_only()
    {
        var source = new MemorySeriesSource();
        for (var i = 0; i < 20; i++)
        {
            source.Add(Labels.From(("__name__", "x"), ("job", (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("le", i % 2 == 0 ? "1" : "+Inf")), i * 15_000, i);
        }
        var engine = new PromQLEngine(source);
        string[] seeds =
        [
            "sum by (job) (rate(x[1m])) / on(job) group_left count(x) > bool 0.5",
            "histogram_quantile(0.5, x) or label_replace(x, \"a\", \"$1\", \"job\", \"(.*)\") unless topk(1, x)",
            "max_over_time(deriv(x[1m:10s])[2m:]) - vector(time()) ^ 2 % 3 atan2 scalar(x)",
            "count_values(\"v\", x) + quantile(0.3, x) * absent(nope) - stddev(x) and timestamp(x)",
        ];
        const string tokens = " x 1 ( ) [1m] [1m:] + - * / by(job) on() offset 1m @ 0 bool and or unless abs( sum( rate( \" , ";
        var parts = tokens.Split(' ');
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var query = seeds[i % seeds.Length];
            var position = random.Next(query.Length + 1);
            query = query.Insert(position, parts[random.Next(parts.Length)]);
            try
            {
                await engine.InstantQueryAsync(query, 4 * Minute, CancellationToken.None);
                await engine.RangeQueryAsync(query, 0, 4 * Minute, 30_000, CancellationToken.None);
            }
            catch (PromQLException)
            {
                // Expected for most mutations.
            }
        }
    }

    private sealed class CountingSource(ISeriesSource inner) : ISeriesSource
    {
        public List<(long Min, long Max)> Calls { get; } = [];

        public ValueTask<IReadOnlyList<SeriesSamples>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
        {
            Calls.Add((minTimeMs, maxTimeMs));
            return inner.SelectAsync(matchers, minTimeMs, maxTimeMs, cancellationToken);
        }

        public ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            inner.SeriesAsync(matcherSets, minTimeMs, maxTimeMs, cancellationToken);

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            inner.LabelNamesAsync(matcherSets, minTimeMs, maxTimeMs, cancellationToken);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            inner.LabelValuesAsync(name, matcherSets, minTimeMs, maxTimeMs, cancellationToken);
    }
}
