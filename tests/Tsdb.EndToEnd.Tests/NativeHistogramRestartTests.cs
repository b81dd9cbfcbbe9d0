using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tsdb.PromQL;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Native histograms written by remote write (1.0 and 2.0, the independent protobufjs encoder) survive kill -9 of a
/// real <c>tsdb serve</c> process: once from the WAL alone (killed before any persist), once from Parquet plus the WAL
/// (persisted, more histograms written, killed). After each restart every PromQL answer of
/// <see cref="NativeHistogramTests.Queries"/> is the in-memory engine's answer over the samples acknowledged so far.
/// </summary>
public sealed class NativeHistogramRestartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-nhist-restart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Histograms_answer_the_same_after_kill_9_before_and_after_persist()
    {
        var data = NativeHistogramTests.Data();
        var memory = new MemorySeriesSource();
        var half = NativeHistogramTests.Steps / 2;
        // Persisting only when asked: the first kill must find everything in the WAL.
        string[] args = ["--without-auth", "--persist-age", "1h"];

        await using (var server = await TsdbProcess.StartAsync(_dir, args))
        {
            Send(server.Url, data, memory, 0, half);
            using var http = server.Client();
            await AssertAnswers(http, memory, "before the first kill");
            server.Kill();
        }

        await using (var server = await TsdbProcess.StartAsync(_dir, args))
        {
            Assert.Contains($"replayed 4 WAL records ({4 * half} rows not yet persisted)", server.Output, StringComparison.Ordinal);
            using var http = server.Client();
            await AssertAnswers(http, memory, "after kill -9 before persist (WAL replay)");
            (await http.PostAsync("/api/v3/persist", null)).EnsureSuccessStatusCode();
            Assert.NotEmpty(await PersistenceTests.Files(http, "prometheus"));
            await AssertAnswers(http, memory, "after persist");
            Send(server.Url, data, memory, half, NativeHistogramTests.Steps);
            await AssertAnswers(http, memory, "with the second half written");
            server.Kill();
        }

        await using (var server = await TsdbProcess.StartAsync(_dir, args))
        {
            // The first half comes from Parquet, the second from the WAL.
            Assert.Contains($"({4 * (NativeHistogramTests.Steps - half)} rows not yet persisted)", server.Output, StringComparison.Ordinal);
            using var http = server.Client();
            await AssertAnswers(http, memory, "after kill -9 after persist (Parquet + WAL)");
            (await http.PostAsync("/api/v3/persist", null)).EnsureSuccessStatusCode();
            await server.StopAsync();
        }

        await using (var server = await TsdbProcess.StartAsync(_dir, args))
        {
            Assert.Contains("(0 rows not yet persisted)", server.Output, StringComparison.Ordinal);
            using var http = server.Client();
            await AssertAnswers(http, memory, "from Parquet only");
        }
    }

    /// <summary>Samples [from, to) of each series, one request per series (its remote-write version), added to <paramref name="memory"/> once acknowledged.</summary>
    private static void Send(Uri url, List<(Dictionary<string, string> Labels, string Version, List<(long Ms, FloatHistogram H, bool Integer)> Samples)> data, MemorySeriesSource memory, int from, int to)
    {
        foreach (var (labels, version, samples) in data)
        {
            var series = RemoteWriteClient.Series(labels);
            series["histograms"] = new JsonArray([.. samples[from..to].Select(s => (JsonNode)NativeHistogramTests.ToJson(s.Ms, s.H, s.Integer))]);
            var response = RemoteWriteClient.Send(url, null, RemoteWriteClient.Request(version, series));
            Assert.True(response.Status == 204, response.Body);
            var set = Labels.From(labels.Select(l => new Label(l.Key, l.Value)));
            foreach (var (ms, h, _) in samples[from..to])
            {
                memory.Add(set, ms, h);
            }
        }
    }

    private static async Task AssertAnswers(HttpClient http, MemorySeriesSource memory, string when)
    {
        var engine = new PromQLEngine(memory);
        const long start = NativeHistogramTests.Start;
        const long end = start + ((NativeHistogramTests.Steps - 1) * NativeHistogramTests.StepMs);
        var compared = 0;
        foreach (var query in NativeHistogramTests.Queries)
        {
            var instant = NativeHistogramTests.Lines((await engine.InstantQueryAsync(query, end, CancellationToken.None)).Value);
            var range = NativeHistogramTests.Lines((await engine.RangeQueryAsync(query, start, end, 30_000, CancellationToken.None)).Value);
            var httpInstant = NativeHistogramTests.Lines(await Get(http, $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={(end / 1000.0).ToString("R", CultureInfo.InvariantCulture)}"));
            var httpRange = NativeHistogramTests.Lines(await Get(http, $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start / 1000}&end={(end / 1000.0).ToString("R", CultureInfo.InvariantCulture)}&step=30"));
            Assert.True(instant.SequenceEqual(httpInstant), $"{when}: {query} at {end}\nexpected:\n{string.Join("\n", instant)}\nactual:\n{string.Join("\n", httpInstant)}");
            Assert.True(range.SequenceEqual(httpRange), $"{when}: {query} over the range\nexpected:\n{string.Join("\n", range)}\nactual:\n{string.Join("\n", httpRange)}");
            compared += range.Count;
        }
        Assert.True(compared > 100, $"{when}: only {compared} points compared");
    }

    private static async Task<JsonElement> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
    }
}
