using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Query;
using Tsdb.Query.InfluxQL;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Server.Http;

/// <summary>
/// InfluxQL over HTTP: <c>GET|POST /query</c> as InfluxDB 1.x answers it (<c>{"results":[{"statement_id",…}]}</c>,
/// errors per statement, <c>epoch</c>, <c>pretty</c>, <c>chunked</c>, CSV on <c>Accept: application/csv</c>) and
/// <c>GET|POST /api/v3/query_influxql</c> as InfluxDB 3 answers it (rows with an <c>iox::measurement</c> column in
/// json, jsonl, csv, pretty or parquet).
/// </summary>
internal sealed class InfluxQLEndpoints(Catalog.Catalog catalog, InfluxQLEngine engine, string version)
{
    private const int DefaultChunkSize = 10_000;

    private sealed record Request(string? Db, string? Q, string? Epoch, bool Pretty, bool Chunked, int ChunkSize, string? Format, Dictionary<string, object?>? Parameters, string? Error);

    private static async Task<Request> ReadRequest(HttpContext context)
    {
        var query = context.Request.Query;
        string? Get(string name, IFormCollection? form) =>
            form is not null && form.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : query.TryGetValue(name, out var q) && q.Count > 0 ? q[0] : null;
        IFormCollection? form = null;
        string? db = null, q = null, format = null, paramsText = null;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            if (context.Request.HasFormContentType)
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            else if (context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && context.Request.ContentLength != 0)
            {
                try
                {
                    using var body = await JsonBody.ParseAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
                    if (body.RootElement.ValueKind == JsonValueKind.Object)
                    {
                        db = Text(body.RootElement, "db");
                        q = Text(body.RootElement, "q");
                        format = Text(body.RootElement, "format");
                        if (body.RootElement.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null)
                        {
                            paramsText = p.GetRawText();
                        }
                    }
                }
                catch (JsonException ex)
                {
                    return new Request(null, null, null, false, false, 0, null, null, $"the body must be JSON: {ex.Message}");
                }
            }
        }
        db ??= Get("db", form);
        q ??= Get("q", form);
        format ??= Get("format", form);
        paramsText ??= Get("params", form);
        Dictionary<string, object?>? parameters = null;
        if (!string.IsNullOrEmpty(paramsText))
        {
            string? bad;
            try
            {
                using var document = JsonDocument.Parse(paramsText);
                parameters = QueryEndpoints.ReadParameters(document.RootElement, out bad);
            }
            catch (JsonException ex)
            {
                bad = $"\"params\" must be a JSON object: {ex.Message}";
            }
            if (bad is not null)
            {
                return new Request(null, null, null, false, false, 0, null, null, bad);
            }
        }
        var chunkSize = DefaultChunkSize;
        if (Get("chunk_size", form) is { Length: > 0 } cs && (!int.TryParse(cs, NumberStyles.None, CultureInfo.InvariantCulture, out chunkSize) || chunkSize <= 0))
        {
            return new Request(null, null, null, false, false, 0, null, null, $"invalid chunk_size: '{cs}' (a positive integer)");
        }
        var epoch = Get("epoch", form);
        if (epoch is { Length: > 0 } && EpochDivisor(epoch) is null)
        {
            return new Request(null, null, null, false, false, 0, null, null, $"invalid epoch: '{epoch}' (use ns, u, µ, ms, s, m or h)");
        }
        return new Request(db, q, string.IsNullOrEmpty(epoch) ? null : epoch, Get("pretty", form) == "true", Get("chunked", form) == "true", chunkSize, format, parameters, null);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? EpochDivisor(string epoch) => epoch switch
    {
        "ns" or "n" => 1,
        "u" or "µ" or "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => null,
    };

    /// <summary>The database a SHOW statement names with ON (null for none, and for other statements).</summary>
    private static string? NamedDatabase(Statement statement) => statement switch
    {
        ShowRetentionPoliciesStatement r => r.Database,
        ShowMeasurementsStatement m => m.Database,
        ShowTagKeysStatement k => k.Database,
        ShowTagValuesStatement v => v.Database,
        ShowFieldKeysStatement f => f.Database,
        ShowSeriesStatement s => s.Database,
        ShowCardinalityStatement c => c.Database,
        _ => null,
    };

