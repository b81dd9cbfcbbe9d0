using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tsdb.Testing;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A real Prometheus 2.42 with <c>--enable-feature=native-histograms</c> scrapes <see cref="NativeHistogramTarget"/>
/// (protobuf exposition, native histograms with negative buckets, a new bucket and a counter reset) and remote-writes
/// the samples here (<c>send_native_histograms: true</c>). The same PromQL over the same samples, asked of that
/// Prometheus and of this store, must give the same answers.
/// </summary>
public sealed partial class PrometheusNativeHistogramTests(ITestOutputHelper output) : ServerPerClass("promnh")
{
    private const string Db = "scraped";
    private const string Metric = "rpc_duration_seconds";

    private static readonly string[] InstantQueries =
    [
        $"{Metric}[30s]",
        Metric,
        $"rate({Metric}[10s])",
        $"histogram_count({Metric})",
        $"histogram_sum(rate({Metric}[10s]))",
        $"histogram_count(increase({Metric}[20s]))",
        $"sum by (job) (rate({Metric}[10s]))",
        $"histogram_fraction(-1, 1, rate({Metric}[10s]))",
    ];

    /// <summary>
    /// histogram_quantile differs by design: Prometheus 2.42 interpolates linearly inside the bucket the rank falls
    /// in, Prometheus 3 (which this store follows) exponentially inside exponential buckets (linearly only in the zero
    /// bucket). Both are checked against their own rule over the same bucket of the same rate histogram.
    /// </summary>
    private static readonly (double Q, string Inner)[] QuantileQueries =
    [
        (0.9, $"rate({Metric}[10s])"),
        (0.5, $"rate({Metric}[10s])"),
        (0.9, $"sum by (job) (rate({Metric}[10s]))"),
        (0.05, $"sum by (job) (rate({Metric}[10s]))"),
    ];

