using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Query;

/// <summary>
/// The query meter, fed by the front ends (HTTP for sql, influxql and promql; Flight for flight): one measurement
/// when a query starts and one when its response has been sent.
/// </summary>
public static class QueryMetrics
{
    public const string MeterName = "Tsdb.Query";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);

    private static readonly Counter<long> Queries = Meter.CreateCounter<long>(
        "tsdb.queries", "{query}", "Queries by language (sql, influxql, promql, flight) and status (ok, client_error, server_error, cancelled)");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "tsdb.query.duration", "s", "Time from a query's arrival until its response was sent, by language and status",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });

    private static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>(
        "tsdb.queries.running", "{query}", "Queries running now, by language");

    /// <summary>Counts a query as running; pass the returned timestamp to <see cref="Stop"/>.</summary>
    public static long Start(string language)
    {
        Running.Add(1, new KeyValuePair<string, object?>("language", language));
        return Stopwatch.GetTimestamp();
    }

    /// <param name="status">ok, client_error, server_error or cancelled.</param>
    public static void Stop(string language, long started, string status)
    {
        var languageTag = new KeyValuePair<string, object?>("language", language);
        var statusTag = new KeyValuePair<string, object?>("status", status);
        Running.Add(-1, languageTag);
        Queries.Add(1, languageTag, statusTag);
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, languageTag, statusTag);
    }

    /// <summary>The status tag of an HTTP status code.</summary>
    public static string StatusOf(int httpStatus) => httpStatus switch
    {
        < 400 => "ok",
        499 => "cancelled",
        < 500 => "client_error",
        _ => "server_error",
    };
}
