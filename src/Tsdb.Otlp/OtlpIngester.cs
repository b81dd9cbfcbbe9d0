using Google.Protobuf;
using Tsdb.Otlp.Protocol;
using Tsdb.Prometheus;
using Tsdb.Wal;

namespace Tsdb.Otlp;

/// <summary>
/// The OTLP metrics path: protobuf or JSON → ExportMetricsServiceRequest → Prometheus series
/// (<see cref="OtlpTranslator"/>) → remote write's staging and WAL (<see cref="RemoteWriteIngester.WriteSeriesAsync"/>),
/// acknowledged after the WAL fsync. Refused points are counted in data points, as the partial-success answer wants.
/// </summary>
public sealed class OtlpIngester(RemoteWriteIngester remoteWrite, OtlpOptions options)
{
    private const int MaxReportedErrors = 10;

    private readonly OtlpTranslator _translator = new(options);

    public OtlpOptions Options { get; } = options;

    /// <summary>Decodes, translates and stores one export request. Throws <see cref="WalUnavailableException"/> when the WAL cannot write.</summary>
    public async ValueTask<OtlpOutcome> WriteAsync(string database, ReadOnlyMemory<byte> body, OtlpEncoding encoding, CancellationToken cancellationToken = default)
    {
        ExportMetricsServiceRequest request;
        try
        {
            request = OtlpDecoder.Decode(body.Span, encoding);
        }
        catch (OtlpDecodeException e)
        {
            return OtlpOutcome.Refused(OtlpStatus.BadRequest, e.Message);
        }
        var translation = _translator.Translate(request);
        var refused = new List<int>();
        var stored = await remoteWrite.WriteSeriesAsync(database, translation.Series, refused, cancellationToken).ConfigureAwait(false);
        switch (stored.Status)
        {
            case RemoteWriteStatus.Overloaded:
                return OtlpOutcome.Refused(OtlpStatus.Overloaded, stored.Message!);
            case RemoteWriteStatus.BadRequest when stored.SamplesWritten + stored.HistogramsWritten == 0 && refused.Count == 0:
                // Nothing was staged at all: the database name, or the database could not be created.
                return OtlpOutcome.Refused(OtlpStatus.BadRequest, stored.Message!);
            case RemoteWriteStatus.LimitExceeded when refused.Count == 0:
                return OtlpOutcome.Refused(OtlpStatus.BadRequest, stored.Message!);
        }
        foreach (var (metric, metadata) in translation.Metadata)
        {
            remoteWrite.Metadata.Set(database, metric, metadata);
        }
        // Changed type/unit/help goes to the catalog once per request, as remote write's does.
        await remoteWrite.Metadata.PersistAsync(database, cancellationToken).ConfigureAwait(false);
        // A point is refused when any of its series is (a histogram's bucket, say); target_info (-1) is no point.
        var refusedPoints = new HashSet<int>();
        foreach (var index in refused)
        {
            if (translation.PointOfSeries[index] is var point and >= 0)
            {
                refusedPoints.Add(point);
            }
        }
        var errors = new List<string>(translation.Errors);
        if (stored.Message is { } storeMessage)
        {
            errors.Add(storeMessage);
        }
        var rejected = translation.Rejected + refusedPoints.Count;
        var shown = string.Join("; ", errors.Take(MaxReportedErrors));
        var more = errors.Count > MaxReportedErrors ? $" (and {errors.Count - MaxReportedErrors} more)" : "";
        return new OtlpOutcome(OtlpStatus.Ok, errors.Count == 0 ? null : shown + more, translation.DataPoints, rejected, stored.SamplesWritten + stored.HistogramsWritten, stored.ExemplarsWritten);
    }

    /// <summary>The 200 answer: an ExportMetricsServiceResponse, with <c>partial_success</c> when something was refused or is worth a warning.</summary>
    public static byte[] EncodeResponse(OtlpOutcome outcome, OtlpEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var response = new ExportMetricsServiceResponse();
        if (outcome.RejectedDataPoints > 0 || outcome.Message is not null)
        {
            response.PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = outcome.RejectedDataPoints, ErrorMessage = outcome.Message ?? "" };
        }
        return Encode(response, encoding);
    }

    /// <summary>The body of a 4xx/5xx answer: a google.rpc.Status (<paramref name="code"/> is a google.rpc.Code: 3 invalid argument, 8 resource exhausted, 14 unavailable).</summary>
    public static byte[] EncodeStatus(int code, string message, OtlpEncoding encoding) =>
        Encode(new Status { Code = code, Message = message }, encoding);

    private static byte[] Encode(IMessage message, OtlpEncoding encoding) =>
        encoding == OtlpEncoding.Protobuf ? message.ToByteArray() : System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));
}
