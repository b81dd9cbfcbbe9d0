using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tsdb.Prometheus;
using Tsdb.Wal;

namespace Tsdb.Server.Http;

/// <summary>
/// <c>POST /api/v1/write?db=</c>: Prometheus remote-write 1.0 and 2.0, told apart by Content-Type. Answers as the
/// spec asks: 204 when everything was stored, 400 for what can never be stored (bad snappy or protobuf, invalid
/// series, native histograms — the good series of the request are still stored), 415 for an unknown content type
/// or encoding, 413 over 32 MiB, 503 with Retry-After when the write buffer is full, 507 with Retry-After when the
/// WAL's disk is full and 500 when the WAL stopped (all retried by senders); 503 with Retry-After also when the
/// process's memory budget has no room for the body and what it decompresses to (both reserved while it is decoded).
/// Acknowledged after the WAL fsync, like every write.
/// A 2.0 request is answered, once its content type and encoding are accepted, with the spec's
/// <c>X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written</c> headers on every status, errors included
/// (what was stored: 0 when nothing was); 1.0 requests get none, as from Prometheus.
/// </summary>
internal sealed class RemoteWriteEndpoint(RemoteWriteIngester ingester, Tsdb.Core.Diagnostics.ProcessMemory? memory)
{
    private const int MaxBodyBytes = 32 << 20;
    private const string V2ProtoName = "io.prometheus.write.v2.Request";

    public async Task Write(HttpContext context)
    {
        var request = context.Request;
        if (!await AccessControl.DemandAsync(context, PrometheusEndpoints.Database(request), ApiDialect.Prometheus).ConfigureAwait(false))
        {
            return;
        }
        if (!TryGetVersion(request.ContentType, out var version))
        {
            await Text(context, 415, $"unsupported content type '{request.ContentType}': use application/x-protobuf (proto=prometheus.WriteRequest or proto={V2ProtoName})").ConfigureAwait(false);
            return;
        }
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        if (encoding.Length > 0 && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            await Text(context, 415, $"unsupported content encoding '{encoding}': remote-write bodies are snappy (block format)").ConfigureAwait(false);
            return;
        }
        RequestBody body;
        try
        {
            body = await RequestBody.ReadRawAsync(request, MaxBodyBytes, context.RequestAborted, memory).ConfigureAwait(false);
        }
        catch (RequestBody.TooLargeException e)
        {
            WrittenHeaders(context, version, null);
            await Text(context, 413, e.Message).ConfigureAwait(false);
            return;
        }
        catch (RequestBody.NoMemoryException e)
        {
            await NoMemory(e).ConfigureAwait(false);
            return;
        }
        if (DecodedLength(body) is { } decoded)
        {
            try
            {
                // What the snappy body decompresses into, held beside it while it is decoded.
                body.ReserveMore(decoded);
            }
            catch (RequestBody.NoMemoryException e)
            {
                body.Dispose();
                await NoMemory(e).ConfigureAwait(false);
                return;
            }
        }
        RemoteWriteOutcome outcome;
        using (body)
        {
            try
            {
                // Not cancelled with the request: once handed to the WAL, the write completes.
                outcome = await ingester.WriteAsync(PrometheusEndpoints.Database(request), body.Memory, version, CancellationToken.None).ConfigureAwait(false);
                // Metadata that changed goes to the catalog once per request (senders repeat it unchanged every minute).
                await ingester.Metadata.PersistAsync(PrometheusEndpoints.Database(request), CancellationToken.None).ConfigureAwait(false);
            }
            catch (WalUnavailableException e)
            {
                Tsdb.Ingest.WriteMetrics.Record("remote_write", "error", 0, 0, body.Memory.Length);
                WrittenHeaders(context, version, null);
                // Prometheus' dialect: plain text; senders retry 5xx (507 on a full disk, with Retry-After).
                await Text(context, HttpErrors.WalStatus(context, e), $"the write was not stored: {e.Message}").ConfigureAwait(false);
                return;
            }
            Tsdb.Ingest.WriteMetrics.Record(
                "remote_write",
                outcome.Status switch
                {
                    RemoteWriteStatus.Ok => "ok",
                    RemoteWriteStatus.Overloaded => "overloaded",
                    _ when outcome.SamplesWritten + outcome.HistogramsWritten > 0 => "partial",
                    _ => "rejected",
                },
                outcome.SamplesWritten + outcome.HistogramsWritten,
                0, // refused series show in the outcome tag; the ingester does not count them
                body.Memory.Length);
        }
        WrittenHeaders(context, version, outcome);
        switch (outcome.Status)
        {
            case RemoteWriteStatus.Ok:
                context.Response.StatusCode = 204;
                return;
            case RemoteWriteStatus.Overloaded:
                context.Response.Headers.RetryAfter = "5";
                await Text(context, 503, outcome.Message!).ConfigureAwait(false);
                return;
            default:
                await Text(context, 400, outcome.Message!).ConfigureAwait(false);
                return;
        }

        // Refused, as a full buffer is: senders retry 5xx.
        Task NoMemory(RequestBody.NoMemoryException e)
        {
            WrittenHeaders(context, version, null);
            context.Response.Headers.RetryAfter = "5";
            return Text(context, 503, e.Message);
        }
    }

    /// <summary>
    /// What the snappy body says it decompresses to, when it can be read and is within the decoder's limit (the decoder
    /// itself answers a body that is neither); null without a budget.
    /// </summary>
    private int? DecodedLength(RequestBody body)
    {
        if (memory is null)
        {
            return null;
        }
        try
        {
            var length = Tsdb.Core.Compression.Snappy.GetDecompressedLength(body.Memory.Span);
            return length is > 0 and <= MaxBodyBytes ? length : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The 2.0 spec's counts of what a request stored (<paramref name="outcome"/> null: nothing was).</summary>
    private static void WrittenHeaders(HttpContext context, RemoteWriteVersion version, RemoteWriteOutcome? outcome)
    {
        if (version != RemoteWriteVersion.V2)
        {
            return;
        }
        var headers = context.Response.Headers;
        headers["X-Prometheus-Remote-Write-Samples-Written"] = (outcome?.SamplesWritten ?? 0).ToString(CultureInfo.InvariantCulture);
        headers["X-Prometheus-Remote-Write-Histograms-Written"] = (outcome?.HistogramsWritten ?? 0).ToString(CultureInfo.InvariantCulture);
        headers["X-Prometheus-Remote-Write-Exemplars-Written"] = (outcome?.ExemplarsWritten ?? 0).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Content-Type → message schema. A missing Content-Type is 1.0, as in Prometheus' receiver.</summary>
    internal static bool TryGetVersion(string? contentType, out RemoteWriteVersion version)
    {
        version = RemoteWriteVersion.V1;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }
        var parts = contentType.Split(';');
        if (!parts[0].Trim().Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        foreach (var parameter in parts.Skip(1))
        {
            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !parameter[..eq].Trim().Equals("proto", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var proto = parameter[(eq + 1)..].Trim().Trim('"');
            switch (proto)
            {
                case "prometheus.WriteRequest":
                    version = RemoteWriteVersion.V1;
                    break;
                case V2ProtoName:
                    version = RemoteWriteVersion.V2;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static Task Text(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }
}
