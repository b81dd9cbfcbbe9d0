using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tsdb.PromQL;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Native histograms sent by remote write 1.0 and 2.0 (protobufjs, tests/interop/prometheus/remote-write.mjs) to a
/// running server, queried back through /api/v1/query and query_range, from the buffer and again from Parquet; every
/// answer is compared with the same samples evaluated by the engine over the in-memory source.
/// </summary>
public sealed class NativeHistogramTests(ITestOutputHelper output) : ServerPerClass("nhist")
{
    internal const long Start = 1_700_000_000_000;
    internal const int Steps = 20;
    internal const long StepMs = 15_000;

    internal static readonly string[] Queries =
    [
        "rpc_seconds",
        "histogram_quantile(0.9, rate(rpc_seconds[1m]))",
        "histogram_quantile(0.5, sum by (job) (rate(rpc_seconds[1m])))",
        "histogram_count(rate(rpc_seconds[1m]))",
        "histogram_sum(increase(rpc_seconds[2m]))",
        "histogram_fraction(0, 2, rpc_seconds)",
        "sum by (job) (rate(rpc_seconds[1m]))",
        "histogram_avg(rpc_seconds) * 2",
    ];

    /// <summary>Counter histograms that grow step by step: integer ones (schema 0 and 3), a float one, custom buckets.</summary>
    internal static List<(Dictionary<string, string> Labels, string Version, List<(long Ms, FloatHistogram H, bool Integer)> Samples)> Data()
    {
        var random = new Random(22);
        var result = new List<(Dictionary<string, string>, string, List<(long, FloatHistogram, bool)>)>();
        (string Job, string Instance, int Schema, bool Integer, string Version)[] kinds =
            [("api", "a", 0, true, "1"), ("api", "b", 3, true, "2"), ("db", "a", -2, false, "2"), ("db", "b", FloatHistogram.CustomBucketsSchema, true, "1")];
        foreach (var (job, instance, schema, integer, version) in kinds)
        {
            var labels = new Dictionary<string, string> { ["__name__"] = "rpc_seconds", ["job"] = job, ["instance"] = instance };
            var counts = new double[5];
            double zero = 0, sum = 0;
            var samples = new List<(long, FloatHistogram, bool)>();
            for (var i = 0; i < Steps; i++)
            {
                for (var b = 0; b < counts.Length; b++)
                {
                    var add = random.Next(0, 4);
                    counts[b] += integer ? add : add * 0.5;
                    sum += add * Math.Pow(1.5, b);
                }
                if (schema != FloatHistogram.CustomBucketsSchema)
                {
                    zero += random.Next(0, 2);
                }
                var total = zero + counts.Sum();
                var h = schema == FloatHistogram.CustomBucketsSchema
                    ? new FloatHistogram(schema, 0, 0, total, sum, [new(0, 2), new(1, 3)], [.. counts], null, null, [0.1, 0.5, 1, 2.5, 5, 10])
                    : new FloatHistogram(schema, 0.001, zero, total, sum, [new(-1, 3), new(2, 2)], [.. counts], null, null);
                samples.Add((Start + (i * StepMs), h, integer));
            }
            result.Add((labels, version, samples));
        }
        return result;
    }

    internal static JsonObject ToJson(long ms, FloatHistogram h, bool integer)
    {
        var spans = new JsonArray([.. h.PositiveSpans.Select(s => (JsonNode)new JsonArray(s.Offset, s.Length))]);
        var o = new JsonObject { ["ms"] = ms, ["sum"] = h.Sum, ["schema"] = h.Schema, ["zeroThreshold"] = h.ZeroThreshold, ["positiveSpans"] = spans };
        if (integer)
        {
            o["count"] = (long)h.Count;
            o["zeroCount"] = (long)h.ZeroCount;
            long previous = 0;
            o["positiveDeltas"] = new JsonArray([.. h.PositiveBuckets.Select(c => { var d = (long)c - previous; previous = (long)c; return (JsonNode)d; })]);
        }
        else
        {
            o["countFloat"] = h.Count;
            o["zeroCountFloat"] = h.ZeroCount;
            o["positiveCounts"] = new JsonArray([.. h.PositiveBuckets.Select(c => (JsonNode)c)]);
        }
        if (h.UsesCustomBuckets)
        {
            o["customValues"] = new JsonArray([.. h.CustomValues.Select(c => (JsonNode)c)]);
        }
        return o;
    }

