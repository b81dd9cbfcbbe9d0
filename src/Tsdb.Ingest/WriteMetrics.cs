using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Ingest;

/// <summary>
/// The write path's meter, shared by every write API (line protocol v1, v2 and v3, Flight DoPut, Prometheus remote
/// write). One measurement per request, never per line.
/// </summary>
public static class WriteMetrics
{
    public const string MeterName = "Tsdb.Ingest";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "tsdb.write.requests", "{request}", "Write requests by API and outcome (ok, partial, rejected, overloaded, error)");

    private static readonly Counter<long> Lines = Meter.CreateCounter<long>(
        "tsdb.write.lines", "{line}", "Lines (remote write: samples) stored, by API");

    private static readonly Counter<long> RejectedLines = Meter.CreateCounter<long>(
        "tsdb.write.rejected_lines", "{line}", "Lines (remote write: series) refused, by API");

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "tsdb.write.request", "By", "Bytes of write request bodies after decompression, by API");

    /// <summary>Records one write request.</summary>
    /// <param name="api">v1, v2, v3, flight or remote_write.</param>
    /// <param name="outcome">ok, partial, rejected, overloaded or error.</param>
    public static void Record(string api, string outcome, long linesStored, long linesRejected, long bodyBytes)
    {
        var apiTag = new KeyValuePair<string, object?>("api", api);
        Requests.Add(1, apiTag, new KeyValuePair<string, object?>("outcome", outcome));
        if (linesStored > 0)
        {
            Lines.Add(linesStored, apiTag);
        }
        if (linesRejected > 0)
        {
            RejectedLines.Add(linesRejected, apiTag);
        }
        Bytes.Add(bodyBytes, apiTag);
    }

    /// <summary>The outcome tag of a line-protocol write.</summary>
    public static string OutcomeOf(WriteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.RequestError switch
        {
            WriteRequestError.None when outcome.LineErrors.Count == 0 => "ok",
            WriteRequestError.None when outcome.LinesWritten > 0 => "partial",
            WriteRequestError.Overloaded => "overloaded",
            _ => "rejected",
        };
    }
}