    /// <summary>Why a statement cannot run on <paramref name="db"/>, in 1.x's words, or null.</summary>
    private string? DatabaseProblem(Statement statement, string? db)
    {
        if (statement is ShowDatabasesStatement or UnsupportedStatement)
        {
            return null;
        }
        var named = NamedDatabase(statement);
        var target = string.IsNullOrEmpty(named) ? db : named;
        if (string.IsNullOrEmpty(target))
        {
            // A SELECT naming db.rp.measurement in every source needs no db parameter.
            var select = statement switch { SelectStatement s => s, ExplainStatement e => e.Statement, _ => null };
            if (select is not null && select.Sources.All(s => s is MeasurementSource { Database.Length: > 0 }))
            {
                return null;
            }
            return "database name required";
        }
        // 1.x lists no measurements (and no error) on a database that does not exist.
        return catalog.Current.FindDatabase(target) is null && statement is not ShowMeasurementsStatement ? $"database not found: {target}" : null;
    }

    /// <summary>
    /// Read permission on every database the statements touch (the request's, one a SHOW names, and every
    /// <c>db..measurement</c> source, subqueries included); a 403 for the whole request otherwise.
    /// </summary>
    private static async Task<bool> DemandReadAsync(HttpContext context, IReadOnlyList<Statement> statements, string? db)
    {
        var databases = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var statement in statements)
        {
            if (statement is ShowDatabasesStatement or UnsupportedStatement)
            {
                continue;
            }
            var named = NamedDatabase(statement);
            if ((string.IsNullOrEmpty(named) ? db : named) is { Length: > 0 } target)
            {
                databases.Add(target);
            }
            var sources = statement switch
            {
                SelectStatement s => s.Sources,
                ExplainStatement e => e.Statement.Sources,
                ShowTagKeysStatement k => k.Sources,
                ShowTagValuesStatement v => v.Sources,
                ShowFieldKeysStatement f => f.Sources,
                ShowSeriesStatement s => s.Sources,
                ShowCardinalityStatement c => c.Sources,
                _ => [],
            };
            AddSourceDatabases(sources, databases);
        }
        foreach (var database in databases)
        {
            if (!await AccessControl.DemandAsync(context, database, ApiDialect.V3).ConfigureAwait(false))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The caller's read permission, which limits what SHOW DATABASES lists.</summary>
    private static Func<string, bool> MayRead(HttpContext context) => database => AccessControl.Allows(context, Catalog.Access.Read, database);

    private static void AddSourceDatabases(IReadOnlyList<Source> sources, SortedSet<string> databases)
    {
        foreach (var source in sources)
        {
            switch (source)
            {
                case MeasurementSource { Database.Length: > 0 } m:
                    databases.Add(m.Database);
                    break;
                case SubquerySource sub:
                    AddSourceDatabases(sub.Statement.Sources, databases);
                    break;
            }
        }
    }

    private static string? UnknownTimeZone(IReadOnlyList<Statement> statements)
    {
        foreach (var statement in statements)
        {
            var select = statement switch { SelectStatement s => s, ExplainStatement e => e.Statement, _ => null };
            if (select?.TimeZone is { } zone)
            {
                try
                {
                    TimeZoneInfo.FindSystemTimeZoneById(zone);
                }
                catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
                {
                    return zone;
                }
            }
        }
        return null;
    }

    // ---- /query (InfluxDB 1.x) ----

    public async Task Query(HttpContext context)
    {
        var request = await ReadRequest(context).ConfigureAwait(false);
        if (request.Error is not null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, request.Error).ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrWhiteSpace(request.Q))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "missing required parameter \"q\"").ConfigureAwait(false);
            return;
        }
        IReadOnlyList<Statement> statements;
        try
        {
            statements = InfluxQLEngine.Parse(request.Q);
        }
        catch (InfluxQLParseException ex)
        {
            await V1Error(context, $"error parsing query: {ex.Message}").ConfigureAwait(false);
            return;
        }
        if (UnknownTimeZone(statements) is { } zone)
        {
            // 1.x checks tz() while parsing: the whole request fails.
            await V1Error(context, $"error parsing query: unable to find time zone {zone}").ConfigureAwait(false);
            return;
        }
        if (!await DemandReadAsync(context, statements, request.Db).ConfigureAwait(false))
        {
            return;
        }
        var csv = context.Request.Headers.Accept.ToString().Contains("application/csv", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);
        context.Response.StatusCode = 200;
        context.Response.ContentType = csv ? "text/csv" : "application/json";
        context.Response.Headers["X-Influxdb-Version"] = version;
        await using var writer = csv ? (IV1Writer)new CsvV1Writer(context.Response.Body, request.Epoch)
            : request.Chunked ? new ChunkedJsonV1Writer(context.Response.Body, request.Epoch, request.ChunkSize)
            : new JsonV1Writer(context.Response.Body, request.Epoch, request.Pretty);
        await writer.StartAsync().ConfigureAwait(false);
        for (var i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            if (DatabaseProblem(statement, request.Db) is { } problem)
            {
                await writer.ErrorAsync(i, problem).ConfigureAwait(false);
                continue;
            }
            InfluxQLStream stream;
            try
            {
                stream = await engine.ExecuteAsync(request.Db ?? "", statement, request.Q, request.Parameters, MayRead(context), context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is QueryException or QueryLimitException)
            {
                await writer.ErrorAsync(i, ex is QueryException qe ? qe.Detail : ex.Message).ConfigureAwait(false);
                continue;
            }
            await using (stream.ConfigureAwait(false))
            {
                try
                {
                    await writer.StatementAsync(i, InfluxQLSeries.ReadAsync(stream), context.RequestAborted).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The client went away, or the body broke mid-way: a half-written answer must not look whole.
                    context.Abort();
                    return;
                }
            }
        }
        await writer.EndAsync().ConfigureAwait(false);
    }

    /// <summary>A whole-request error as 1.x sends it: 400, the JSON body and the X-Influxdb-Error header.</summary>
    private Task V1Error(HttpContext context, string message)
    {
        context.Response.Headers["X-Influxdb-Error"] = message.ReplaceLineEndings(" ");
        context.Response.Headers["X-Influxdb-Version"] = version;
        return HttpErrors.Write(context, ApiDialect.V3, 400, message);
    }

    // ---- /api/v3/query_influxql (InfluxDB 3) ----

    public async Task QueryV3(HttpContext context)
    {
        var request = await ReadRequest(context).ConfigureAwait(false);
        if (request.Error is not null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, request.Error).ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrWhiteSpace(request.Q))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "the query needs \"q\"").ConfigureAwait(false);
            return;
        }
        var format = string.IsNullOrEmpty(request.Format) ? "json" : request.Format.ToLowerInvariant();
        if (format is not ("json" or "jsonl" or "csv" or "pretty" or "parquet"))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"unsupported format '{format}': use json, jsonl, csv, pretty or parquet").ConfigureAwait(false);
            return;
        }
        IReadOnlyList<Statement> statements;
        try
        {
            statements = InfluxQLEngine.Parse(request.Q);
        }
        catch (InfluxQLParseException ex)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"error parsing query: {ex.Message}").ConfigureAwait(false);
            return;
        }
        if (UnknownTimeZone(statements) is { } zone)
        {
            // 1.x checks tz() while parsing: the whole request fails.
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"error parsing query: unable to find time zone {zone}").ConfigureAwait(false);
            return;
        }
        if (statements.Count != 1)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"the query has {statements.Count} statements: /api/v3/query_influxql answers exactly one (use /query for several)").ConfigureAwait(false);
            return;
        }
        if (!await DemandReadAsync(context, statements, request.Db).ConfigureAwait(false))
        {
            return;
        }
        if (DatabaseProblem(statements[0], request.Db) is { } problem)
        {
            await HttpErrors.Write(context, ApiDialect.V3, problem.StartsWith("database not found", StringComparison.Ordinal) ? 404 : 400, problem).ConfigureAwait(false);
            return;
        }
        try
        {
            await using var stream = await engine.ExecuteAsync(request.Db ?? "", statements[0], request.Q, request.Parameters, MayRead(context), context.RequestAborted).ConfigureAwait(false);
            await QueryEndpoints.WriteStreamAsync(context, stream.Rows, format).ConfigureAwait(false);
        }
        catch (Exception ex) when (HttpErrors.QueryStatus(ex) is not null)
        {
            await HttpErrors.WriteQueryError(context, ApiDialect.V3, ex).ConfigureAwait(false);
        }
    }

    // ---- 1.x writers ----

    /// <summary>
    /// Writes a /query answer statement by statement. A statement that fails after some of its rows were written (a
    /// query limit reached mid-way, a runtime error) ends with its error in the answer's own dialect, after the rows
    /// sent, and the statements after it still run: the answer stays well-formed.
    /// </summary>
    internal interface IV1Writer : IAsyncDisposable
    {
        Task StartAsync();

        Task ErrorAsync(int statementId, string message);

        Task StatementAsync(int statementId, IAsyncEnumerable<InfluxQLSeries.Row> rows, CancellationToken cancellationToken);

        Task EndAsync();
    }

    /// <summary>The message of an error a statement may fail with while its rows stream (null for any other exception).</summary>
    private static string? StatementError(Exception ex) => ex switch
    {
        QueryException qe => qe.Detail,
        QueryLimitException le => le.Message,
        _ => null,
    };

    /// <summary>A time as 1.x prints it: an integer in the epoch's unit (truncated), else RFC 3339 with nanoseconds trimmed.</summary>
    private static void WriteTime(Utf8JsonWriter json, long nanos, string? epoch, TimeZoneInfo? zone)
    {
        if (epoch is not null)
        {
            json.WriteNumberValue(FloorDiv(nanos, EpochDivisor(epoch)!.Value));
        }
        else
        {
            json.WriteStringValue(Rfc3339(nanos, zone));
        }
    }

    private static long FloorDiv(long a, long b) => a / b;

    internal static string Rfc3339(long nanos, TimeZoneInfo? zone = null)
    {
        var seconds = Math.DivRem(nanos, 1_000_000_000L, out var fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }
        var instant = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var suffix = "Z";
        if (zone is not null && zone != TimeZoneInfo.Utc)
        {
            // tz('…'): local time with the zone's offset at that instant, as Go's RFC3339Nano writes it.
            var offset = zone.GetUtcOffset(instant);
            instant = instant.ToOffset(offset);
            suffix = offset == TimeSpan.Zero ? "Z" : instant.ToString("zzz", CultureInfo.InvariantCulture);
        }
        var text = instant.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return fraction == 0 ? text + suffix : text + "." + fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0') + suffix;
    }

    private static void WriteValue(Utf8JsonWriter json, object? value, string? epoch, TimeZoneInfo? zone)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case InfluxQLSeries.TimeValue t:
                WriteTime(json, t.Nanos, epoch, zone);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case double:
                json.WriteNullValue();
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case ulong u:
                json.WriteNumberValue(u);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteSeriesStart(Utf8JsonWriter json, InfluxQLSeries.Header h)
    {
        json.WriteStartObject();
        if (h.Name is not null)
        {
            json.WriteString("name", h.Name);
        }
        if (h.Tags.Count > 0)
        {
            json.WriteStartObject("tags");
            foreach (var (k, v) in h.Tags)
            {
                json.WriteString(k, v);
            }
            json.WriteEndObject();
        }
        json.WriteStartArray("columns");
        foreach (var c in h.Columns)
        {
            json.WriteStringValue(c);
        }
        json.WriteEndArray();
        json.WriteStartArray("values");
    }

    private static void WriteRow(Utf8JsonWriter json, object?[] values, string? epoch, TimeZoneInfo? zone)
    {
        json.WriteStartArray();
        foreach (var v in values)
        {
            WriteValue(json, v, epoch, zone);
        }
        json.WriteEndArray();
    }

    /// <summary>The whole answer as one JSON document, written series by series as the rows come.</summary>
    internal sealed class JsonV1Writer(Stream body, string? epoch, bool pretty) : IV1Writer
    {
        // 1.x indents pretty answers by four spaces.
        private readonly Utf8JsonWriter _json = new(body, new JsonWriterOptions { Indented = pretty, IndentSize = 4, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        public Task StartAsync()
        {
            _json.WriteStartObject();
            _json.WriteStartArray("results");
            return Task.CompletedTask;
        }

        public async Task ErrorAsync(int statementId, string message)
        {
            _json.WriteStartObject();
            _json.WriteNumber("statement_id", statementId);
            _json.WriteString("error", message);
            _json.WriteEndObject();
            await _json.FlushAsync().ConfigureAwait(false);
        }

        public async Task StatementAsync(int statementId, IAsyncEnumerable<InfluxQLSeries.Row> rows, CancellationToken cancellationToken)
        {
            _json.WriteStartObject();
            _json.WriteNumber("statement_id", statementId);
            InfluxQLSeries.Header? current = null;
            var count = 0;
            string? error = null;
            try
            {
                await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (current is null || !current.SameSeries(row.Series))
                    {
                        if (current is null)
                        {
                            _json.WriteStartArray("series");
                        }
                        else
                        {
                            _json.WriteEndArray();
                            _json.WriteEndObject();
                        }
                        WriteSeriesStart(_json, row.Series);
                        current = row.Series;
                    }
                    WriteRow(_json, row.Values, epoch, row.Series.Zone);
                    if (++count % 1000 == 0)
                    {
                        await _json.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (StatementError(ex) is { } message)
            {
                error = message;
            }
            if (current is not null)
            {
                _json.WriteEndArray();
                _json.WriteEndObject();
                _json.WriteEndArray();
            }
            if (error is not null)
            {
                // 1.x's result object has both: the series sent so far, and what stopped the statement.
                _json.WriteString("error", error);
            }
            _json.WriteEndObject();
            await _json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task EndAsync()
        {
            _json.WriteEndArray();
            _json.WriteEndObject();
            await _json.FlushAsync().ConfigureAwait(false);
            await body.WriteAsync("\n"u8.ToArray()).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => _json.DisposeAsync();
    }

    /// <summary>
    /// <c>chunked=true</c>: one JSON document per line, each a chunk of at most chunk_size rows of one series;
    /// <c>"partial":true</c> on a series that continues in the next chunk and on a statement with chunks to come.
    /// </summary>
    internal sealed class ChunkedJsonV1Writer(Stream body, string? epoch, int chunkSize) : IV1Writer
    {
        public Task StartAsync() => Task.CompletedTask;

        public Task ErrorAsync(int statementId, string message) => WriteDocument(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("statement_id", statementId);
            json.WriteString("error", message);
            json.WriteEndObject();
        });

        private async Task WriteDocument(Action<Utf8JsonWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteStartArray("results");
                write(json);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
            await body.WriteAsync(buffer.ToArray()).ConfigureAwait(false);
            await body.FlushAsync().ConfigureAwait(false);
        }

        public async Task StatementAsync(int statementId, IAsyncEnumerable<InfluxQLSeries.Row> rows, CancellationToken cancellationToken)
        {
            InfluxQLSeries.Header? header = null;
            var pending = new List<object?[]>();
            var any = false;
            Task Emit(bool seriesPartial, bool statementPartial)
            {
                var h = header!;
                var chunk = pending.ToArray();
                pending.Clear();
                return WriteDocument(json =>
                {
                    json.WriteStartObject();
                    json.WriteNumber("statement_id", statementId);
                    json.WriteStartArray("series");
                    WriteSeriesStart(json, h);
                    foreach (var r in chunk)
                    {
                        WriteRow(json, r, epoch, h.Zone);
                    }
                    json.WriteEndArray();
                    if (seriesPartial)
                    {
                        json.WriteBoolean("partial", true);
                    }
                    json.WriteEndObject();
                    json.WriteEndArray();
                    if (statementPartial)
                    {
                        json.WriteBoolean("partial", true);
                    }
                    json.WriteEndObject();
                });
            }
            try
            {
                await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    any = true;
                    if (header is not null && !header.SameSeries(row.Series))
                    {
                        await Emit(false, true).ConfigureAwait(false);
                    }
                    else if (pending.Count == chunkSize)
                    {
                        await Emit(true, true).ConfigureAwait(false);
                    }
                    header = row.Series;
                    pending.Add(row.Values);
                }
            }
            catch (Exception ex) when (StatementError(ex) is { } message)
            {
                // The rows read so far, then the statement's error as its last chunk.
                if (pending.Count > 0)
                {
                    await Emit(false, true).ConfigureAwait(false);
                }
                await ErrorAsync(statementId, message).ConfigureAwait(false);
                return;
            }
            if (!any)
            {
                await WriteDocument(json =>
                {
                    json.WriteStartObject();
                    json.WriteNumber("statement_id", statementId);
                    json.WriteEndObject();
                }).ConfigureAwait(false);
                return;
            }
            await Emit(false, false).ConfigureAwait(false);
        }

        public Task EndAsync() => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>1.x's CSV: <c>name,tags,time,…</c> headers (again whenever the columns change), tags as <c>k=v,k=v</c>.</summary>
    internal sealed class CsvV1Writer(Stream body, string? epoch) : IV1Writer
    {
        private IReadOnlyList<string>? _columns;

        public Task StartAsync() => Task.CompletedTask;

        public Task ErrorAsync(int statementId, string message) =>
            body.WriteAsync(Encoding.UTF8.GetBytes($"error\n{Field(message)}\n")).AsTask();

        public async Task StatementAsync(int statementId, IAsyncEnumerable<InfluxQLSeries.Row> rows, CancellationToken cancellationToken)
        {
            var sb = new StringBuilder();
            try
            {
                await WriteRowsAsync(rows, sb, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StatementError(ex) is { } message)
            {
                await body.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), cancellationToken).ConfigureAwait(false);
                _columns = null;
                await ErrorAsync(statementId, message).ConfigureAwait(false);
                return;
            }
            await body.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), cancellationToken).ConfigureAwait(false);
        }

        private async Task WriteRowsAsync(IAsyncEnumerable<InfluxQLSeries.Row> rows, StringBuilder sb, CancellationToken cancellationToken)
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (_columns is null || !_columns.SequenceEqual(row.Series.Columns))
                {
                    if (_columns is not null)
                    {
                        sb.Append('\n');
                    }
                    _columns = row.Series.Columns;
                    sb.Append("name,tags");
                    foreach (var c in _columns)
                    {
                        sb.Append(',').Append(Field(c));
                    }
                    sb.Append('\n');
                }
                sb.Append(Field(row.Series.Name ?? "")).Append(',').Append(Field(string.Join(",", row.Series.Tags.Select(t => $"{t.Key}={t.Value}"))));
                foreach (var v in row.Values)
                {
                    sb.Append(',').Append(v switch
                    {
                        null => "",
                        InfluxQLSeries.TimeValue t => epoch is null ? t.Nanos.ToString(CultureInfo.InvariantCulture) : FloorDiv(t.Nanos, EpochDivisor(epoch)!.Value).ToString(CultureInfo.InvariantCulture),
                        double d => d.ToString("R", CultureInfo.InvariantCulture),
                        bool b => b ? "true" : "false",
                        _ => Field(Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""),
                    });
                }
                sb.Append('\n');
                if (sb.Length > 64 * 1024)
                {
                    await body.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), cancellationToken).ConfigureAwait(false);
                    sb.Clear();
                }
            }
        }

        public Task EndAsync() => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static string Field(string s) =>
            s.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}
