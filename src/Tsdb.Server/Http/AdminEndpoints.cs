using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Persistence;

namespace Tsdb.Server.Http;

/// <summary>Health, ping, database and table management, the storage services' admin triggers, and the export read path.</summary>
internal sealed class AdminEndpoints(Catalog.Catalog catalog, ITableSource tables, IStorageControl storage, ServerOptions options)
{
    /// <summary>
    /// InfluxDB 3's health check: "OK", with the version in the same headers as <c>/ping</c>; 503 with the reason
    /// while the WAL cannot take writes.
    /// </summary>
    public Task Health(HttpContext context)
    {
        context.Response.Headers["X-Influxdb-Version"] = options.Version;
        context.Response.Headers["X-Influxdb-Build"] = "Tsdb";
        context.Response.ContentType = "text/plain";
        if (options.Readiness.WalProblem is { } problem)
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync($"Unhealthy: {problem}");
        }
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
        if (!TryRetention(request.RetentionPeriod, out var retention, out var retentionError))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, retentionError).ConfigureAwait(false);
            return;
        }
        var (error, existed) = await catalog.UpdateAsync(e =>
        {
            var existed = e.FindDatabase(name) is not null;
            var error = e.EnsureDatabase(name, out _);
            if (error is null && !existed && retention is not null)
            {
                e.SetRetention(name, retention);
            }
            return (error, existed);
        }, context.RequestAborted).ConfigureAwait(false);
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
        // A scoped token sees the databases it has some permission on.
        var items = catalog.Current.Databases.Where(d => AccessControl.Allows(context, Access.Read, d.Name) || AccessControl.Allows(context, Access.Write, d.Name) || AccessControl.Allows(context, Access.Delete, d.Name)).Select(d => new DatabaseItem(d.Name, d.RetentionPeriod is { } r ? FormatRetention(r) : null)).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(items, JsonContext.Relaxed.ListDatabaseItem));
    }

    /// <summary>
    /// <c>GET /api/v3/export?db=&amp;table=</c>: the table's rows — Parquet files and buffer merged, sorted by tags
    /// and time, duplicates resolved — as JSON lines (time in nanoseconds). A plain read path until SQL arrives.
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
        if (!await AccessControl.DemandAsync(context, db, ApiDialect.V3).ConfigureAwait(false))
        {
            return;
        }
        if (catalog.Current.FindDatabase(db)?.FindTable(table) is null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"table '{table}' not found in database '{db}'").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/jsonl";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        await foreach (var batch in tables.ScanSortedAsync(new ScanRequest(db, table), context.RequestAborted).ConfigureAwait(false))
        {
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
                    QueryEndpoints.WriteValue(writer, column, row, timestampsAsNanoseconds: true);
                }
                writer.WriteEndObject();
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                await context.Response.BodyWriter.WriteAsync(NewLine, context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    /// <summary><c>POST /api/v3/persist</c>: persists everything buffered now; answers when files and catalog are durable.</summary>
    public async Task Persist(HttpContext context)
    {
        var result = await storage.PersistNowAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new PersistResponse(result.Files, result.Rows, result.ThroughSequence), JsonContext.Relaxed.PersistResponse)).ConfigureAwait(false);
    }

    /// <summary><c>POST /api/v3/compact</c>: merges every partition with more than one file.</summary>
    public async Task Compact(HttpContext context)
    {
        var result = await storage.CompactNowAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new CompactResponse(result.Partitions, result.FilesRemoved, result.FilesWritten), JsonContext.Relaxed.CompactResponse)).ConfigureAwait(false);
    }

    /// <summary><c>PATCH /api/v3/configure/database</c> <c>{"db","retention_period"}</c>: sets or clears (null/"none") the retention period.</summary>
    public async Task UpdateDatabase(HttpContext context)
    {
        var request = await ReadJson(context, JsonContext.Relaxed.DatabaseRequest).ConfigureAwait(false);
        if (request?.Db is not { Length: > 0 } name)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the body must be JSON with a \"db\" name").ConfigureAwait(false);
            return;
        }
        if (!TryRetention(request.RetentionPeriod, out var period, out var error))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, error).ConfigureAwait(false);
            return;
        }
        var found = await catalog.UpdateAsync(e =>
        {
            if (e.FindDatabase(name) is null)
            {
                return false;
            }
            e.SetRetention(name, period);
            return true;
        }, context.RequestAborted).ConfigureAwait(false);
        if (!found)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"database '{name}' not found").ConfigureAwait(false);
            return;
        }
        // Rows past the new period are invisible at once (every scan clamps); this takes them out of storage now.
        // In a cluster only the compact node rewrites files (it applies the new period within its check interval).
        if (options.Roles.HasFlag(Tsdb.Core.Cluster.NodeRoles.Compact))
        {
            await storage.ApplyRetentionNowAsync(context.RequestAborted).ConfigureAwait(false);
        }
        context.Response.StatusCode = 200;
    }

    /// <summary><c>DELETE /api/v3/configure/database?db=</c>: drops the database, its buffered rows and (after the grace period) its files.</summary>
    public async Task DeleteDatabase(HttpContext context)
    {
        var db = context.Request.Query["db"].ToString();
        if (db.Length == 0)
        {
            // InfluxDB 3's DELETE reads the query string only; a name sent in a JSON body is not looked at, so say where it goes.
            await HttpErrors.Write(context, ApiDialect.V3, 400, "missing required query parameter 'db' (the database name goes in the query string: ?db=NAME)").ConfigureAwait(false);
            return;
        }
        if (!await storage.DeleteDatabaseAsync(db, context.RequestAborted).ConfigureAwait(false))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"database '{db}' not found").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 200;
    }

    /// <summary><c>DELETE /api/v3/configure/table?db=&amp;table=</c></summary>
    public async Task DeleteTable(HttpContext context)
    {
        var db = context.Request.Query["db"].ToString();
        var table = context.Request.Query["table"].ToString();
        if (db.Length == 0 || table.Length == 0)
        {
            var missing = db.Length == 0 ? "db" : "table";
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"missing required query parameter '{missing}' (the names go in the query string: ?db=NAME&table=NAME)").ConfigureAwait(false);
            return;
        }
        if (!await AccessControl.DemandAsync(context, db, ApiDialect.V3).ConfigureAwait(false))
        {
            return;
        }
        if (!await storage.DeleteTableAsync(db, table, context.RequestAborted).ConfigureAwait(false))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"table '{table}' not found in database '{db}'").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 200;
    }

    /// <summary>
    /// <c>POST /api/v3/configure/table</c> <c>{"db","table","tags","fields":[{"name","type"}],"retention_period"}</c>:
    /// creates a table with these columns (types utf8, int64, uint64, float64, bool) and, optionally, its own
    /// retention period, which overrides the database's for this table.
    /// </summary>
    public async Task CreateTable(HttpContext context)
    {
        var request = await ReadJson(context, JsonContext.Relaxed.TableRequest).ConfigureAwait(false);
        if (request?.Db is not { Length: > 0 } db || request.Table is not { Length: > 0 } table)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the body must be JSON with \"db\" and \"table\" names").ConfigureAwait(false);
            return;
        }
        if (!TryRetention(request.RetentionPeriod, out var period, out var retentionError))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, retentionError).ConfigureAwait(false);
            return;
        }
        if (!TryColumns(request, out var columns, out var columnsError))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, columnsError).ConfigureAwait(false);
            return;
        }
        (int Status, string Message) result;
        try
        {
            result = await catalog.UpdateAsync(e => CreateTable(e, db, table, columns, period), context.RequestAborted).ConfigureAwait(false);
        }
        catch (ParamException e)
        {
            result = (400, e.Message);
        }
        if (result.Status != 200)
        {
            await HttpErrors.Write(context, ApiDialect.V3, result.Status, result.Message).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 200;
    }

    /// <summary>
    /// The tag and field columns of a create-table request. A <c>null</c> in <c>tags</c> or <c>fields</c> is refused here:
    /// it reached the catalog, or <c>field.Type</c>, as a NullReferenceException (a 500).
    /// </summary>
    internal static bool TryColumns(TableRequest request, out List<(string Name, Core.Schema.ColumnKind Kind)> columns, out string error)
    {
        columns = [];
        error = "";
        foreach (var tag in request.Tags ?? [])
        {
            if (tag is null)
            {
                error = "invalid tag: every entry of \"tags\" must be a name, not null";
                return false;
            }
            columns.Add((tag, Core.Schema.ColumnKind.Tag));
        }
        foreach (var field in request.Fields ?? [])
        {
            Core.Schema.ColumnKind? kind = field?.Type switch
            {
                "utf8" or "string" => Core.Schema.ColumnKind.String,
                "int64" => Core.Schema.ColumnKind.Integer,
                "uint64" => Core.Schema.ColumnKind.UInteger,
                "float64" => Core.Schema.ColumnKind.Float,
                "bool" => Core.Schema.ColumnKind.Boolean,
                _ => null,
            };
            if (field?.Name is not { Length: > 0 } name || kind is null)
            {
                error = $"invalid field {{\"name\": \"{field?.Name}\", \"type\": \"{field?.Type}\"}}: a field needs a name and a type of utf8, int64, uint64, float64 or bool";
                return false;
            }
            columns.Add((name, kind.Value));
        }
        return true;
    }

    private static (int Status, string Message) CreateTable(CatalogEditor e, string db, string table, List<(string Name, Core.Schema.ColumnKind Kind)> columns, TimeSpan? period)
    {
        if (e.FindDatabase(db) is not { } database)
        {
            return (404, $"database '{db}' not found");
        }
        if (database.FindTable(table) is not null)
        {
            return (409, $"table '{table}' already exists in database '{db}'");
        }
        if (e.EnsureTable(db, table, out _) is { } tableError)
        {
            return (tableError.Kind == CatalogErrorKind.LimitExceeded ? 422 : 400, tableError.Message);
        }
        foreach (var (name, kind) in columns)
        {
            if (e.EnsureColumn(db, table, name, kind) is { } columnError)
            {
                // Thrown, not returned, so that the half-made table is not saved.
                throw new ParamException(columnError.Message);
            }
        }
        e.SetTableRetention(db, table, period);
        return (200, "");
    }

    /// <summary>
    /// <c>PATCH /api/v3/configure/table</c> <c>{"db","table","retention_period"}</c>: sets the table's own retention
    /// period, or clears it (null/"none": the database's applies again).
    /// </summary>
    public async Task UpdateTable(HttpContext context)
    {
        var request = await ReadJson(context, JsonContext.Relaxed.TableRequest).ConfigureAwait(false);
        if (request?.Db is not { Length: > 0 } db || request.Table is not { Length: > 0 } table)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the body must be JSON with \"db\" and \"table\" names").ConfigureAwait(false);
            return;
        }
        if (!TryRetention(request.RetentionPeriod, out var period, out var error))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, error).ConfigureAwait(false);
            return;
        }
        if (!await catalog.UpdateAsync(e => e.SetTableRetention(db, table, period), context.RequestAborted).ConfigureAwait(false))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"table '{table}' not found in database '{db}'").ConfigureAwait(false);
            return;
        }
        // In a cluster only the compact node rewrites files (it applies the new period within its check interval).
        if (options.Roles.HasFlag(Tsdb.Core.Cluster.NodeRoles.Compact))
        {
            await storage.ApplyRetentionNowAsync(context.RequestAborted).ConfigureAwait(false);
        }
        context.Response.StatusCode = 200;
    }

    /// <summary><c>GET /api/v3/configure/table?db=</c>: the database's tables, each with its own and its effective retention period.</summary>
    public async Task ListTables(HttpContext context)
    {
        var db = context.Request.Query["db"].ToString();
        if (db.Length == 0)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "missing required query parameter 'db'").ConfigureAwait(false);
            return;
        }
        if (!await AccessControl.DemandAsync(context, db, ApiDialect.V3).ConfigureAwait(false))
        {
            return;
        }
        if (catalog.Current.FindDatabase(db) is not { } database)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"database '{db}' not found").ConfigureAwait(false);
            return;
        }
        var items = database.Tables.OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new TableItem(t.Name, t.RetentionPeriod is { } own ? FormatRetention(own) : null, database.RetentionOf(t.Name) is { } effective ? FormatRetention(effective) : null))
            .ToList();
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(items, JsonContext.Relaxed.ListTableItem)).ConfigureAwait(false);
    }

    private static string FormatRetention(TimeSpan r) => Core.Time.RetentionText.Format(r);

    /// <summary><c>GET /api/v3/system/files?db=</c>: the Parquet files of a database as the catalog lists them.</summary>
    public Task ListFiles(HttpContext context)
    {
        var db = context.Request.Query["db"].ToString();
        var files = catalog.Current.Files.Where(f => db.Length == 0 || f.Database == db)
            .Select(f => new FileItem(f.Database, f.Table, Core.Time.PartitionDay.Format(f.Day), f.Path, f.MinTime, f.MaxTime, f.RowCount, f.SizeBytes, f.MaxSequence, f.Level, f.Node))
            .ToList();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(files, JsonContext.Relaxed.ListFileItem));
    }

    private const long MaxRetentionSeconds = long.MaxValue / TimeSpan.TicksPerSecond;

    internal static bool TryRetention(string? text, out TimeSpan? retention, out string error)
    {
        retention = null;
        error = "";
        if (string.IsNullOrEmpty(text) || text == "none")
        {
            return true;
        }
        long unitSeconds = text[^1] switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 7 * 86400,
            _ => 0,
        };
        if (unitSeconds > 0 && long.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            // Bounded before multiplying: TimeSpan.FromDays and friends throw past about 29,000 years (a 500 found by
            // the json-body fuzz target), and 7 * n for weeks wrapped to a negative period that expired everything.
            if (n > MaxRetentionSeconds / unitSeconds)
            {
                error = $"invalid retention_period '{text}': longer than the longest period supported ({MaxRetentionSeconds / 86400} days)";
                return false;
            }
            retention = TimeSpan.FromSeconds(n * unitSeconds);
        }
        if (retention is null)
        {
            error = $"invalid retention_period '{text}': use a number with s, m, h, d or w (e.g. 30d), or none";
            return false;
        }
        return true;
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