    [Fact]
    public async Task Prometheus_2_42_and_this_store_answer_the_same_over_scraped_native_histograms()
    {
        using var target = new NativeHistogramTarget();
        var (port, directory) = PrometheusServer.Prepare();
        var config = $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: nh
                static_configs:
                  - targets: ['127.0.0.1:{target.Port}']
            remote_write:
              - url: {Server.Url.ToString().TrimEnd('/')}/api/v1/write?db={Db}
                send_native_histograms: true
                authorization:
                  credentials: {Server.AdminToken}
                queue_config:
                  batch_send_deadline: 1s
            """;
        using var prometheus = PrometheusServer.Start(port, directory, config, "--enable-feature=native-histograms");
        using var promHttp = new HttpClient { BaseAddress = prometheus.Url };

        // Every state scraped and a few constant samples after: the sample times of series a, from Prometheus.
        var needed = NativeHistogramTarget.States + 3;
        List<long> times = [];
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            times = SampleTimes(await Query(promHttp, $"{Metric}{{path=\"a\"}}[5m]", now));
            if (times.Count >= needed)
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.True(times.Count >= needed, $"Prometheus has {times.Count} samples after {target.Scrapes} scrapes\n{prometheus.Output}");
        Assert.StartsWith("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", target.LastAccept, StringComparison.Ordinal);

        // Evaluation times between samples: no sample on a window's edge, where 2.42's closed windows [t-r, t] and
        // Prometheus 3's left-open ones (t-r, t], which this store follows, would differ. Half a scrape interval past
        // the last sample when scrapes keep time; a loaded machine delays some, so the offset is the one that keeps
        // every sample furthest from a whole second before the evaluation times.
        static long EdgeDistance(long d) => Math.Min(((d % 1000) + 1000) % 1000, 1000 - (((d % 1000) + 1000) % 1000));
        var last = times[needed - 1];
        var at = last + Enumerable.Range(1, 999).MaxBy(o => times.Min(t => EdgeDistance(last + o - t)));
        var start = at - 20_000;
        foreach (var t in times)
        {
            for (var e = start; e <= at; e += 1000)
            {
                Assert.True(t != e - 10_000 && t != e - 20_000 && t != e - 30_000, $"sample at {t} is on a window edge of {e}");
            }
        }

        // Remote write is asynchronous: wait until this store has exactly Prometheus' raw samples.
        var raw = $"{Metric}[1m]";
        var theirs = Normalize(NativeHistogramTests.Lines(await Query(promHttp, raw, at)));
        List<string> ours = [];
        for (var waited = 0; waited < 60_000; waited += 500)
        {
            ours = Normalize(NativeHistogramTests.Lines(await Query(Http, raw, at, Db)));
            if (ours.SequenceEqual(theirs))
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.True(ours.SequenceEqual(theirs), $"raw samples differ\nPrometheus:\n{string.Join("\n", theirs)}\nhere:\n{string.Join("\n", ours)}");
        Assert.True(theirs.Count >= 2 * needed, $"only {theirs.Count} raw samples");

        var compared = 0;
        foreach (var query in InstantQueries)
        {
            var expected = Normalize(NativeHistogramTests.Lines(await Query(promHttp, query, at)));
            var actual = Normalize(NativeHistogramTests.Lines(await Query(Http, query, at, Db)));
            Assert.True(expected.SequenceEqual(actual), $"{query} at {at}\nPrometheus 2.42:\n{string.Join("\n", expected)}\nhere:\n{string.Join("\n", actual)}");
            Assert.NotEmpty(expected);
            compared += expected.Count;
            if (query.EndsWith("[30s]", StringComparison.Ordinal))
            {
                continue;   // a range selector is an instant query only
            }
            expected = Normalize(NativeHistogramTests.Lines(await QueryRange(promHttp, query, start, at)));
            actual = Normalize(NativeHistogramTests.Lines(await QueryRange(Http, query, start, at, Db)));
            Assert.True(expected.SequenceEqual(actual), $"{query} over [{start}, {at}]\nPrometheus 2.42:\n{string.Join("\n", expected)}\nhere:\n{string.Join("\n", actual)}");
            compared += expected.Count;
        }
        foreach (var (q, inner) in QuantileQueries)
        {
            var query = $"histogram_quantile({q.ToString(CultureInfo.InvariantCulture)}, {inner})";
            foreach (var range in new[] { false, true })
            {
                var histograms = Points(range ? await QueryRange(promHttp, inner, start, at) : await Query(promHttp, inner, at));
                var theirQuantiles = Points(range ? await QueryRange(promHttp, query, start, at) : await Query(promHttp, query, at));
                var ourQuantiles = Points(range ? await QueryRange(Http, query, start, at, Db) : await Query(Http, query, at, Db));
                Assert.Equal(histograms.Keys.Order(), theirQuantiles.Keys.Order());
                Assert.Equal(histograms.Keys.Order(), ourQuantiles.Keys.Order());
                foreach (var (key, histogram) in histograms)
                {
                    var (linear, exponential) = Interpolations(q, histogram);
                    var theirValue = theirQuantiles[key].GetString()!;
                    var ourValue = ourQuantiles[key].GetString()!;
                    Assert.True(Close(linear, theirValue), $"{query} {key}: Prometheus 2.42 {theirValue}, linear interpolation {linear}");
                    Assert.True(Close(exponential, ourValue), $"{query} {key}: here {ourValue}, exponential interpolation {exponential}");
                    compared++;
                }
            }
        }

        output.WriteLine($"{target.Scrapes} scrapes, {theirs.Count} raw samples, {compared} answer points compared");
        Assert.True(compared > 300, $"only {compared} points compared");
    }

    /// <summary>Each point of an answer by "labels@ms": the histogram object or the value string.</summary>
    private static Dictionary<string, JsonElement> Points(JsonElement data)
    {
        var points = new Dictionary<string, JsonElement>();
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").GetRawText();
            foreach (var name in new[] { "value", "histogram" })
            {
                if (series.TryGetProperty(name, out var p))
                {
                    points[$"{labels}@{Math.Round(p[0].GetDouble() * 1000)}"] = p[1];
                }
            }
            foreach (var name in new[] { "values", "histograms" })
            {
                foreach (var p in series.TryGetProperty(name, out var list) ? list.EnumerateArray() : default)
                {
                    points[$"{labels}@{Math.Round(p[0].GetDouble() * 1000)}"] = p[1];
                }
            }
        }
        return points;
    }

    /// <summary>
    /// The φ-quantile of a histogram from the query API's JSON (buckets in ascending order): rank φ·count, the bucket
    /// where the cumulative count reaches it, and the position in it by linear interpolation (Prometheus 2.42) and
    /// by Prometheus 3's: exponential inside an exponential bucket, linear in the zero bucket.
    /// </summary>
    private static (double Linear, double Exponential) Interpolations(double q, JsonElement histogram)
    {
        static double D(JsonElement e) => double.Parse(e.GetString()!, CultureInfo.InvariantCulture);
        var rank = q * D(histogram.GetProperty("count"));
        double cumulative = 0;
        foreach (var bucket in histogram.GetProperty("buckets").EnumerateArray())
        {
            var (lower, upper, count) = (D(bucket[1]), D(bucket[2]), D(bucket[3]));
            if (cumulative + count < rank)
            {
                cumulative += count;
                continue;
            }
            var fraction = (rank - cumulative) / count;
            var linear = lower + ((upper - lower) * fraction);
            if (lower < 0 && upper > 0)
            {
                return (linear, linear);
            }
            var exponential = lower > 0
                ? Math.Pow(2, Math.Log2(lower) + ((Math.Log2(upper) - Math.Log2(lower)) * fraction))
                : -Math.Pow(2, Math.Log2(-upper) + ((Math.Log2(-lower) - Math.Log2(-upper)) * (1 - fraction)));
            return (linear, exponential);
        }
        throw new InvalidOperationException($"rank {rank} beyond the buckets of {histogram}");
    }

    private static bool Close(double expected, string actual)
    {
        var value = double.Parse(actual, CultureInfo.InvariantCulture);
        return Math.Abs(value - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected));
    }

    private static List<long> SampleTimes(JsonElement data) =>
        [.. data.GetProperty("result").EnumerateArray().SelectMany(s => s.TryGetProperty("histograms", out var h) ? h.EnumerateArray() : default)
            .Select(p => (long)Math.Round(p[0].GetDouble() * 1000))];

    /// <summary>Numbers to 12 significant digits: the two engines may sum in different orders.</summary>
    private static List<string> Normalize(List<string> lines) =>
        [.. lines.Select(l => NumberPattern().Replace(l, m => double.Parse(m.Value, CultureInfo.InvariantCulture).ToString("G12", CultureInfo.InvariantCulture)))];

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static Task<JsonElement> Query(HttpClient http, string query, long atMs, string? db = null) =>
        Get(http, $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={Seconds(atMs)}" + (db is null ? "" : $"&db={db}"));

    private static Task<JsonElement> QueryRange(HttpClient http, string query, long startMs, long endMs, string? db = null) =>
        Get(http, $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Seconds(startMs)}&end={Seconds(endMs)}&step=1" + (db is null ? "" : $"&db={db}"));

    private static async Task<JsonElement> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?")]
    private static partial Regex NumberPattern();
}
