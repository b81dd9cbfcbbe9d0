using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;
using Tsdb.Storage;

namespace Tsdb.Server.Http;

/// <summary>Health, ping, database and token management, and the buffer export read path.</summary>
internal sealed class AdminEndpoints(Catalog.Catalog catalog, WriteBuffer buffer, ServerOptions options, TimeProvider time)
{
    public static Task Health(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync("OK");
    }

    /// <summary>InfluxDB 3's ping: 200 with version JSON and the InfluxDB version headers clients look for.</summary>
    public Task Ping(HttpContext context)
    {
        context.Response.Headers["X-Influxdb-Version"] = options.Version;
        context.Response.Headers["X-Influxdb-Build"] = "Tsdb";
        context.Response.ContentType = "application/json";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(new PingResponse(options.Version, "tsdb", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), JsonContext.Relaxed.PingResponse));
    }

    public async Task CreateDatabase(HttpContext context)
    {
        var request = await ReadJson(context, JsonContext.Relaxed.DatabaseRequest).ConfigureAwait(false);
        if (request?.Db is not { Length: > 0 } name)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the body must be JSON with a \"db\" name").ConfigureAwait(false);
            return;
        }
        var (error, existed) = catalog.Update(e =>
        {
            var existed = e.FindDatabase(name) is not null;
            return (e.EnsureDatabase(name, out _), existed);
        });
        if (error is not null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, error.Kind == CatalogErrorKind.LimitExceeded ? 422 : 400, error.Message).ConfigureAwait(false);
            return;
        }
        if (existed)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 409, $"database '{name}' already exists").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 200;
    }

    public Task ListDatabases(HttpContext context)
    {
        var items = catalog.Current.Databases.Select(d => new DatabaseItem(d.Name)).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(items, JsonContext.Relaxed.ListDatabaseItem));
    }

    /// <summary>Creates a token (admin tokens only may). The secret is in the response and nowhere else.</summary>
    public async Task CreateToken(HttpContext context)
    {
        var request = await ReadJson(context, JsonContext.Relaxed.TokenRequest).ConfigureAwait(false);
        var name = request?.Name is { Length: > 0 } n ? n : $"token-{Guid.NewGuid():N}"[..14];
        if (catalog.Current.Tokens.Any(t => t.Name == name))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 409, $"a token named '{name}' already exists").ConfigureAwait(false);
            return;
        }
        var admin = request?.Admin ?? false;
        var secret = catalog.CreateToken(name, admin, time.GetUtcNow());
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new TokenResponse(name, secret, admin), JsonContext.Relaxed.TokenResponse)).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /api/v3/export?db=&amp;table=</c>: the table's buffered rows as JSON lines (time in nanoseconds).
    /// A plain read path until SQL arrives; it reads only what is in the write buffer.
    /// </summary>
    public async Task Export(HttpContext context)
    {
        var db = context.Request.Query["db"].ToString();
        var table = context.Request.Query["table"].ToString();
        if (db.Length == 0 || table.Length == 0)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "missing required query parameters 'db' and 'table'").ConfigureAwait(false);
            return;
        }
        if (catalog.Current.FindDatabase(db)?.FindTable(table) is null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"table '{table}' not found in database '{db}'").ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "application/jsonl";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        foreach (var chunk in buffer.Snapshot(db, table))
        {
            var batch = chunk.Batch;
            for (var row = 0; row < batch.Length; row++)
            {
                writer.Reset();
                writer.WriteStartObject();
                for (var c = 0; c < batch.ColumnCount; c++)
                {
                    var column = batch.Column(c);
                    if (column.IsNull(row))
                    {
                        continue;
                    }
                    writer.WritePropertyName(batch.Schema[c].Name);
                    switch (column.GetObject(row))
                    {
                        case string s:
                            writer.WriteStringValue(s);
                            break;
                        case bool b:
                            writer.WriteBooleanValue(b);
                            break;
                        case double d when double.IsFinite(d):
                            writer.WriteNumberValue(d);
                            break;
                        case double d:
                            writer.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture));
                            break;
                        case long l:
                            writer.WriteNumberValue(l);
                            break;
                        case ulong u:
                            writer.WriteNumberValue(u);
                            break;
                        case var other:
                            writer.WriteStringValue(other?.ToString());
                            break;
                    }
                }
                writer.WriteEndObject();
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                await context.Response.BodyWriter.WriteAsync("\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    private static async Task<T?> ReadJson<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
