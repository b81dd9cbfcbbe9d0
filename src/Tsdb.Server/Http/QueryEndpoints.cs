using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Query;
using Tsdb.Query.Sql;

namespace Tsdb.Server.Http;

/// <summary>
/// <c>GET|POST /api/v3/query_sql</c>: db, q, params (a JSON object: <c>$name</c> → string, number, boolean or null)
/// and format (json, jsonl, csv, pretty, parquet) from the query string or a JSON body.
/// Output as InfluxDB 3 writes it: JSON rows omit null fields, timestamps print as Arrow displays them.
/// </summary>
internal sealed class QueryEndpoints(Catalog.Catalog catalog, SqlEngine engine, IRowDeleter deleter)
{
    public async Task QuerySql(HttpContext context)
    {
        string? db = context.Request.Query["db"];
        string? q = context.Request.Query["q"];
        string? format = context.Request.Query["format"];
        string? paramsText = context.Request.Query["params"];
        Dictionary<string, object?>? parameters = null;
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.ContentLength != 0)
        {
            try
            {
                using var body = await JsonBody.ParseAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
                if (body.RootElement.ValueKind == JsonValueKind.Object)
                {
                    db = Text(body.RootElement, "db") ?? db;
                    q = Text(body.RootElement, "q") ?? q;
                    format = Text(body.RootElement, "format") ?? format;
                    if (body.RootElement.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null)
                    {
                        parameters = ReadParameters(p, out var bad);
                        if (bad is not null)
                        {
                            await HttpErrors.Write(context, ApiDialect.V3, 400, bad).ConfigureAwait(false);
                            return;
                        }
                    }
                }
            }
            catch (JsonException ex)
            {
                await HttpErrors.Write(context, ApiDialect.V3, 400, $"the body must be JSON: {ex.Message}").ConfigureAwait(false);
                return;
            }
        }
        if (parameters is null && !string.IsNullOrEmpty(paramsText))
        {
            string? bad;
            try
            {
                using var document = JsonDocument.Parse(paramsText);
                parameters = ReadParameters(document.RootElement, out bad);
            }
            catch (JsonException ex)
            {
                bad = $"\"params\" must be a JSON object: {ex.Message}";
            }
            if (bad is not null)
            {
                await HttpErrors.Write(context, ApiDialect.V3, 400, bad).ConfigureAwait(false);
                return;
            }
        }
        if (string.IsNullOrEmpty(db) || string.IsNullOrEmpty(q))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the query needs \"db\" and \"q\"").ConfigureAwait(false);
            return;
        }
        format = string.IsNullOrEmpty(format) ? "json" : format.ToLowerInvariant();
        if (format is not ("json" or "jsonl" or "csv" or "pretty" or "parquet"))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"unsupported format '{format}': use json, jsonl, csv, pretty or parquet").ConfigureAwait(false);
            return;
        }
        if (!await AccessControl.DemandAsync(context, db, ApiDialect.V3).ConfigureAwait(false))
        {
            return;
        }
        if (catalog.Current.FindDatabase(db) is null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"database not found: {db}").ConfigureAwait(false);
            return;
        }
        // DELETE FROM … goes through the query route but needs the right to delete.
        var delete = SqlEngine.IsDelete(q);
        if (delete && !await AccessControl.DemandAsync(context, db, ApiDialect.V3, Access.Delete).ConfigureAwait(false))
        {
            return;
        }
        try
        {
            if (delete)
            {
                var result = await engine.DeleteAsync(db, q, deleter, context.RequestAborted).ConfigureAwait(false);
                await WriteBatchesAsync(context, result.Schema, Batches(result.Batches), null, format).ConfigureAwait(false);
                return;
            }
            await using var stream = await engine.ExecuteStreamAsync(db, q, parameters, context.RequestAborted).ConfigureAwait(false);
            await WriteStreamAsync(context, stream, format).ConfigureAwait(false);
        }
        catch (Exception ex) when (HttpErrors.QueryStatus(ex) is not null)
        {
            await HttpErrors.WriteQueryError(context, ApiDialect.V3, ex).ConfigureAwait(false);
        }
    }

#pragma warning disable CS1998 // an async iterator over a list: the writer takes one shape of input
    private static async IAsyncEnumerable<RecordBatch> Batches(IReadOnlyList<RecordBatch> batches)
