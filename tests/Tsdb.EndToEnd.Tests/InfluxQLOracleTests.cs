using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tsdb.EndToEnd.Tests.InfluxQL;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The harness side of the InfluxQL differential test, checked against InfluxDB 1.6.7 alone: the corpus is well
/// formed, and 1.6.7 answers every query as its marker says (data, nothing, or an error), the same way twice. With
/// <c>IQL_ORACLE_ANSWERS=/path/file.jsonl</c> set, also saves every raw answer there (one <c>{query, answer}</c> per
/// line) and the data set as line protocol next to it, for whoever writes the planner.
/// </summary>
public sealed class InfluxQLOracleTests(InfluxQLOracleFixture fixture) : IClassFixture<InfluxQLOracleFixture>
{
    /// <summary>Quotes and &lt; &gt; stay readable in the saved answers.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Corpus => InfluxQLCorpus.Queries;

    [Fact]
    public void Corpus_is_large_and_has_no_duplicates()
    {
        var entries = InfluxQLCorpus.Entries;
        Assert.True(entries.Count >= 170, $"corpus.txt has {entries.Count} queries");
        var duplicates = entries.GroupBy(e => e.Query, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "duplicate queries (xunit would fold them into one case):\n" + string.Join('\n', duplicates));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Oracle_answers_as_the_corpus_says(string query)
    {
        var entry = InfluxQLCorpus.Get(query);
        var answer = await fixture.QueryAsync(query, entry.Epoch);
        // The oracle must be deterministic up to what the comparer forgives (rows sharing a time; series order where
        // marked): otherwise the query would make the differential test flaky.
        var again = await fixture.QueryAsync(query, entry.Epoch);
        var unstable = InfluxQLAnswerComparer.Diff(answer, again, checkSeriesOrder: !entry.AnySeriesOrder);
        Assert.True(unstable is null, $"line {entry.Line}: 1.6.7 answered the same query differently twice:\n{unstable}");
        var root = JsonNode.Parse(answer)!.AsObject();
        var results = root["results"] as JsonArray ?? [];
        var errors = results.Select(r => r?["error"]?.GetValue<string>()).Where(e => e is not null).ToList();
        if (root["error"] is { } top)
        {
            errors.Add(top.GetValue<string>());
        }
        if (entry.ExpectError)
        {
            Assert.True(errors.Count > 0, $"line {entry.Line}: expected an error from 1.6.7, got {answer}");
            return;
        }
        Assert.True(errors.Count == 0, $"line {entry.Line}: 1.6.7 answered an error: {answer}");
        var series = results.Sum(r => (r?["series"] as JsonArray)?.Count ?? 0);
        if (entry.ExpectEmpty)
        {
            Assert.True(series == 0, $"line {entry.Line}: marked [empty] but 1.6.7 returned {series} series: {answer}");
        }
        else
        {
            Assert.True(series > 0, $"line {entry.Line}: 1.6.7 returned no series (mark the line [empty] if that is the point): {answer}");
        }
    }

    [Fact]
    public async Task Oracle_answers_are_saved_when_asked()
    {
        var path = Environment.GetEnvironmentVariable("IQL_ORACLE_ANSWERS");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        var text = new StringBuilder();
        foreach (var entry in InfluxQLCorpus.Entries)
        {
            var answer = JsonNode.Parse(await fixture.QueryAsync(entry.Query, entry.Epoch));
            text.Append(new JsonObject { ["query"] = entry.Query, ["group"] = entry.Group, ["epoch"] = entry.Epoch, ["answer"] = answer }.ToJsonString(Readable)).Append('\n');
        }
        await File.WriteAllTextAsync(path, text.ToString());
        await File.WriteAllTextAsync(Path.ChangeExtension(path, ".dataset.lp"), InfluxQLDataset.LineProtocol());
    }
}
