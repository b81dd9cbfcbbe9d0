using Tsdb.EndToEnd.Tests.InfluxQL;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The InfluxQL differential test: every query of InfluxQL/corpus.txt through <c>GET /query?db=iql&amp;epoch=ns</c>
/// (or the epoch its line asks for)
/// on InfluxDB 1.6.7 and on this database, the answers compared by <see cref="InfluxQLAnswerComparer"/>. Each corpus
/// line is its own test case.
/// </summary>
[Trait("Category", "InfluxQLDifferential")]
public sealed class InfluxQLDifferentialTests(InfluxQLDifferentialFixture fixture) : IClassFixture<InfluxQLDifferentialFixture>
{
    /// <summary>
    /// Queries where this database deliberately answers unlike 1.x (query text → why). These are asserted to still
    /// differ, so an entry whose difference went away fails and must be removed: the list cannot rot.
    /// </summary>
    private static readonly Dictionary<string, string> KnownDifferences = new(StringComparer.Ordinal)
    {
        ["SELECT abs(count_i) FROM cpu WHERE host = 'server02' AND time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z'"] =
            "1.6.7's abs() returns negative integers unchanged (a 1.x bug); this database answers |x|, as InfluxDB 3 does",
        ["SELECT pow(count_i, 2), abs(count_i) * 2 FROM cpu WHERE host = 'server02' AND time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z'"] =
            "1.6.7's abs() returns negative integers unchanged (a 1.x bug); this database answers |x|, as InfluxDB 3 does",
        ["SELECT percentile(usage_user, 33.3) FROM cpu WHERE host = 'server02' AND time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z'"] =
            "the same value at several times: 1.x's percentile() takes the time from Go's unstable sort; this database takes the earliest",
        ["SELECT percentile(usage_user, 90) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z' GROUP BY host"] =
            "the same value at several times: 1.x's percentile() takes the time from Go's unstable sort; this database takes the earliest",
        ["SELECT percentile(count_i, 95) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z' GROUP BY host"] =
            "the same value at several times: 1.x's percentile() takes the time from Go's unstable sort; this database takes the earliest",
        ["SELECT percentile(usage_user, 100) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z'"] =
            "the same value at several times: 1.x's percentile() takes the time from Go's unstable sort; this database takes the earliest",
        ["SELECT first(*) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z'"] =
            "several series have a point at the first time: 1.x picks by its internal series order, this database by storage order",
        ["SELECT mode(usage_user) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z' GROUP BY host"] =
            "two values tie for most frequent: 1.x breaks the tie through Go's unstable sort by value; this database sorts by value and time, as InfluxDB 3's mode() does",
        ["SELECT integral(count_i, 1h) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z' GROUP BY time(1h)"] =
            "integral() over three series merged into one: the trapezoids depend on the order of points sharing a time, which 1.x takes from its series order",
        ["SELECT max(usage_user), region FROM cpu WHERE host = 'server03' AND time >= '2026-01-01T01:40:00Z' AND time < '2026-01-01T02:50:00Z' GROUP BY time(10m) fill(7)"] =
            "fill(7) in a string column: 1.x answers the number 7 in it (a column of mixed types); a column here has one type, so it answers \"7\"",
    };

    public static TheoryData<string> Corpus => InfluxQLCorpus.Queries;

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Query_answers_like_InfluxDB_1_6_7(string query)
    {
        var entry = InfluxQLCorpus.Get(query);
        var expected = await fixture.Oracle.QueryAsync(InfluxQLDataset.Database, query, entry.Epoch);
        var actual = await fixture.QueryOursAsync(query, entry.Epoch);
        var diff = InfluxQLAnswerComparer.Diff(expected, actual, checkSeriesOrder: !entry.AnySeriesOrder);
        if (KnownDifferences.TryGetValue(query, out var reason))
        {
            Assert.True(diff is not null, $"{query}\nis listed in KnownDifferences ({reason}) but now answers like InfluxDB 1.6.7: remove the entry.");
            return;
        }
        Assert.True(diff is null, $"{query}\n(corpus.txt line {entry.Line})\n{diff}");
    }

    [Fact]
    public void Known_differences_are_corpus_queries()
    {
        var queries = InfluxQLCorpus.Entries.Select(e => e.Query).ToHashSet(StringComparer.Ordinal);
        Assert.All(KnownDifferences.Keys, q => Assert.Contains(q, queries));
    }
}