#pragma warning restore CS1998
    {
        foreach (var batch in batches)
        {
            yield return batch;
        }
    }

    /// <summary>
    /// Writes the answer batch by batch as the engine produces them (flushed after each batch), in every format: json,
    /// jsonl and csv row by row, pretty in tables of <see cref="PrettyTable.BlockRows"/> rows, parquet a row group at a
    /// time within the query's memory pool (<see cref="ParquetAnswer"/>), so a large answer never sits in memory. An
    /// error after the first bytes went out cannot become a 400 any more: the connection is aborted, so the client sees
    /// a broken response rather than a short, valid-looking one.
    /// </summary>
    internal static Task WriteStreamAsync(HttpContext context, QueryStream stream, string format) =>
        WriteBatchesAsync(context, stream.Schema, stream.ReadAllAsync(), stream.Memory, format);

    private static async Task WriteBatchesAsync(HttpContext context, Schema schema, IAsyncEnumerable<RecordBatch> batches, Tsdb.Query.Execution.QueryMemoryPool? memory, string format)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = format switch
        {
            "csv" => "text/csv; charset=utf-8",
            "jsonl" => "application/jsonl",
            "pretty" => "text/plain; charset=utf-8",
            "parquet" => "application/vnd.apache.parquet",
            _ => "application/json",
        };
        var body = context.Response.Body;
        var columnNames = schema.Fields.Select(f => f.Name).ToArray();
        var names = columnNames.Select(n => JsonEncodedText.Encode(n)).ToArray();
        var pretty = format == "pretty" ? new PrettyTable(columnNames) : null;
        ParquetAnswer? parquet = null;
        var started = false;
        var ct = context.RequestAborted;
        try
        {
            await using var json = new Utf8JsonWriter(body);
            if (format == "json")
            {
                json.WriteStartArray();
            }
            // Nothing reaches the client before the first batch is computed, so an early error is still a clean 400.
            var csvHeader = format == "csv" ? Encoding.UTF8.GetBytes(string.Join(',', columnNames.Select(CsvField)) + "\n") : null;
            await foreach (var batch in batches.ConfigureAwait(false))
            {
                started = true;
                if (csvHeader is not null)
                {
                    await body.WriteAsync(csvHeader, ct).ConfigureAwait(false);
                    csvHeader = null;
                }
                switch (format)
                {
                    case "json":
                        WriteJsonRows(json, names, batch);
                        await json.FlushAsync(ct).ConfigureAwait(false);
                        break;
                    case "jsonl":
                        await body.WriteAsync(JsonLines(names, batch), ct).ConfigureAwait(false);
                        break;
                    case "pretty":
                        await body.WriteAsync(pretty!.Add(batch), ct).ConfigureAwait(false);
                        break;
                    case "parquet":
                        // Types come from the first batch: a tag is a dictionary there, a NULL column typed by its value.
                        parquet ??= new ParquetAnswer(batch.Schema, memory);
                        await parquet.WriteAsync(batch, body, ct).ConfigureAwait(false);
                        break;
                    default:
                        await body.WriteAsync(CsvRows(batch), ct).ConfigureAwait(false);
                        break;
                }
                await body.FlushAsync(ct).ConfigureAwait(false);
            }
            switch (format)
            {
                case "json":
                    json.WriteEndArray();
                    await json.FlushAsync(ct).ConfigureAwait(false);
                    break;
                case "pretty":
                    await body.WriteAsync(pretty!.Finish(), ct).ConfigureAwait(false);
                    break;
                case "parquet":
                    parquet ??= new ParquetAnswer(schema, memory);
                    await parquet.FinishAsync(body, ct).ConfigureAwait(false);
                    break;
                case "csv" when csvHeader is not null:
                    await body.WriteAsync(csvHeader, ct).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex) when (started && ex is QueryException or QueryLimitException or IOException or InvalidDataException)
        {
            context.Abort();
        }
        finally
        {
            parquet?.Dispose();
        }
    }

    private static void WriteJsonRows(Utf8JsonWriter writer, JsonEncodedText[] names, Tsdb.Arrow.Arrays.RecordBatch batch)
    {
        for (var row = 0; row < batch.Length; row++)
        {
            writer.WriteStartObject();
            for (var c = 0; c < batch.ColumnCount; c++)
            {
                var column = batch.Column(c);
                if (!column.IsNull(row))
                {
                    writer.WritePropertyName(names[c]);
                    WriteValue(writer, column, row);
                }
            }
            writer.WriteEndObject();
        }
    }

    private static byte[] JsonLines(JsonEncodedText[] names, Tsdb.Arrow.Arrays.RecordBatch batch)
    {
        using var buffer = new MemoryStream();
        using var writer = new Utf8JsonWriter(buffer);
        for (var row = 0; row < batch.Length; row++)
        {
            WriteJsonRows(writer, names, batch.Slice(row, 1));
            writer.Flush();
            buffer.WriteByte((byte)'\n');
            writer.Reset(buffer);
        }
        return buffer.ToArray();
    }

    /// <summary>The query parameters of a JSON object; <paramref name="error"/> says why when it is not one.</summary>
    internal static Dictionary<string, object?>? ReadParameters(JsonElement element, out string? error)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = "\"params\" must be a JSON object of parameter names to values";
            return null;
        }
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var name = p.Name.StartsWith('$') ? p.Name[1..] : p.Name;
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.String:
                    parameters[name] = p.Value.GetString();
                    break;
                case JsonValueKind.Number:
                    parameters[name] = p.Value.TryGetInt64(out var l) ? l : (object)p.Value.GetDouble();   // the cast keeps integers as long (a plain ?: would widen both to double)
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    parameters[name] = p.Value.GetBoolean();
                    break;
                case JsonValueKind.Null:
                    parameters[name] = null;
                    break;
                default:
                    error = $"parameter '{p.Name}' must be a string, number, boolean or null";
                    return null;
            }
        }
        return parameters;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// One non-null cell as JSON; shared with the export endpoint, which asks for timestamps as integer nanoseconds
    /// instead of RFC 3339 text.
    /// </summary>
    internal static void WriteValue(Utf8JsonWriter writer, ArrowArray column, int row, bool timestampsAsNanoseconds = false)
    {
        switch (column.Type.Id)
        {
            case ArrowTypeId.Timestamp when timestampsAsNanoseconds:
                writer.WriteNumberValue(((TimestampArray)column).GetValue(row));
                break;
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

    internal static string FormatTimestamp(ArrowArray column, int row)
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

    private static byte[] CsvRows(Tsdb.Arrow.Arrays.RecordBatch batch)
    {
        var sb = new StringBuilder();
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
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string CsvField(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
