using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>
/// Sends dashboard queries to tsdb the way Grafana's data sources send them, after expanding variables
/// (<see cref="GrafanaTemplate"/>) and the time and interval macros of each data source:
/// <list type="bullet">
/// <item>Prometheus (<c>pkg/promlib</c>): <c>$__interval</c>, <c>$__interval_ms</c>, <c>$__range</c>, <c>$__range_s</c>,
/// <c>$__range_ms</c>, <c>$__rate_interval</c>, <c>$__rate_interval_ms</c>; start and end rounded down to a multiple
/// of the step; POST <c>/api/v1/query_range</c> (or <c>/api/v1/query</c> for an instant query) with the form
/// <c>query, start, end, step</c> in seconds and the custom query parameter <c>db</c>; <c>label_values(expr, label)</c>
/// as GET <c>/api/v1/label/LABEL/values?match[]=expr&amp;start&amp;end</c>.</item>
/// <item>InfluxQL (<c>pkg/tsdb/influxdb/models/query.go</c>): <c>$timeFilter</c> → <c>time &gt;= Fms and time &lt;= Tms</c>,
/// <c>$interval</c> and <c>$__interval</c> → the interval as "10s", <c>$__interval_ms</c>; POST <c>/query?db&amp;epoch=ms</c>
/// with the form <c>q</c> (httpMode POST). Variable queries the same way; SHOW TAG VALUES answers its <c>value</c> column.</item>
/// <item>SQL (<c>pkg/tsdb/influxdb/fsql/macro.go</c> over grafana-plugin-sdk-go's <c>sqlutil</c>): <c>$__timeFilter(c)</c>
/// → <c>c &gt;= 'RFC 3339' AND c &lt;= 'RFC 3339'</c> (whole seconds, UTC), <c>$__timeFrom</c>/<c>$__timeTo</c> →
/// <c>cast('…' as timestamp)</c>, <c>$__interval</c> → <c>interval 'N second'</c>, <c>$__interval_ms</c>,
/// <c>$__dateBin(c)</c> → <c>date_bin(interval 'N second', c, timestamp '1970-01-01T00:00:00Z')</c>,
/// <c>$__dateBinAlias(c)</c> (the same <c>as c_binned</c>); sent over Flight SQL as Grafana's fsql client does:
/// GetFlightInfo of a <c>CommandStatementQuery</c> with the <c>database</c> (the data source's <c>dbName</c>) and
/// <c>authorization: Bearer</c> headers (<c>runnerFromDataSource</c> in <c>fsql.go</c>), then
/// DoGet of its one endpoint (Apache.Arrow.Flight's client; the command is written by hand, as in
/// ApacheArrowFlightClientTests). Variable queries the same way; the first string column is the list.</item>
/// </list>
/// </summary>
internal sealed partial class GrafanaQueryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly GrpcChannel _channel;
    private readonly FlightClient _flight;
    private readonly string _token;
    private readonly IReadOnlyDictionary<string, GrafanaDataSource> _dataSources;

    public GrafanaQueryClient(Uri server, string token, IReadOnlyDictionary<string, GrafanaDataSource> dataSources)
    {
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() });
        _flight = new FlightClient(_channel);
        _token = token;
        _dataSources = dataSources;
    }

    /// <summary>What one query sent and got back. <c>Values</c> counts the non-null, finite numbers in the answer.</summary>
    public sealed record Answer(string Sent, int Series, int Rows, int Values, bool HasTimeColumn, string? Error);

    public GrafanaDataSource DataSource(string uid) =>
        _dataSources.TryGetValue(uid, out var ds) ? ds : throw new InvalidDataException($"data source uid '{uid}' is not provisioned in grafana/provisioning/datasources");

    public async Task<IReadOnlyList<string>> VariableValuesAsync(GrafanaDashboard.Variable variable, IReadOnlyDictionary<string, GrafanaVariableValue> selected, long fromMs, long toMs)
    {
        var ds = DataSource(variable.DataSourceUid);
        var query = GrafanaTemplate.Replace(variable.Query, selected, ds.Kind);
        switch (ds.Kind)
        {
            case GrafanaDataSourceKind.Prometheus:
            {
                var m = LabelValues().Match(query);
                if (!m.Success)
                {
                    throw new NotSupportedException($"variable {variable.Name}: only label_values(…) is implemented, not {query}");
                }
                var path = $"/api/v1/label/{m.Groups[2].Value}/values?db={Uri.EscapeDataString(ds.Database)}&start={fromMs / 1000}&end={(toMs + 999) / 1000}"
                    + (m.Groups[1].Success ? "&match[]=" + Uri.EscapeDataString(m.Groups[1].Value) : "");
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                using var response = await _http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"variable {variable.Name}: {path} answered {(int)response.StatusCode} {body}");
                }
                return [.. JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()!)];
            }
            case GrafanaDataSourceKind.InfluxQL:
            {
                query = query.Replace("$timeFilter", InfluxTimeFilter(fromMs, toMs), StringComparison.Ordinal);
                var json = await InfluxQLAsync(ds, query);
                var result = json.RootElement.GetProperty("results")[0];
                if (result.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"variable {variable.Name}: {query}: {error.GetString()}");
                }
                var column = query.Contains("SHOW TAG VALUES", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                var values = new List<string>();
                foreach (var series in result.TryGetProperty("series", out var s) ? s.EnumerateArray() : default)
                {
                    values.AddRange(series.GetProperty("values").EnumerateArray().Select(row => row[column].ToString()));
                }
                return values;
            }
            default:
            {
                var sql = ExpandSqlMacros(query, fromMs, toMs, GrafanaInterval.IntervalMs(toMs - fromMs, 1_500, ds.TimeIntervalMs));
                var batches = await FlightSqlAsync(ds, sql);
                var values = new List<string>();
                foreach (var batch in batches)
                {
                    var column = batch.Arrays.OfType<StringArray>().FirstOrDefault()
                        ?? throw new InvalidOperationException($"variable {variable.Name}: {sql} answered no string column");
                    for (var r = 0; r < column.Length; r++)
                    {
                        values.Add(column.GetString(r));
                    }
                }
                return values;
            }
        }
    }

    public async Task<Answer> RunAsync(GrafanaDashboard.Target target, IReadOnlyDictionary<string, GrafanaVariableValue> selected, long fromMs, long toMs)
    {
        var ds = DataSource(target.DataSourceUid);
        var text = GrafanaTemplate.Replace(target.Query, selected, ds.Kind);
        var rangeMs = toMs - fromMs;
        var minInterval = target.MinInterval is { } min ? GrafanaInterval.ParseMs(min) : ds.TimeIntervalMs;
        var intervalMs = GrafanaInterval.IntervalMs(rangeMs, target.MaxDataPoints, minInterval);
        try
        {
            return ds.Kind switch
            {
                GrafanaDataSourceKind.Prometheus => await PrometheusAsync(ds, target, text, fromMs, toMs, intervalMs),
                GrafanaDataSourceKind.InfluxQL => await InfluxQLPanelAsync(ds, text, fromMs, toMs, intervalMs),
                _ => await SqlPanelAsync(ds, text, fromMs, toMs, intervalMs),
            };
        }
        catch (RpcException e)
        {
            return new Answer(text, 0, 0, 0, false, $"gRPC {e.StatusCode}: {e.Status.Detail}");
        }
    }

    private async Task<Answer> PrometheusAsync(GrafanaDataSource ds, GrafanaDashboard.Target target, string expr, long fromMs, long toMs, long intervalMs)
    {
        var rangeMs = toMs - fromMs;
        var stepMs = GrafanaInterval.PrometheusStepMs(rangeMs, target.MaxDataPoints, intervalMs);
        var rateMs = GrafanaInterval.RateIntervalMs(intervalMs, ds.TimeIntervalMs);
        var rangeS = (long)Math.Round(rangeMs / 1000.0);
        foreach (var (name, value) in new (string, string)[]
        {
            ("__interval_ms", stepMs.ToString(CultureInfo.InvariantCulture)),
            ("__interval", GrafanaInterval.Format(stepMs)),
            ("__range_ms", rangeMs.ToString(CultureInfo.InvariantCulture)),
            ("__range_s", rangeS.ToString(CultureInfo.InvariantCulture)),
            ("__range", rangeS.ToString(CultureInfo.InvariantCulture) + "s"),
            ("__rate_interval_ms", rateMs.ToString(CultureInfo.InvariantCulture)),
            ("__rate_interval", GrafanaInterval.GoDuration(rateMs)),
        })
        {
            expr = expr.Replace("$" + name, value, StringComparison.Ordinal).Replace("${" + name + "}", value, StringComparison.Ordinal);
        }
        var start = fromMs / stepMs * stepMs;
        var end = toMs / stepMs * stepMs;
        var form = target.Instant
            ? new Dictionary<string, string> { ["query"] = expr, ["time"] = Seconds(end) }
            : new Dictionary<string, string> { ["query"] = expr, ["start"] = Seconds(start), ["end"] = Seconds(end), ["step"] = Seconds(stepMs) };
        var path = (target.Instant ? "/api/v1/query" : "/api/v1/query_range") + "?db=" + Uri.EscapeDataString(ds.Database);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var sent = target.Instant
            ? $"instant {expr} (time {Seconds(end)})"
            : $"range {expr} (start {Seconds(start)}, end {Seconds(end)}, step {Seconds(stepMs)})";
        if (!response.IsSuccessStatusCode)
        {
            return new Answer(sent, 0, 0, 0, false, $"HTTP {(int)response.StatusCode}: {body}");
        }
        var result = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
        int series = 0, rows = 0, values = 0;
        foreach (var s in result.EnumerateArray())
        {
            series++;
            var points = s.TryGetProperty("values", out var many) ? [.. many.EnumerateArray()] : new[] { s.GetProperty("value") };
            foreach (var point in points)
            {
                rows++;
                values += double.TryParse(point[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? 1 : 0;
            }
        }
        return new Answer(sent, series, rows, values, true, null);
    }

    private async Task<Answer> InfluxQLPanelAsync(GrafanaDataSource ds, string query, long fromMs, long toMs, long intervalMs)
    {
        query = query
            .Replace("$timeFilter", InfluxTimeFilter(fromMs, toMs), StringComparison.Ordinal)
            .Replace("$interval", GrafanaInterval.Format(intervalMs), StringComparison.Ordinal)
            .Replace("$__interval_ms", intervalMs.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$__interval", GrafanaInterval.Format(intervalMs), StringComparison.Ordinal);
        var json = await InfluxQLAsync(ds, query);
        var result = json.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
        {
            return new Answer(query, 0, 0, 0, false, error.GetString());
        }
        int series = 0, rows = 0, values = 0;
        var hasTime = false;
        foreach (var s in result.TryGetProperty("series", out var all) ? all.EnumerateArray() : default)
        {
            series++;
            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
            hasTime |= columns.Contains("time");
            foreach (var row in s.GetProperty("values").EnumerateArray())
            {
                rows++;
                for (var c = 0; c < columns.Count; c++)
                {
                    values += columns[c] != "time" && row[c].ValueKind == JsonValueKind.Number ? 1 : 0;
                }
            }
        }
        return new Answer(query, series, rows, values, hasTime, null);
    }

    private async Task<Answer> SqlPanelAsync(GrafanaDataSource ds, string sql, long fromMs, long toMs, long intervalMs)
    {
        sql = ExpandSqlMacros(sql, fromMs, toMs, intervalMs);
        var batches = await FlightSqlAsync(ds, sql);
        int rows = 0, values = 0;
        var hasTime = false;
        foreach (var batch in batches)
        {
            rows += batch.Length;
            foreach (var column in batch.Arrays)
            {
                hasTime |= column is TimestampArray;
                for (var r = 0; r < column.Length; r++)
                {
                    values += column switch
                    {
                        DoubleArray d => d.GetValue(r) is { } v && double.IsFinite(v) ? 1 : 0,
                        Int64Array i => i.IsNull(r) ? 0 : 1,
                        UInt64Array u => u.IsNull(r) ? 0 : 1,
                        _ => 0,
                    };
                }
            }
        }
        return new Answer(sql, batches.Count == 0 ? 0 : 1, rows, values, hasTime, null);
    }

    private async Task<JsonDocument> InfluxQLAsync(GrafanaDataSource ds, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/query?db={Uri.EscapeDataString(ds.Database)}&epoch=ms")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = query }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", _token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body)
            : JsonDocument.Parse(JsonSerializer.Serialize(new { results = new[] { new { error = $"HTTP {(int)response.StatusCode}: {body}" } } }));
    }

    private async Task<List<RecordBatch>> FlightSqlAsync(GrafanaDataSource ds, string sql)
    {
        var headers = new Metadata { { "authorization", "Bearer " + _token }, { "database", ds.Database } };
        var command = new Google.Protobuf.WellKnownTypes.Any
        {
            TypeUrl = "type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery",
            Value = ByteString.CopyFrom([0x0A, .. FlightCalls.Varint(Encoding.UTF8.GetByteCount(sql)), .. Encoding.UTF8.GetBytes(sql)]),
        };
        var info = await _flight.GetInfo(FlightDescriptor.CreateCommandDescriptor(command.ToByteArray()), headers).ResponseAsync;
        if (info.Endpoints.Count != 1)
        {
            throw new InvalidOperationException($"GetFlightInfo answered {info.Endpoints.Count} endpoints; Grafana accepts exactly one");
        }
        using var call = _flight.GetStream(info.Endpoints[0].Ticket, headers);
        return await FlightCalls.ReadAllAsync(call.ResponseStream);
    }

    /// <summary>fsql's macros over sqlutil's; an unknown <c>$__name</c> is an error here (Grafana would send it on and the query would fail).</summary>
    public static string ExpandSqlMacros(string sql, long fromMs, long toMs, long intervalMs)
    {
        var seconds = intervalMs / 1000;
        var from = Rfc3339(fromMs);
        var to = Rfc3339(toMs);
        var output = new StringBuilder();
        var position = 0;
        foreach (Match m in Macro().Matches(sql))
        {
            if (m.Index < position)
            {
                continue;
            }
            output.Append(sql, position, m.Index - position);
            var (args, length) = MacroArguments(sql, m.Index + m.Length);
            string Arg(int n) => args.Count > n ? args[n] : throw new FormatException($"$__{m.Groups[1].Value} needs {n + 1} argument(s): {sql}");
            output.Append(m.Groups[1].Value switch
            {
                "dateBin" => $"date_bin(interval '{seconds} second', {Arg(0)}, timestamp '1970-01-01T00:00:00Z')",
                "dateBinAlias" => $"date_bin(interval '{seconds} second', {Arg(0)}, timestamp '1970-01-01T00:00:00Z') as {Arg(0)}_binned",
                "interval" => $"interval '{seconds} second'",
                "interval_ms" => intervalMs.ToString(CultureInfo.InvariantCulture),
                "timeFilter" => $"{Arg(0)} >= '{from}' AND {Arg(0)} <= '{to}'",
                "timeFrom" => $"cast('{from}' as timestamp)",
                "timeTo" => $"cast('{to}' as timestamp)",
                var name => throw new NotSupportedException($"SQL macro $__{name} is not implemented by this test: {sql}"),
            });
            position = m.Index + m.Length + length;
        }
        return output.Append(sql, position, sql.Length - position).ToString();
    }

    /// <summary>A bracketed, comma-separated argument list right after a macro name (nested brackets kept), as sqlutil's parseArgs.</summary>
    private static (List<string> Args, int Length) MacroArguments(string sql, int start)
    {
        if (start >= sql.Length || sql[start] != '(')
        {
            return ([], 0);
        }
        var args = new List<string>();
        var depth = 0;
        var current = new StringBuilder();
        for (var i = start; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c == '(' && depth++ == 0)
            {
                continue;
            }
            if (c == ')' && --depth == 0)
            {
                args.Add(current.ToString().Trim());
                return (args, i - start + 1);
            }
            if (c == ',' && depth == 1)
            {
                args.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        throw new FormatException($"a macro's argument list is not closed: {sql}");
    }

    private static string InfluxTimeFilter(long fromMs, long toMs) => $"time >= {fromMs}ms and time <= {toMs}ms";

    /// <summary>Go's time.RFC3339 of a UTC time: whole seconds, "Z".</summary>
    private static string Rfc3339(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Seconds as Go's strconv.FormatFloat(…, 'f', -1, 64) prints them.</summary>
    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _channel.Dispose();
        _http.Dispose();
    }

    [GeneratedRegex(@"^label_values\((?:(.+),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)\s*$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$__(\w+)\b")]
    private static partial Regex Macro();
}