    private static string Show(FloatHistogram h) =>
        $"{{count {h.Count} sum {h.Sum} " + string.Join(" ", h.AllBuckets().Where(b => b.Count != 0).Select(b => $"{b.Lower}:{b.Upper}={b.Count}")) + "}";

    private static double D(JsonElement e) => e.GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    };

    private static string ShowHttp(JsonElement h)
    {
        var text = new StringBuilder($"{{count {D(h.GetProperty("count"))} sum {D(h.GetProperty("sum"))} ");
        if (h.TryGetProperty("buckets", out var buckets))
        {
            text.Append(string.Join(" ", buckets.EnumerateArray().Select(b => $"{D(b[1])}:{D(b[2])}={D(b[3])}")));
        }
        return text.Append('}').ToString();
    }

    private static string LabelsOf(JsonElement metric) =>
        "{" + string.Join(",", metric.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}")) + "}";

    private static string LabelsOf(Labels labels) => "{" + string.Join(",", labels.Select(l => $"{l.Name}={l.Value}")) + "}";

    /// <summary>An answer as sorted lines "labels t=value" / "labels t={histogram}".</summary>
    internal static List<string> Lines(PromQLValue value)
    {
        var lines = new List<string>();
        switch (value)
        {
            case VectorValue v:
                lines.AddRange(v.Samples.Select(s => $"{LabelsOf(s.Labels)} {s.TimestampMs}=" + (s.Histogram is { } h ? Show(h) : s.Value.ToString("R", CultureInfo.InvariantCulture))));
                break;
            case MatrixValue m:
                foreach (var series in m.Series)
                {
                    lines.AddRange(series.Points.Select(p => $"{LabelsOf(series.Labels)} {p.TimestampMs}={p.Value.ToString("R", CultureInfo.InvariantCulture)}"));
                    lines.AddRange(series.Histograms.Select(p => $"{LabelsOf(series.Labels)} {p.TimestampMs}={Show(p.Histogram)}"));
                }
                break;
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static long Ms(JsonElement t) => (long)Math.Round(t.GetDouble() * 1000);

    internal static List<string> Lines(JsonElement data)
    {
        var lines = new List<string>();
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            var labels = LabelsOf(series.GetProperty("metric"));
            if (series.TryGetProperty("value", out var v))
            {
                lines.Add($"{labels} {Ms(v[0])}={D(v[1]).ToString("R", CultureInfo.InvariantCulture)}");
            }
            if (series.TryGetProperty("histogram", out var h))
            {
                lines.Add($"{labels} {Ms(h[0])}={ShowHttp(h[1])}");
            }
            foreach (var p in series.TryGetProperty("values", out var values) ? values.EnumerateArray() : default)
            {
                lines.Add($"{labels} {Ms(p[0])}={D(p[1]).ToString("R", CultureInfo.InvariantCulture)}");
            }
            foreach (var p in series.TryGetProperty("histograms", out var histograms) ? histograms.EnumerateArray() : default)
            {
                lines.Add($"{labels} {Ms(p[0])}={ShowHttp(p[1])}");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private async Task<JsonElement> Get(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
    }

    [Fact]
    public async Task Remote_written_histograms_answer_promql_as_the_in_memory_source_does_from_buffer_and_parquet()
    {
        var data = Data();
        var memory = new MemorySeriesSource();
        foreach (var (labels, version, samples) in data)
        {
            var series = RemoteWriteClient.Series(labels);
            series["histograms"] = new JsonArray([.. samples.Select(s => (JsonNode)ToJson(s.Ms, s.H, s.Integer))]);
            var response = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request(version, series));
            Assert.True(response.Status == 204, response.Body);
            if (version == "2")
            {
                Assert.Equal(Steps.ToString(CultureInfo.InvariantCulture), response.Headers["X-Prometheus-Remote-Write-Histograms-Written"]);
                Assert.Equal("0", response.Headers["X-Prometheus-Remote-Write-Samples-Written"]);
            }
            var set = Labels.From(labels.Select(l => new Label(l.Key, l.Value)));
            foreach (var (ms, h, _) in samples)
            {
                memory.Add(set, ms, h);
            }
        }
        var engine = new PromQLEngine(memory);
        var end = Start + ((Steps - 1) * StepMs);

        async Task Compare(string where)
        {
            var compared = 0;
            foreach (var query in Queries)
            {
                var instant = await engine.InstantQueryAsync(query, end, CancellationToken.None);
                var http = await Get($"/api/v1/query?query={Uri.EscapeDataString(query)}&time={end / 1000.0:R}");
                Assert.Equal(Lines(instant.Value), Lines(http));
                var range = await engine.RangeQueryAsync(query, Start, end, 30_000, CancellationToken.None);
                var httpRange = await Get($"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Start / 1000}&end={end / 1000.0:R}&step=30");
                var expected = Lines(range.Value);
                Assert.True(expected.SequenceEqual(Lines(httpRange)), $"{where}: {query}\nexpected:\n{string.Join("\n", expected)}\nactual:\n{string.Join("\n", Lines(httpRange))}");
                Assert.True(expected.Count > 0, $"{query} has no points to compare");
                compared += expected.Count;
            }
            Assert.True(compared > 200, $"only {compared} points compared");
        }

        await Compare("buffer");
        Assert.True((await Http.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        await Compare("Parquet");

        // DuckDB reads the stored layout (docs/promql.md, "Storage layout") from the persisted file.
        var file = (await PersistenceTests.Files(Http, "prometheus")).Single(f => f!["table"]!.GetValue<string>() == "rpc_seconds")!;
        var path = Path.Combine(Dir, "data", file["path"]!.GetValue<string>());
        var duck = JsonNode.Parse(Tsdb.Testing.NodeRunner.Run("parquet/read.mjs", "duckdb", path).EnsureSuccess("DuckDB").StandardOutput)!;
        Assert.Equal(("DOUBLE", "BIGINT", "VARCHAR", "VARCHAR"), (duck["types"]!["histogram:count"]!.GetValue<string>(), duck["types"]!["histogram:schema"]!.GetValue<string>(),
            duck["types"]!["histogram:positive"]!.GetValue<string>(), duck["types"]!["histogram:custom_values"]!.GetValue<string>()));
        var rows = duck["columns"]!["histogram:positive"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        Assert.Equal(data.Sum(d => d.Samples.Count), rows.Count);
        // Each row's text, written here from the histograms as the layout describes, is among the stored ones.
        foreach (var (_, _, samples) in data)
        {
            foreach (var (_, h, _) in samples)
            {
                var text = string.Join(",", h.PositiveSpans.Select(sp => $"{sp.Offset}:{sp.Length}")) + ";" + string.Join(",", h.PositiveBuckets.Select(c => c.ToString("R", CultureInfo.InvariantCulture)));
                Assert.Contains(text, rows);
            }
        }
        Assert.Equal(["-2", "-53", "0", "3"], duck["columns"]!["histogram:schema"]!.AsArray().Select(v => v!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains("0.1,0.5,1,2.5,5,10", duck["columns"]!["histogram:custom_values"]!.AsArray().Select(v => v!.GetValue<string>()));
        output.WriteLine($"{rows.Count} histogram samples, {file["size_bytes"]} bytes in Parquet: {(double)file["size_bytes"]!.GetValue<long>() / rows.Count:F1} bytes/sample");
    }

    [Fact]
    public async Task A_bad_histogram_refuses_its_series_and_the_good_series_are_stored()
    {
        var good = RemoteWriteClient.Series(new Dictionary<string, string> { ["__name__"] = "good_h" });
        good["histograms"] = new JsonArray(new JsonObject { ["ms"] = Start, ["count"] = 2, ["sum"] = 1, ["positiveSpans"] = new JsonArray(new JsonArray(0, 1)), ["positiveDeltas"] = new JsonArray(2) });
        var bad = RemoteWriteClient.Series(new Dictionary<string, string> { ["__name__"] = "bad_h" }, (Start, 1));
        bad["histograms"] = new JsonArray(new JsonObject { ["ms"] = Start, ["count"] = 2, ["sum"] = 1, ["positiveSpans"] = new JsonArray(new JsonArray(0, 2)), ["positiveDeltas"] = new JsonArray(2) });
        var response = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("2", good, bad));
        Assert.Equal(400, response.Status);
        Assert.Equal("1 series refused, 0 samples and 1 histogram samples of the other series stored: series bad_h{}: histogram sample at 1700000000000 ms: spans describe 2 buckets, 1 counts given (positive buckets)", response.Body.Trim());
        Assert.Equal("1", response.Headers["X-Prometheus-Remote-Write-Histograms-Written"]);
        var found = await Get($"/api/v1/query?query=histogram_count(%7B__name__%3D~%22.*_h%22%7D)&time={Start / 1000}");
        Assert.Equal(["{} 1700000000000=2"], Lines(found));
    }
}
