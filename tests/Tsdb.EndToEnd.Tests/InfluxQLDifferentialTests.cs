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
