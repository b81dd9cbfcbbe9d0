namespace Tsdb.PromQL.Tests;

/// <summary>
/// The evaluator reuses vectors between steps, remembers grouping keys per series and selects topk/bottomk without
/// a full sort: these check that the answers are those of the straightforward evaluation.
/// </summary>
public sealed class StepReuseTests
{
    private static MemorySeriesSource Gauges(int series, int steps, Func<int, int, double> value)
    {
        var source = new MemorySeriesSource();
        for (var s = 0; s < series; s++)
        {
            var labels = Labels.From(("__name__", "g"), ("instance", $"i{s:D3}"), ("zone", $"z{s % 3}"));
            for (var i = 0; i < steps; i++)
            {
                source.Add(labels, i * 15_000L, value(s, i));
            }
        }
        return source;
    }

    private static async Task<IReadOnlyList<VectorSample>> InstantAsync(ISeriesSource source, string query, long t) =>
        Assert.IsType<VectorValue>((await new PromQLEngine(source).InstantQueryAsync(query, t, CancellationToken.None)).Value).Samples;

    [Theory]
    [InlineData("topk")]
    [InlineData("bottomk")]
    public async Task Small_k_picks_the_first_k_of_the_full_ranking_with_ties_and_NaN(string op)
    {
        // Values repeat (ties keep input order) and some are NaN (ranked after every number, by topk and bottomk alike).
        var source = Gauges(60, 2, (s, _) => s % 7 == 0 ? double.NaN : s % 5);
        var all = await InstantAsync(source, $"{op}(60, g)", 15_000);
        Assert.Equal(60, all.Count);
        foreach (var k in new[] { 1, 3, 5, 32 })
        {
            var some = await InstantAsync(source, $"{op}({k}, g)", 15_000);
            Assert.Equal(all.Take(k).Select(x => x.Labels), some.Select(x => x.Labels));
            Assert.Equal(all.Take(k).Select(x => x.Value), some.Select(x => x.Value));
        }
    }

    [Fact]
    public async Task Topk_by_a_label_ranks_within_each_group()
    {
        var source = Gauges(30, 2, (s, _) => s);
        var top = await InstantAsync(source, "topk by (zone) (2, g)", 15_000);
        Assert.Equal(6, top.Count);
        // Groups in the order their first series comes (z0, z1, z2), each ranked.
        Assert.Equal(["i027", "i024", "i028", "i025", "i029", "i026"], top.Select(x => x.Labels.Get("instance")));
    }

    [Fact]
    public async Task A_range_query_aggregates_every_step_as_an_instant_query_does()
    {
        var source = Gauges(40, 30, (s, i) => ((s * 31) + (i * 17)) % 11);
        var engine = new PromQLEngine(source);
        foreach (var query in new[] { "max by (zone) (g)", "sum without (instance) (g)", "topk(3, g)", "bottomk by (zone) (1, rate(g[1m]))", "count(g > 5)" })
        {
            var range = Assert.IsType<MatrixValue>((await engine.RangeQueryAsync(query, 0, 29 * 15_000, 15_000, CancellationToken.None)).Value);
            for (var step = 0; step < 30; step += 7)
            {
                var t = step * 15_000L;
                var instant = await InstantAsync(source, query, t);
                var fromRange = range.Series.Where(s => s.Points.Any(p => p.TimestampMs == t))
                    .Select(s => (s.Labels, s.Points.First(p => p.TimestampMs == t).Value)).OrderBy(x => x.Labels, Labels.Order).ToList();
                var expected = instant.Select(x => (x.Labels, x.Value)).OrderBy(x => x.Labels, Labels.Order).ToList();
                Assert.Equal(expected, fromRange);
            }
        }
    }

    [Fact]
    public async Task Series_that_start_stop_or_are_relabelled_every_step_aggregate_as_in_instant_queries()
    {
        // Series begin and end at different steps (windows miss them before and after), and label_replace builds new
        // label sets at every step, so the per-series grouping cache misses and must still group by content.
        var source = new MemorySeriesSource();
        for (var s = 0; s < 30; s++)
        {
            var labels = Labels.From(("__name__", "c"), ("instance", $"i{s:D2}"), ("zone", $"z{s % 4}"));
            for (var i = s % 7; i < 40 - (s % 5); i++)
            {
                source.Add(labels, i * 15_000L, (i * (s + 1)) + (s % 3));
            }
        }
        var engine = new PromQLEngine(source);
        string[] queries =
        [
            "sum by (zone) (rate(c[1m]))",
            "max by (zone) (c)",
            "count by (zone2) (label_replace(c, \"zone2\", \"$1\", \"instance\", \"i0(.)\"))",
            "topk by (zone) (2, c)",
        ];
        foreach (var query in queries)
        {
            var range = Assert.IsType<MatrixValue>((await engine.RangeQueryAsync(query, 0, 45 * 15_000, 15_000, CancellationToken.None)).Value);
            Assert.True(range.Series.Count >= 4, query);
            for (var step = 0; step <= 45; step += 4)
            {
                var t = step * 15_000L;
                var expected = (await InstantAsync(source, query, t)).Select(x => (x.Labels, x.Value)).OrderBy(x => x.Labels, Labels.Order).ToList();
                var fromRange = range.Series.Where(s => s.Points.Any(p => p.TimestampMs == t))
                    .Select(s => (s.Labels, s.Points.First(p => p.TimestampMs == t).Value)).OrderBy(x => x.Labels, Labels.Order).ToList();
                Assert.Equal(expected, fromRange);
            }
        }
    }

    [Fact]
    public void FromOrdered_takes_ordered_labels_and_refuses_anything_else()
    {
        var labels = Labels.FromOrdered([new("__name__", "x"), new("a", "1"), new("b", "2")]);
        Assert.Equal(Labels.From(("b", "2"), ("__name__", "x"), ("a", "1")), labels);
        Assert.Same(Labels.Empty, Labels.FromOrdered([]));
        Assert.Throws<ArgumentException>(() => Labels.FromOrdered([new("b", "1"), new("a", "2")]));
        Assert.Throws<ArgumentException>(() => Labels.FromOrdered([new("a", "1"), new("a", "2")]));
        Assert.Throws<ArgumentException>(() => Labels.FromOrdered([new("a", "")]));
    }
}
