using Microsoft.AspNetCore.Http;
using Tsdb.Otlp;
using Tsdb.Wal;

namespace Tsdb.Server.Http;

/// <summary>
/// <c>POST /v1/metrics?db=</c> and <c>POST /api/v1/otlp/v1/metrics?db=</c>: OTLP/HTTP metrics, protobuf or JSON, gzip or
/// not, into the database named as for remote write (default <c>prometheus</c>). Answers as OTLP/HTTP asks, in the
/// request's encoding: 200 with an ExportMetricsServiceResponse (its <c>partial_success</c> counting refused points),
/// 400 with a google.rpc.Status for a body that cannot be decoded, 415 for another content type, 413 over
/// <c>--max-http-request-size</c> (compressed or not), 503 with Retry-After when the write buffer is full, and the WAL's
/// 507/503/500 when it cannot write (senders retry 503 and 429, not 400).
/// </summary>
internal sealed class OtlpEndpoint(OtlpIngester ingester, ServerOptions options)
{
    // google.rpc.Code values for the Status body.
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;
    private const int Internal = 13;
    private const int Unavailable = 14;

    public async Task Write(HttpContext context)
    {
        var request = context.Request;
        var database = PrometheusEndpoints.Database(request);
        if (!await AccessControl.DemandAsync(context, database, ApiDialect.Prometheus).ConfigureAwait(false))
        {
            return;
        }
        if (EncodingOf(request.ContentType) is not { } encoding)
        {
            await Status(context, 415, InvalidArgument, $"unsupported content type '{request.ContentType}': OTLP/HTTP bodies are application/x-protobuf or application/json", OtlpEncoding.Protobuf).ConfigureAwait(false);
            return;
        }
        RequestBody body;
        try
        {
            body = await RequestBody.ReadAsync(request, options.MaxHttpRequestSize, context.RequestAborted, options.ProcessMemory).ConfigureAwait(false);
        }
        catch (RequestBody.TooLargeException e)
        {
            await Status(context, 413, ResourceExhausted, e.Message, encoding).ConfigureAwait(false);
            return;
        }
        catch (RequestBody.NoMemoryException e)
        {
            context.Response.Headers.RetryAfter = "5";
            await Status(context, 503, Unavailable, e.Message, encoding).ConfigureAwait(false);
            return;
        }
        catch (RequestBody.BadEncodingException e)
        {
            var unknownEncoding = e.Message.StartsWith("unacceptable", StringComparison.Ordinal);
            await Status(context, unknownEncoding ? 415 : 400, InvalidArgument, unknownEncoding ? $"{e.Message}: OTLP/HTTP bodies are gzip or not encoded" : e.Message, encoding).ConfigureAwait(false);
            return;
        }
        OtlpOutcome outcome;
        using (body)
        {
            try
            {
                // Not cancelled with the request: once handed to the WAL, the write completes.
                outcome = await ingester.WriteAsync(database, body.Memory, encoding, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WalUnavailableException e)
            {
                Tsdb.Ingest.WriteMetrics.Record("otlp", "error", 0, 0, body.Memory.Length);
                var status = HttpErrors.WalStatus(context, e);
                await Status(context, status, status == 500 ? Internal : Unavailable, $"the write was not stored: {e.Message}", encoding).ConfigureAwait(false);
                return;
            }
            RecordMetrics(outcome, body.Memory.Length);
        }
        switch (outcome.Status)
        {
            case OtlpStatus.Ok:
                context.Response.StatusCode = 200;
                context.Response.ContentType = ContentType(encoding);
                await context.Response.Body.WriteAsync(OtlpIngester.EncodeResponse(outcome, encoding)).ConfigureAwait(false);
                return;
            case OtlpStatus.Overloaded:
                context.Response.Headers.RetryAfter = "5";
                await Status(context, 503, Unavailable, outcome.Message!, encoding).ConfigureAwait(false);
                return;
            default:
                await Status(context, 400, InvalidArgument, outcome.Message!, encoding).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>The write metrics of one OTLP request, HTTP or gRPC: stored, partly stored, overloaded or refused.</summary>
    internal static void RecordMetrics(OtlpOutcome outcome, int bodyBytes) =>
        Tsdb.Ingest.WriteMetrics.Record(
            "otlp",
            outcome.Status switch
            {
                OtlpStatus.Ok when outcome.RejectedDataPoints == 0 => "ok",
                OtlpStatus.Ok when outcome.SamplesWritten > 0 => "partial",
                OtlpStatus.Overloaded => "overloaded",
                _ => "rejected",
            },
            outcome.SamplesWritten,
            outcome.RejectedDataPoints,
            bodyBytes);

    /// <summary>Content-Type → encoding (parameters such as charset ignored), or null for anything else.</summary>
    internal static OtlpEncoding? EncodingOf(string? contentType)
    {
        var mediaType = (contentType ?? "").Split(';')[0].Trim();
        return mediaType.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpEncoding.Protobuf
            : mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? OtlpEncoding.Json
            : null;
    }

    private static string ContentType(OtlpEncoding encoding) => encoding == OtlpEncoding.Protobuf ? "application/x-protobuf" : "application/json";

    private static async Task Status(HttpContext context, int status, int code, string message, OtlpEncoding encoding)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType(encoding);
        await context.Response.Body.WriteAsync(OtlpIngester.EncodeStatus(code, message, encoding)).ConfigureAwait(false);
    }
}
