using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.PromQL;

namespace Tsdb.Server.Http;

/// <summary>Prometheus' <c>/api/v1/status/…</c> endpoints beside buildinfo: runtime, TSDB cardinality, flags, config.</summary>
internal sealed partial class PrometheusEndpoints
{
    /// <summary><c>GET /api/v1/status/runtimeinfo</c>: Prometheus' fields; the Go-only ones hold this process' nearest equivalent.</summary>
    public Task RuntimeInfo(HttpContext context)
    {
        using var process = Process.GetCurrentProcess();
        return PromJsonWriter.Success(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("startTime", process.StartTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("CWD", Environment.CurrentDirectory);
            json.WriteBoolean("reloadConfigSuccess", true);
            json.WriteString("lastConfigTime", process.StartTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("corruptionCount", 0);
            json.WriteNumber("goroutineCount", process.Threads.Count);
            json.WriteNumber("GOMAXPROCS", Environment.ProcessorCount);
            json.WriteString("GOGC", "");
            json.WriteString("GODEBUG", "");
            json.WriteString("storageRetention", catalog.Current.FindDatabase(Database(context.Request))?.RetentionPeriod is { } retention ? FormatDuration(retention) : "unlimited");
            json.WriteEndObject();
        });
    }

    /// <summary><c>GET /api/v1/status/flags</c>: the settings a Prometheus user would look for.</summary>
    public Task Flags(HttpContext context) => PromJsonWriter.Success(context, json =>
    {
        json.WriteStartObject();
        json.WriteString("storage.remote.read-sample-limit", options.RemoteReadSampleLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("query.lookback-delta", "5m");
        json.WriteString("query.max-samples", "");
        json.WriteString("web.listen-address", options.HttpBind);
        json.WriteEndObject();
    });

    /// <summary><c>GET /api/v1/status/config</c>: no Prometheus configuration file; an empty YAML document.</summary>
    public static Task Config(HttpContext context) => PromJsonWriter.Success(context, json =>
    {
        json.WriteStartObject();
        json.WriteString("yaml", "");
        json.WriteEndObject();
    });

    /// <summary>
    /// <c>GET /api/v1/status/tsdb?limit=</c> (default 10, as Prometheus): cardinality of the whole database (every
    /// series with a row in storage, buffer and Parquet alike: there is no separate head), read through the series
    /// scan that holds label sets only. minTime/maxTime come from the catalog's persisted files and are widened by
    /// nothing buffered.
    /// </summary>
    public Task TsdbStatus(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var limit = PromParams.Get(request, "limit") is { Length: > 0 } text
            ? int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : throw new ParamException("limit must be a positive number")
            : 10;
        var db = Database(request);
        // Every series of the database, held as label sets: reserved as a query's reads are.
        await ReadAsync(context, "a tsdb status request", "tsdb status (the series it read)", async source =>
        {
            var series = await source.SeriesAsync([], PromParams.MinTimeMs, PromParams.MaxTimeMs, context.RequestAborted).ConfigureAwait(false);
            var byMetric = new Dictionary<string, long>(StringComparer.Ordinal);
            var byPair = new Dictionary<string, long>(StringComparer.Ordinal);
            var valuesByName = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var labels in series)
            {
                foreach (var label in labels)
                {
                    if (label.Name == Labels.MetricName)
                    {
                        byMetric[label.Value] = byMetric.GetValueOrDefault(label.Value) + 1;
                    }
                    var pair = label.Name + "=" + label.Value;
                    byPair[pair] = byPair.GetValueOrDefault(pair) + 1;
                    if (!valuesByName.TryGetValue(label.Name, out var values))
                    {
                        valuesByName[label.Name] = values = new HashSet<string>(StringComparer.Ordinal);
                    }
                    values.Add(label.Value);
                }
            }
            long minTime = long.MaxValue, maxTime = long.MinValue;
            foreach (var file in catalog.Current.Files)
            {
                if (file.Database == db)
                {
                    minTime = Math.Min(minTime, file.MinTime / 1_000_000);
                    maxTime = Math.Max(maxTime, file.MaxTime / 1_000_000);
                }
            }
            await PromJsonWriter.Success(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartObject("headStats");
                json.WriteNumber("numSeries", series.Count);
                json.WriteNumber("numLabelPairs", byPair.Count);
                json.WriteNumber("chunkCount", 0);
                json.WriteNumber("minTime", minTime == long.MaxValue ? 0 : minTime);
                json.WriteNumber("maxTime", maxTime == long.MinValue ? 0 : maxTime);
                json.WriteEndObject();
                Top(json, "seriesCountByMetricName", byMetric, limit);
                Top(json, "labelValueCountByLabelName", valuesByName.ToDictionary(p => p.Key, p => (long)p.Value.Count, StringComparer.Ordinal), limit);
                Top(json, "memoryInBytesByLabelName", valuesByName.ToDictionary(p => p.Key, p => p.Value.Sum(v => (long)Encoding.UTF8.GetByteCount(v)), StringComparer.Ordinal), limit);
                Top(json, "seriesCountByLabelValuePair", byPair, limit);
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }).ConfigureAwait(false);
    });

    /// <summary>The <paramref name="limit"/> largest counts, largest first (ties by name), as <c>[{name, value}]</c>.</summary>
    private static void Top(Utf8JsonWriter json, string property, Dictionary<string, long> counts, int limit)
    {
        json.WriteStartArray(property);
        foreach (var (name, value) in counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(limit))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteNumber("value", value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static string FormatDuration(TimeSpan span) => span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays)
        ? $"{span.TotalDays:0}d"
        : $"{(long)span.TotalSeconds}s";
}
