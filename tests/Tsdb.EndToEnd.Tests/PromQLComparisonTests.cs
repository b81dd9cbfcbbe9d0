using System.Globalization;
using System.Text.Json;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The same data in a real Prometheus 2.42 (backfilled with promtool) and in this database (remote-written by the
/// independent encoder); PromQL queries must answer alike through both HTTP APIs. Samples sit 3.5 s after the
/// 15 s grid and queries use times and ranges on the grid, so no sample is on a window edge (2.42 closes windows
/// on the left, 3.x and this engine open them). Every query is asked of a cluster's query node too (the series split
/// over two ingest nodes, one persisted), which must answer alike.
/// </summary>
public sealed class PromQLComparisonTests(PromQLComparisonFixture fixture) : IClassFixture<PromQLComparisonFixture>
{
    private const long BaseSeconds = PromQLComparisonFixture.BaseSeconds;

    public static TheoryData<string> Queries =>
    [
        "http_requests_total",
        "http_requests_total{code=~\"5..\"}",
        "http_requests_total{job!=\"api\"}",
        "rate(http_requests_total[5m])",
        "irate(http_requests_total[5m])",
        "increase(http_requests_total[10m])",
        "resets(http_requests_total[30m])",
        "sum by (job) (rate(http_requests_total[5m]))",
        "sum(rate(http_requests_total{code=\"500\"}[5m])) / sum(rate(http_requests_total[5m]))",
        "count by (code) (http_requests_total)",
        "temperature",
        "temperature > 21",
        "avg_over_time(temperature[10m])",
        "max_over_time(temperature[15m]) - min_over_time(temperature[15m])",
        "max by (floor) (temperature)",
        "topk(2, temperature)",
        "delta(temperature[10m])",
        "deriv(temperature[10m])",
        "changes(temperature[30m])",
        "quantile(0.9, temperature)",
        "label_replace(temperature, \"r\", \"$1\", \"room\", \"(k.*)\")",
        "temperature offset 5m",
        "absent(nonexistent_metric)",
        "scalar(sum(temperature))",
        "time()",
        "sum(temperature) by (floor) * on (floor) group_left count(temperature) by (floor)",
        "rate(http_requests_total[5m:1m])",
    ];

    private static async Task<JsonElement> Data(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{client.BaseAddress}{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Instant_queries_answer_like_prometheus(string query)
    {
        var answered = 0;
        foreach (var offset in new[] { "600", "1815.5", "3600", "7200.25" })
        {
            var path = $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={(BaseSeconds + decimal.Parse(offset, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture)}";
            var expected = await Data(fixture.Theirs, path);
            var actual = await Data(fixture.Ours, path);
            AssertSameResult(expected, actual, $"{query} at +{offset}s");
            AssertSameResult(expected, await Data(fixture.ClusterQuery, path), $"{query} at +{offset}s on a cluster's query node");
            answered += Size(expected);
        }
        // Empty answers on both sides would prove nothing: every query has data at some of the times.
        Assert.True(answered > 0, $"{query}: no result at any time");
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Range_queries_answer_like_prometheus(string query)
    {
        var path = $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={BaseSeconds + 600}&end={BaseSeconds + 7500}&step=60";
        var expected = await Data(fixture.Theirs, path);
        AssertSameResult(expected, await Data(fixture.Ours, path), query);
        AssertSameResult(expected, await Data(fixture.ClusterQuery, path), query + " on a cluster's query node");
        Assert.True(Size(expected) > 0, $"{query}: empty range result");
    }

    private static int Size(JsonElement data) =>
        data.GetProperty("result") is { ValueKind: JsonValueKind.Array } result && data.GetProperty("resultType").GetString() is "vector" or "matrix" ? result.GetArrayLength() : 1;

    private static void AssertSameResult(JsonElement expected, JsonElement actual, string what)
    {
        var type = expected.GetProperty("resultType").GetString();
        Assert.Equal(type, actual.GetProperty("resultType").GetString());
        var e = expected.GetProperty("result");
        var a = actual.GetProperty("result");
        if (type is "scalar" or "string")
        {
            AssertSamePoint(e, a, what);
            return;
        }
        var expectedSeries = Series(e, what);
        var actualSeries = Series(a, what);
        Assert.True(expectedSeries.Keys.Order(StringComparer.Ordinal).SequenceEqual(actualSeries.Keys.Order(StringComparer.Ordinal)),
            $"{what}: series differ\nprometheus: {string.Join(" ", expectedSeries.Keys.Order(StringComparer.Ordinal))}\nours:       {string.Join(" ", actualSeries.Keys.Order(StringComparer.Ordinal))}");
        foreach (var (labels, points) in expectedSeries)
        {
            var ours = actualSeries[labels];
            Assert.True(points.Count == ours.Count, $"{what} {labels}: {points.Count} points from prometheus, {ours.Count} from us\nprometheus: {string.Join(" ", points)}\nours: {string.Join(" ", ours)}");
            for (var i = 0; i < points.Count; i++)
            {
                AssertSamePoint(points[i], ours[i], $"{what} {labels}");
            }
        }
    }

    private static Dictionary<string, List<JsonElement>> Series(JsonElement result, string what)
    {
        var series = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var item in result.EnumerateArray())
        {
            var labels = string.Join(",", item.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").Order(StringComparer.Ordinal));
            var points = item.TryGetProperty("values", out var values) ? values.EnumerateArray().ToList() : [item.GetProperty("value")];
            Assert.True(series.TryAdd(labels, points), $"{what}: series {labels} appears twice");
        }
        return series;
    }

    private static void AssertSamePoint(JsonElement expected, JsonElement actual, string what)
    {
        Assert.Equal(expected[0].GetRawText(), actual[0].GetRawText());
        var e = expected[1].GetString()!;
        var a = actual[1].GetString()!;
        if (e == a)
        {
            return;
        }
        // The last bits may differ where the engines add in a different order.
        var ev = double.Parse(e, CultureInfo.InvariantCulture);
        var av = double.Parse(a, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(ev - av) <= 1e-9 * Math.Max(1, Math.Abs(ev)), $"{what} at {expected[0]}: prometheus {e}, ours {a}");
    }
}
