using Microsoft.AspNetCore.Http;
using Tsdb.Ingest;
using Tsdb.LineProtocol;
using Tsdb.Wal;

namespace Tsdb.Server.Http;

/// <summary>The three line-protocol write endpoints: InfluxDB 3 native, v2 and v1 compatible.</summary>
internal sealed class WriteEndpoints(LineProtocolIngester ingester, ServerOptions options)
{
    /// <summary><c>POST /api/v3/write_lp?db=&amp;precision=&amp;accept_partial=&amp;no_sync=</c></summary>
    public Task WriteV3(HttpContext context)
    {
        var query = context.Request.Query;
        var db = query["db"].ToString();
        if (db.Length == 0)
        {
            return HttpErrors.Write(context, ApiDialect.V3, 400, "missing required query parameter 'db'");
        }
        if (!PrecisionParser.TryParse(query["precision"].ToString() is { Length: > 0 } p ? p : "auto", allowAuto: true, out var precision))
        {
            return HttpErrors.Write(context, ApiDialect.V3, 400, $"invalid precision '{query["precision"]}': use auto, nanosecond, microsecond, millisecond or second (or ns, us, ms, s)");
        }
        if (!TryBool(query["accept_partial"].ToString(), true, out var acceptPartial) || !TryBool(query["no_sync"].ToString(), false, out var noSync))
        {
            return HttpErrors.Write(context, ApiDialect.V3, 400, "accept_partial and no_sync take true or false");
        }
        return Write(context, ApiDialect.V3, "v3", db, precision, acceptPartial, noSync);
    }

    /// <summary><c>POST /api/v2/write?bucket=&amp;org=&amp;precision=</c> — the bucket names the database.</summary>
    public Task WriteV2(HttpContext context)
    {
        var query = context.Request.Query;
        var db = query["bucket"].ToString();
        if (db.Length == 0)
        {
            return HttpErrors.Write(context, ApiDialect.V2, 400, "missing required query parameter 'bucket'");
        }
        if (!PrecisionParser.TryParse(query["precision"].ToString(), allowAuto: false, out var precision))
        {
            return HttpErrors.Write(context, ApiDialect.V2, 400, $"invalid precision '{query["precision"]}': use ns, us, ms or s");
        }
        return Write(context, ApiDialect.V2, "v2", db, precision, acceptPartial: true, noSync: false);
    }

    /// <summary><c>POST /write?db=&amp;rp=&amp;precision=</c> — a retention policy other than the default maps to "db/rp".</summary>
    public Task WriteV1(HttpContext context)
    {
        var query = context.Request.Query;
        var db = query["db"].ToString();
        if (db.Length == 0)
        {
            return HttpErrors.Write(context, ApiDialect.V3, 400, "missing required query parameter 'db'");
        }
        var rp = query["rp"].ToString();
        if (rp.Length > 0 && rp != "autogen" && rp != "default")
        {
            db = $"{db}/{rp}";
        }
        if (!PrecisionParser.TryParse(query["precision"].ToString(), allowAuto: false, out var precision))
        {
            return HttpErrors.Write(context, ApiDialect.V3, 400, $"invalid precision '{query["precision"]}': use n, ns, u, us, ms or s");
        }
        return Write(context, ApiDialect.V3, "v1", db, precision, acceptPartial: true, noSync: false);
    }

    private async Task Write(HttpContext context, ApiDialect dialect, string api, string db, Precision precision, bool acceptPartial, bool noSync)
    {
        if (!await AccessControl.DemandAsync(context, db, dialect).ConfigureAwait(false))
        {
            return;
        }
        RequestBody body;
        try
        {
            body = await RequestBody.ReadAsync(context.Request, options.MaxHttpRequestSize, context.RequestAborted, options.ProcessMemory).ConfigureAwait(false);
        }
        catch (RequestBody.TooLargeException e)
        {
            await HttpErrors.Write(context, dialect, 413, e.Message).ConfigureAwait(false);
            return;
        }
        catch (RequestBody.NoMemoryException e)
        {
            context.Response.Headers.RetryAfter = "5";
            await HttpErrors.Write(context, dialect, 503, e.Message).ConfigureAwait(false);
            return;
        }
        catch (RequestBody.BadEncodingException e)
        {
            await HttpErrors.Write(context, dialect, 400, e.Message).ConfigureAwait(false);
            return;
        }
        WriteOutcome outcome;
        using (body)
        {
            try
            {
                // The request's cancellation is not passed on: once handed to the WAL, the write completes.
                outcome = await ingester.WriteAsync(new WriteRequest(db, body.Memory) { Precision = precision, AcceptPartial = acceptPartial, NoSync = noSync, Api = api }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WalUnavailableException e)
            {
                await HttpErrors.WalUnavailable(context, dialect, e).ConfigureAwait(false);
                return;
            }
        }
        switch (outcome.RequestError)
        {
            case WriteRequestError.None:
                break;
            case WriteRequestError.Overloaded:
                context.Response.Headers.RetryAfter = "5";
                await HttpErrors.Write(context, dialect, 503, outcome.RequestErrorMessage!).ConfigureAwait(false);
                return;
            case WriteRequestError.DatabaseLimit:
                await HttpErrors.Write(context, dialect, 422, outcome.RequestErrorMessage!).ConfigureAwait(false);
                return;
            default:
                await HttpErrors.Write(context, dialect, 400, outcome.RequestErrorMessage!).ConfigureAwait(false);
                return;
        }
        if (outcome.LineErrors.Count == 0)
        {
            context.Response.StatusCode = 204;
            return;
        }
        await HttpErrors.WriteLineErrors(context, dialect, outcome.LimitExceeded ? 422 : 400, outcome.LineErrors, outcome.RejectedWhole).ConfigureAwait(false);
    }

    private static bool TryBool(string text, bool defaultValue, out bool value)
    {
        if (text.Length == 0)
        {
            value = defaultValue;
            return true;
        }
        return bool.TryParse(text, out value);
    }
}
