using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Core.Deletes;
using Tsdb.Query;

namespace Tsdb.Server.Http;

/// <summary>
/// InfluxDB 2's row delete, <c>POST /api/v2/delete?bucket=&amp;org=</c> with <c>{"start","stop","predicate"}</c>: the
/// points of the bucket (database) with a time in [start, stop] whose series match the predicate go. The predicate is
/// InfluxDB 2's: <c>column="value"</c> terms (also <c>!=</c>) joined by AND; <c>_measurement</c> names the table
/// (without it every table of the database whose columns the predicate names); <c>_field</c>, <c>_value</c> and
/// <c>_time</c> cannot be used, as in InfluxDB 2.
/// </summary>
internal sealed class DeleteEndpoints(IRowDeleter? deleter)
{
    public async Task DeleteV2(HttpContext context)
    {
        var db = context.Request.Query["bucket"].ToString();
        if (db.Length == 0)
        {
            await HttpErrors.Write(context, ApiDialect.V2, 400, "missing required query parameter 'bucket'").ConfigureAwait(false);
            return;
        }
        if (!await AccessControl.DemandAsync(context, db, ApiDialect.V2).ConfigureAwait(false))
        {
            return;
        }
        string? start, stop, predicateText;
        try
        {
            using var body = await JsonBody.ParseAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("expected an object");
            }
            start = Text(root, "start");
            stop = Text(root, "stop");
            predicateText = Text(root, "predicate");
        }
        catch (JsonException ex)
        {
            await HttpErrors.Write(context, ApiDialect.V2, 400, $"the body must be JSON {{\"start\", \"stop\", \"predicate\"}}: {ex.Message}").ConfigureAwait(false);
            return;
        }
        if (!TryTime(start, "start", out var from, out var error) || !TryTime(stop, "stop", out var to, out error))
        {
            await HttpErrors.Write(context, ApiDialect.V2, 400, error!).ConfigureAwait(false);
            return;
        }
        if (from > to)
        {
            await HttpErrors.Write(context, ApiDialect.V2, 400, $"start {start} is after stop {stop}").ConfigureAwait(false);
            return;
        }
        if (!DeletePredicateParser.TryParse(predicateText ?? "", out var measurement, out var terms, out error))
        {
            await HttpErrors.Write(context, ApiDialect.V2, 400, $"invalid predicate: {error}").ConfigureAwait(false);
            return;
        }
        var predicate = new DeletePredicate(from, to, terms);
        if (deleter is null)
        {
            await HttpErrors.Write(context, ApiDialect.V2, 501, NoRowDeletes.Message).ConfigureAwait(false);
            return;
        }
        try
        {
            if (measurement is null)
            {
                await deleter.DeleteEverywhereAsync(db, predicate, context.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                await deleter.DeleteAsync(db, measurement, predicate, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (QueryException ex)
        {
            var status = ex.Message.Contains("not found", StringComparison.Ordinal) ? 404 : 400;
            await HttpErrors.Write(context, ApiDialect.V2, status, ex.Message).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryTime(string? text, string name, out long nanos, out string? error)
    {
        nanos = 0;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = $"\"{name}\" is required (an RFC 3339 time)";
            return false;
        }
        if (!TimestampText.TryParse(text, out nanos))
        {
            error = $"\"{name}\" '{text}' is not an RFC 3339 time";
            return false;
        }
        return true;
    }
}

/// <summary>InfluxDB 2's delete predicate: <c>key="value"</c> or <c>key!="value"</c> terms joined by AND.</summary>
internal static class DeletePredicateParser
{
    public static bool TryParse(string text, out string? measurement, out List<DeleteTerm> terms, out string? error)
    {
        measurement = null;
        terms = [];
        error = null;
        var at = 0;
        Skip(text, ref at);
        if (at == text.Length)
        {
            return true;
        }
        while (true)
        {
            if (!TryWord(text, ref at, out var key))
            {
                error = $"expected a column name at character {at + 1}";
                return false;
            }
            Skip(text, ref at);
            DeleteOperator op;
            if (at < text.Length && text[at] == '=')
            {
                op = DeleteOperator.Equal;
                at++;
            }
            else if (at + 1 < text.Length && text[at] == '!' && text[at + 1] == '=')
            {
                op = DeleteOperator.NotEqual;
                at += 2;
            }
            else
            {
                error = $"expected = or != after '{key}' at character {at + 1}";
                return false;
            }
            Skip(text, ref at);
            if (!TryWord(text, ref at, out var value))
            {
                error = $"expected a value after '{key}' at character {at + 1}";
                return false;
            }
            if (key is "_field" or "_value" or "_time")
            {
                error = $"cannot delete by {key} (as in InfluxDB 2, a delete matches series by measurement and tags; the time range is start and stop)";
                return false;
            }
            if (key == "_measurement")
            {
                if (op != DeleteOperator.Equal || (measurement is not null && measurement != value))
                {
                    error = "_measurement must be one measurement, with =";
                    return false;
                }
                measurement = value;
            }
            else
            {
                terms.Add(DeleteTerm.Of(key, op, value));
            }
            Skip(text, ref at);
            if (at == text.Length)
            {
                return true;
            }
            if (!TryWord(text, ref at, out var and, quotedAllowed: false) || !and.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                error = and.Equals("or", StringComparison.OrdinalIgnoreCase)
                    ? "OR is not supported in a delete predicate (as in InfluxDB 2): send one delete per alternative"
                    : $"expected AND at character {at + 1 - and.Length}";
                return false;
            }
            Skip(text, ref at);
        }
    }

    private static void Skip(string text, ref int at)
    {
        while (at < text.Length && char.IsWhiteSpace(text[at]))
        {
            at++;
        }
    }

    /// <summary>A bare word (letters, digits, _ - . :) or a "double" / 'single' quoted string with \ escapes.</summary>
    private static bool TryWord(string text, ref int at, out string word, bool quotedAllowed = true)
    {
        word = "";
        if (at >= text.Length)
        {
            return false;
        }
        if (quotedAllowed && text[at] is '"' or '\'')
        {
            var quote = text[at++];
            var sb = new StringBuilder();
            while (at < text.Length && text[at] != quote)
            {
                if (text[at] == '\\' && at + 1 < text.Length)
                {
                    at++;
                }
                sb.Append(text[at++]);
            }
            if (at >= text.Length)
            {
                return false;
            }
            at++;
            word = sb.ToString();
            return true;
        }
        var begin = at;
        while (at < text.Length && (char.IsLetterOrDigit(text[at]) || text[at] is '_' or '-' or '.' or ':'))
        {
            at++;
        }
        word = text[begin..at];
        return word.Length > 0;
    }
}
