using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Prometheus;
using Tsdb.PromQL;
using Tsdb.Query;
using Tsdb.Query.Execution;

namespace Tsdb.Server.Http;

/// <summary>
/// Prometheus' HTTP query API (<c>/api/v1/…</c>) as Grafana's Prometheus data source uses it. Each request reads one
/// database: <c>?db=</c> (query string or form), or <see cref="PrometheusNames.DefaultDatabase"/>.
/// </summary>
internal sealed partial class PrometheusEndpoints(Catalog.Catalog catalog, ITableSource tables, MetricMetadataStore metadata, ServerOptions options, TimeProvider time)
{
    private const int MaxPoints = 11_000;
    private const string TruncatedWarning = "results truncated due to limit";

    /// <summary>The database a request reads or writes.</summary>
    public static string Database(HttpRequest request) => PromParams.Get(request, "db") is { Length: > 0 } db ? db : PrometheusNames.DefaultDatabase;

    private PromQLEngineOptions EngineOptions => new() { EnableExperimentalFunctions = options.PromQLExperimentalFunctions };

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary><c>GET|POST /api/v1/query</c>: query, time, timeout.</summary>
    public Task Query(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var query = PromParams.Get(request, "query") ?? "";
        var at = PromParams.Time(request, "time", NowMs);
        await EvaluateAsync(context, (engine, ct) => engine.InstantQueryAsync(query, at, ct)).ConfigureAwait(false);
    });

    /// <summary><c>GET|POST /api/v1/query_range</c>: query, start, end, step, timeout.</summary>
    public Task QueryRange(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var start = PromParams.Time(request, "start", long.MinValue);
        var end = PromParams.Time(request, "end", long.MinValue);
        if (start == long.MinValue)
        {
            throw new ParamException("invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
        }
        if (end == long.MinValue)
        {
            throw new ParamException("invalid parameter \"end\": cannot parse \"\" to a valid timestamp");
        }
        if (end < start)
        {
            throw new ParamException("invalid parameter \"end\": end timestamp must not be before start time");
        }
        var step = PromParams.Duration(request, "step") ?? throw new ParamException("invalid parameter \"step\": cannot parse \"\" to a valid duration");
        if (step <= 0)
        {
            throw new ParamException("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if ((end - start) / step > MaxPoints)
        {
            throw new ParamException("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        }
        var query = PromParams.Get(request, "query") ?? "";
        await EvaluateAsync(context, (engine, ct) => engine.RangeQueryAsync(query, start, end, step, ct)).ConfigureAwait(false);
    });

    /// <summary>
    /// A PromQL evaluation under the memory limits SQL queries have: a baseline taken from the process's budget before
    /// it starts (refused: 503 <c>unavailable</c> with Retry-After), and what its reads decode and keep (samples,
    /// series) reserved as they read, against the query's limit and the process's budget; all of it goes back once
    /// the answer is written.
    /// </summary>
    private Task EvaluateAsync(HttpContext context, Func<PromQLEngine, CancellationToken, Task<PromQLResult>> evaluate) =>
        ReadAsync(context, "a new PromQL query", "PromQL (the samples and series it read)", async source =>
        {
            using var cancel = Timeout(context.Request, context.RequestAborted);
            var result = await evaluate(new PromQLEngine(source, EngineOptions), cancel.Token).ConfigureAwait(false);
            await PromJsonWriter.Success(context, json => PromJsonWriter.Value(json, result.Value), result.Warnings).ConfigureAwait(false);
        });

    /// <summary>
    /// A read of the database's series (a PromQL evaluation, /series, /labels, label values) under a query's memory
    /// limits: a baseline (<paramref name="start"/>) taken from the process's budget before it starts, waiting in line
    /// for it (refused: 503 <c>unavailable</c>), and what its scans decode and the samples and series it keeps
    /// (<paramref name="reading"/>) reserved as it reads; all of it goes back once the answer is written.
    /// </summary>
    private async Task ReadAsync(HttpContext context, string start, string reading, Func<StorageSeriesSource, Task> read)
    {
        var pool = new QueryMemoryPool(options.QueryMemoryLimit, options.ProcessMemory);
        try
        {
            using var baseline = pool.Reserve(start);
            if (options.ProcessMemory is not null)
            {
                await baseline.GrowAsync(Math.Min(options.QueryMemoryLimit / 4, 16L << 20), running: false, context.RequestAborted).ConfigureAwait(false);
            }
            using var memory = pool.Reserve(reading);
            await read(new StorageSeriesSource(catalog, tables, Database(context.Request)) { Memory = memory }).ConfigureAwait(false);
        }
        finally
        {
            pool.Close();
        }
    }

    /// <summary><c>GET|POST /api/v1/series</c>: match[] (at least one), start, end, limit.</summary>
    public Task Series(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var matches = PromParams.GetAll(request, "match[]");
        if (matches.Count == 0)
        {
            throw new ParamException("no match[] parameter provided");
        }
        var (start, end) = Range(request);
        var limit = PromParams.Limit(request);
        var sets = ParseMatchers(matches);
        await ReadAsync(context, "a series request", "series (the series it read)", async source =>
        {
            var series = await source.SeriesAsync(sets, start, end, context.RequestAborted).ConfigureAwait(false);
            var (shown, warnings) = Truncate(series, limit);
            await PromJsonWriter.Success(context, json =>
            {
                json.WriteStartArray();
                foreach (var labels in shown)
                {
                    PromJsonWriter.Labels(json, labels);
                }
                json.WriteEndArray();
            }, warnings).ConfigureAwait(false);
        }).ConfigureAwait(false);
    });

    /// <summary><c>GET|POST /api/v1/labels</c>: start, end, match[], limit.</summary>
    public Task LabelNames(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var (start, end) = Range(request);
        var limit = PromParams.Limit(request);
        var sets = ParseMatchers(PromParams.GetAll(request, "match[]"));
        await ReadAsync(context, "a labels request", "labels (the series it read)", async source =>
            await WriteStrings(context, await source.LabelNamesAsync(sets, start, end, context.RequestAborted).ConfigureAwait(false), limit).ConfigureAwait(false)).ConfigureAwait(false);
    });

    /// <summary><c>GET /api/v1/label/{name}/values</c>: start, end, match[], limit.</summary>
    public Task LabelValues(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var name = context.Request.RouteValues["name"] as string ?? "";
        if (name.StartsWith("U__", StringComparison.Ordinal))
        {
            name = UnescapeName(name[3..]);
        }
        if (name.Length == 0)
        {
            throw new ParamException($"invalid label name: \"{name}\"");
        }
        var (start, end) = Range(request);
        var limit = PromParams.Limit(request);
        var sets = ParseMatchers(PromParams.GetAll(request, "match[]"));
        await ReadAsync(context, "a label values request", "label values (the series it read)", async source =>
            await WriteStrings(context, await source.LabelValuesAsync(name, sets, start, end, context.RequestAborted).ConfigureAwait(false), limit).ConfigureAwait(false)).ConfigureAwait(false);
    });

    /// <summary><c>GET /api/v1/metadata</c>: limit, limit_per_metric, metric. Metadata remote-write senders sent, kept in the catalog.</summary>
    public Task Metadata(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var limit = PromParams.Limit(request);
        var metric = PromParams.Get(request, "metric");
        var db = Database(request);
        // A wrong ?db= is an error here as on the other reads.
        if (catalog.Current.FindDatabase(db) is null)
        {
            throw new DatabaseNotFoundException(db);
        }
        var entries = metadata.List(db).Where(e => string.IsNullOrEmpty(metric) || e.Key == metric).ToList();
        if (limit > 0 && entries.Count > limit)
        {
            entries = entries.Take(limit).ToList();
        }
        await PromJsonWriter.Success(context, json =>
        {
            json.WriteStartObject();
            foreach (var (name, entry) in entries)
            {
                json.WriteStartArray(name);
                json.WriteStartObject();
                json.WriteString("type", entry.Type);
                json.WriteString("help", entry.Help);
                json.WriteString("unit", entry.Unit);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }).ConfigureAwait(false);
    });

    /// <summary><c>GET /api/v1/status/buildinfo</c>. No <c>features</c> map, so Grafana classifies the server as Prometheus.</summary>
    public Task BuildInfo(HttpContext context) => PromJsonWriter.Success(context, json =>
    {
        json.WriteStartObject();
        json.WriteString("version", options.Version);
        json.WriteString("revision", "tsdb");
        json.WriteString("branch", "");
        json.WriteString("buildUser", "");
        json.WriteString("buildDate", "");
        json.WriteString("goVersion", "");
        json.WriteEndObject();
    });

    /// <summary>
    /// <c>GET|POST /api/v1/query_exemplars</c>: query, start, end. The exemplars of the series every vector selector of
    /// the query matches (Prometheus' <c>ExtractSelectors</c>), from the exemplar tables (<see cref="ExemplarColumns"/>),
    /// in Prometheus' shape: series by labels, each with its exemplars in time order. A query without selectors
    /// (<c>1+1</c>) has no exemplars: 204 with no body, as Prometheus answers (its handler returns no data and no error).
    /// </summary>
    public Task QueryExemplars(HttpContext context) => Guard(context, async () =>
    {
        var request = context.Request;
        var start = PromParams.Time(request, "start", PromParams.MinTimeMs);
        var end = PromParams.Time(request, "end", PromParams.MaxTimeMs);
        if (end < start)
        {
            throw new ParamException("end timestamp must not be before start timestamp");
        }
        var selectors = PromQLEngine.ExtractSelectors(PromParams.Get(request, "query") ?? "", options.PromQLExperimentalFunctions);
        if (selectors.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        var found = await new StorageExemplarSource(catalog, tables, Database(request)).SelectAsync(selectors, start, end, context.RequestAborted).ConfigureAwait(false);
        await PromJsonWriter.Success(context, json =>
        {
            json.WriteStartArray();
            foreach (var series in found)
            {
                json.WriteStartObject();
                json.WritePropertyName("seriesLabels");
                PromJsonWriter.Labels(json, series.SeriesLabels);
                json.WriteStartArray("exemplars");
                foreach (var exemplar in series.Exemplars)
                {
                    PromJsonWriter.Exemplar(json, exemplar);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    });

    /// <summary>
    /// <c>GET|POST /api/v1/format_query</c>: the query as Prometheus' formatter prints it (normalised, split over lines
    /// past 100 characters); a query that does not parse is <c>bad_data</c> with its position. No database is read.
    /// </summary>
    public async Task FormatQuery(HttpContext context)
    {
        if (context.Request.HasFormContentType)
        {
            await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        string formatted;
        try
        {
            formatted = PromQLEngine.Format(PromParams.Get(context.Request, "query") ?? "", options.PromQLExperimentalFunctions);
        }
        catch (PromQLException e)
        {
            await PromJsonWriter.Error(context, "bad_data", $"invalid parameter \"query\": {MessageOf(e)}").ConfigureAwait(false);
            return;
        }
        await PromJsonWriter.Success(context, json => json.WriteStringValue(formatted)).ConfigureAwait(false);
    }

    /// <summary>The engine's message, which is Prometheus' own, plus how this server turns experimental functions on.</summary>
    private static string MessageOf(PromQLException e) =>
        e.NeedsExperimentalFunctions ? e.Message + " (this server: start it with --promql-experimental-functions)" : e.Message;

    /// <summary><c>GET /api/v1/rules</c>: no recording or alerting rules.</summary>
    public static Task Rules(HttpContext context) => PromJsonWriter.Success(context, json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("groups");
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static (long Start, long End) Range(HttpRequest request)
    {
        var start = PromParams.Time(request, "start", PromParams.MinTimeMs);
        var end = PromParams.Time(request, "end", PromParams.MaxTimeMs);
        if (end < start)
        {
            throw new ParamException("invalid parameter \"end\": end timestamp must not be before start time");
        }
        return (start, end);
    }

    private static List<IReadOnlyList<LabelMatcher>> ParseMatchers(List<string> selectors) =>
        [.. selectors.Select(PromQLEngine.ParseSelector)];

    private static (IReadOnlyList<T> Shown, IReadOnlyList<string>? Warnings) Truncate<T>(IReadOnlyList<T> items, int limit) =>
        limit > 0 && items.Count > limit ? ([.. items.Take(limit)], [TruncatedWarning]) : (items, null);

    private static Task WriteStrings(HttpContext context, IReadOnlyList<string> values, int limit)
    {
        var (shown, warnings) = Truncate(values, limit);
        return PromJsonWriter.Success(context, json =>
        {
            json.WriteStartArray();
            foreach (var value in shown)
            {
                json.WriteStringValue(value);
            }
            json.WriteEndArray();
        }, warnings);
    }

    private static CancellationTokenSource Timeout(HttpRequest request, CancellationToken aborted)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        if (PromParams.Duration(request, "timeout") is { } ms && ms > 0)
        {
            source.CancelAfter(TimeSpan.FromMilliseconds(ms));
        }
        return source;
    }

    /// <summary>Prometheus' <c>U__</c> label-name escaping: <c>_</c> is "__", other characters are <c>_hex_</c>.</summary>
    private static string UnescapeName(string escaped)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '_')
            {
                builder.Append(escaped[i]);
                continue;
            }
            if (i + 1 < escaped.Length && escaped[i + 1] == '_')
            {
                builder.Append('_');
                i++;
                continue;
            }
            var close = escaped.IndexOf('_', i + 1);
            if (close < 0 || !int.TryParse(escaped.AsSpan(i + 1, close - i - 1), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                return escaped;
            }
            builder.Append(char.ConvertFromUtf32(code));
            i = close;
        }
        return builder.ToString();
    }

    /// <summary>Turns parameter and engine errors into the error envelope.</summary>
    private static async Task Guard(HttpContext context, Func<Task> handler)
    {
        try
        {
            if (context.Request.HasFormContentType)
            {
                // Read the form body asynchronously once; PromParams then reads it from memory.
                await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            if (!await AccessControl.DemandAsync(context, Database(context.Request), ApiDialect.Prometheus).ConfigureAwait(false))
            {
                return;
            }
            await handler().ConfigureAwait(false);
        }
        catch (ParamException e)
        {
            await PromJsonWriter.Error(context, "bad_data", e.Message).ConfigureAwait(false);
        }
        catch (DatabaseNotFoundException e)
        {
            // bad_data (400), as Prometheus answers a bad parameter; the hint matters most to Grafana users, who
            // reach the default database when they leave out the data source's custom query parameter.
            await PromJsonWriter.Error(context, "bad_data", $"database '{e.Database}' not found: name one with ?db=NAME (Grafana: a custom query parameter db=NAME)").ConfigureAwait(false);
        }
        catch (PromQLException e)
        {
            await PromJsonWriter.Error(context, e.ErrorTypeName, MessageOf(e)).ConfigureAwait(false);
        }
        catch (QueryLimitException e) when (e.Limit == QueryLimit.ProcessMemory)
        {
            // The process's memory is in use by other work: refused, not failed (as SQL answers it).
            context.Response.Headers.RetryAfter = "5";
            await PromJsonWriter.Error(context, "unavailable", e.Message).ConfigureAwait(false);
        }
        catch (QueryLimitException e)
        {
            // 422, as Prometheus answers a query that would load too many samples.
            await PromJsonWriter.Error(context, "execution", e.Message).ConfigureAwait(false);
        }
        catch (Tsdb.Query.Chunks.DataUnavailableException e)
        {
            context.Response.Headers.RetryAfter = "1";
            await PromJsonWriter.Error(context, "unavailable", e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await PromJsonWriter.Error(context, "timeout", "query timed out in expression evaluation").ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await PromJsonWriter.Error(context, "internal", e.Message).ConfigureAwait(false);
        }
    }
}
