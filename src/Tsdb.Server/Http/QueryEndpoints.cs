using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query;

namespace Tsdb.Server.Http;

/// <summary>
/// <c>GET|POST /api/v3/query_sql</c>: db, q and format (json, jsonl, csv) from the query string or a JSON body.
/// Output as InfluxDB 3 writes it: JSON rows omit null fields, timestamps print as Arrow displays them.
/// </summary>
internal sealed class QueryEndpoints(Catalog.Catalog catalog, QueryEngine engine)
{
    public async Task QuerySql(HttpContext context)
    {
        string? db = context.Request.Query["db"];
        string? q = context.Request.Query["q"];
        string? format = context.Request.Query["format"];
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.ContentLength != 0)
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
                if (body.RootElement.ValueKind == JsonValueKind.Object)
                {
                    db = Text(body.RootElement, "db") ?? db;
                    q = Text(body.RootElement, "q") ?? q;
                    format = Text(body.RootElement, "format") ?? format;
                }
            }
            catch (JsonException ex)
            {
                await HttpErrors.Write(context, ApiDialect.V3, 400, $"the body must be JSON: {ex.Message}").ConfigureAwait(false);
                return;
            }
        }
        if (string.IsNullOrEmpty(db) || string.IsNullOrEmpty(q))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the query needs \"db\" and \"q\"").ConfigureAwait(false);
            return;
        }
        format = string.IsNullOrEmpty(format) ? "json" : format.ToLowerInvariant();
        if (format is not ("json" or "jsonl" or "csv"))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"unsupported format '{format}': use json, jsonl or csv").ConfigureAwait(false);
            return;
        }
        if (catalog.Current.FindDatabase(db) is null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"database not found: {db}").ConfigureAwait(false);
            return;
        }
        QueryResult result;
        try
        {
            result = await engine.ExecuteAsync(db, q, context.RequestAborted).ConfigureAwait(false);
        }
        catch (QueryException ex)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, ex.Message).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 200;
        var bytes = format switch
        {
            "csv" => Csv(result),
            _ => Json(result, lines: format == "jsonl"),
        };
        context.Response.ContentType = format switch { "csv" => "text/csv; charset=utf-8", "jsonl" => "application/jsonl", _ => "application/json" };
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static byte[] Json(QueryResult result, bool lines)
    {
        using var stream = new MemoryStream();
        var names = result.Schema.Fields.Select(f => JsonEncodedText.Encode(f.Name)).ToArray();
        using (var writer = new Utf8JsonWriter(stream))
        {
            if (!lines)
            {
                writer.WriteStartArray();
            }
            foreach (var batch in result.Batches)
            {
                for (var row = 0; row < batch.Length; row++)
                {
                    writer.WriteStartObject();
                    for (var c = 0; c < batch.ColumnCount; c++)
                    {
                        var column = batch.Column(c);
                        if (column.IsNull(row))
                        {
                            continue;
                        }
                        writer.WritePropertyName(names[c]);
                        WriteValue(writer, column, row);
                    }
                    writer.WriteEndObject();
                    if (lines)
                    {
                        writer.Flush();
                        stream.WriteByte((byte)'\n');
                        writer.Reset(stream);
                    }
                }
            }
            if (!lines)
            {
                writer.WriteEndArray();
            }
        }
        return stream.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, ArrowArray column, int row)
    {
        switch (column.Type.Id)
        {
            case ArrowTypeId.Timestamp:
                writer.WriteStringValue(FormatTimestamp(column, row));
                break;
            case ArrowTypeId.Float64 or ArrowTypeId.Float32:
                var d = Convert.ToDouble(column.GetObject(row), CultureInfo.InvariantCulture);
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                }
                break;
            case ArrowTypeId.UInt64 or ArrowTypeId.UInt32 or ArrowTypeId.UInt16 or ArrowTypeId.UInt8:
                writer.WriteNumberValue(Convert.ToUInt64(column.GetObject(row), CultureInfo.InvariantCulture));
                break;
            case ArrowTypeId.Int64 or ArrowTypeId.Int32 or ArrowTypeId.Int16 or ArrowTypeId.Int8:
                writer.WriteNumberValue(Convert.ToInt64(column.GetObject(row), CultureInfo.InvariantCulture));
                break;
            case ArrowTypeId.Boolean:
                writer.WriteBooleanValue(((BooleanArray)column).GetValue(row));
                break;
            default:
                writer.WriteStringValue(Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string FormatTimestamp(ArrowArray column, int row)
    {
        var raw = ((TimestampArray)column).GetValue(row);
        var nanos = column.Type.Unit switch
        {
            TimeUnit.Second => raw * 1_000_000_000L,
            TimeUnit.Millisecond => raw * 1_000_000L,
            TimeUnit.Microsecond => raw * 1_000L,
            _ => raw,
        };
        return TimestampText.Format(nanos);
    }

    internal static byte[] Csv(QueryResult result)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', result.Schema.Fields.Select(f => CsvField(f.Name))).Append('\n');
        foreach (var batch in result.Batches)
        {
            for (var row = 0; row < batch.Length; row++)
            {
                for (var c = 0; c < batch.ColumnCount; c++)
                {
                    if (c > 0)
                    {
                        sb.Append(',');
                    }
                    var column = batch.Column(c);
                    if (column.IsNull(row))
                    {
                        continue;
                    }
                    sb.Append(column.Type.Id switch
                    {
                        ArrowTypeId.Timestamp => FormatTimestamp(column, row),
                        ArrowTypeId.Boolean => ((BooleanArray)column).GetValue(row) ? "true" : "false",
                        ArrowTypeId.Float64 => ((DoubleArray)column).GetValue(row).ToString("R", CultureInfo.InvariantCulture),
                        _ => CsvField(Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture) ?? ""),
                    });
                }
                sb.Append('\n');
            }
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string CsvField(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
