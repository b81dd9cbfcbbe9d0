using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tsdb.Cli.Client;
using Tsdb.Cli.Output;

namespace Tsdb.Cli;

/// <summary><c>tsdb show databases|tables|columns|tokens|nodes</c>: what a running server holds, as a table (or csv/json).</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var show = new Command("show", "List databases, tables, columns, tokens or nodes");
        show.Subcommands.Add(Databases("databases"));
        show.Subcommands.Add(Sub("tables", "Tables of a database", withDatabase: true, (client, db, _, ct) =>
            Sql(client, db!, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'iox' ORDER BY table_name", null, ct)));
        var table = new Option<string?>("--table", "-t") { Description = "Only this table's columns" };
        var columns = Sub("columns", "Columns of a database's tables: name, kind (tag, field, time) and type", withDatabase: true, async (client, db, parse, ct) =>
        {
            var name = parse.GetValue(table);
            var rows = await Sql(client, db!,
                "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'iox'" + (name is null ? "" : " AND table_name = $table") + " ORDER BY table_name, ordinal_position",
                name is null ? null : new Dictionary<string, string> { ["table"] = name }, ct).ConfigureAwait(false);
            // The kind, as line protocol names it: dictionary columns are tags, the timestamp is time.
            return new RowSet(["table", "column", "kind", "type"], rows.Rows.Select(r => new object?[]
            {
                r[0], r[1], r[2] is string t && t.StartsWith("Dictionary", StringComparison.Ordinal) ? "tag" : r[2] is string ts && ts.StartsWith("Timestamp", StringComparison.Ordinal) ? "time" : "field", r[2],
            }).ToList());
        });
        columns.Options.Add(table);
        show.Subcommands.Add(columns);
        show.Subcommands.Add(Sub("tokens", "API tokens (names and permissions, never the secrets; needs an admin token)", withDatabase: false, async (client, _, _, ct) =>
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v3/configure/token"), ct).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                throw new CliException($"this server cannot list tokens (GET /api/v3/configure/token answered {(int)response.StatusCode}): it predates token listing; tokens can still be created with tsdb token create");
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(await client.DescribeFailureAsync(response, ct).ConfigureAwait(false));
            }
            return FromJsonArray(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false), rename: new(), ensure: []);
        }));
        show.Subcommands.Add(Sub("nodes", "The server's nodes (a single node for now): address, version, health", withDatabase: false, async (client, _, _, ct) =>
        {
            using var ping = JsonDocument.Parse(await client.GetStringAsync("ping", ct).ConfigureAwait(false));
            string health;
            using (var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "health"), ct).ConfigureAwait(false))
            {
                health = response.IsSuccessStatusCode ? "ok" : $"{(int)response.StatusCode} {TsdbClient.ErrorMessage(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))}";
            }
            string? Text(string name) => ping.RootElement.TryGetProperty(name, out var v) ? v.ToString() : null;
            return new RowSet(["node", "url", "version", "revision", "process_id", "health"],
                [[client.BaseAddress.Authority, client.BaseAddress.ToString(), Text("version"), Text("revision"), Text("process_id"), health]]);
        }));
        return show;
    }

    /// <summary><c>tsdb show databases</c>, also <c>tsdb database list</c>.</summary>
    public static Command Databases(string name) => Sub(name, "Databases and their retention periods", withDatabase: false, async (client, _, _, ct) =>
    {
        var body = await client.GetStringAsync("api/v3/configure/database", ct).ConfigureAwait(false);
        return FromJsonArray(body, rename: new() { ["iox::database"] = "database" }, ensure: ["database", "retention_period"]);
    });

    /// <summary><c>tsdb table list</c>: a database's tables with their own and their effective retention periods.</summary>
    public static Command Tables(string name) => Sub(name, "Tables of a database and their retention periods (their own, and the one that applies)", withDatabase: true, async (client, db, _, ct) =>
    {
        var body = await client.GetStringAsync($"api/v3/configure/table?db={Uri.EscapeDataString(db!)}", ct).ConfigureAwait(false);
        return FromJsonArray(body, rename: new() { ["table_name"] = "table" }, ensure: ["table", "retention_period", "effective_retention_period"]);
    });

    private delegate Task<RowSet> Lister(TsdbClient client, string? database, ParseResult parse, CancellationToken cancellationToken);

    private static Command Sub(string name, string description, bool withDatabase, Lister list)
    {
        var connection = new ClientOptions();
        var database = WriteCommand.DatabaseOption();
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "pretty" };
        format.AcceptOnlyFromAmong(RowWriter.Formats);
        var command = new Command(name, description) { format };
        if (withDatabase)
        {
            command.Options.Add(database);
        }
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliAction.Run(async () =>
        {
            var db = withDatabase ? WriteCommand.RequireDatabase(parse.GetValue(database)) : null;
            using var client = connection.Connect(parse);
            var rows = await list(client, db, parse, cancellationToken).ConfigureAwait(false);
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false));
            await using (stdout.ConfigureAwait(false))
            {
                RowWriter.Write(rows, parse.GetValue(format)!, stdout, terminal: !Console.IsOutputRedirected);
            }
            return 0;
        }));
        return command;
    }

    private static async Task<RowSet> Sql(TsdbClient client, string db, string query, Dictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object> { ["db"] = db, ["q"] = query, ["format"] = "csv" };
        if (parameters is not null)
        {
            body["params"] = parameters;
        }
        using var response = await client.SendOkAsync(new HttpRequestMessage(HttpMethod.Post, "api/v3/query_sql") { Content = JsonContent.Create(body) }, cancellationToken).ConfigureAwait(false);
        return RowWriter.FromCsv(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A JSON array of objects (or an object holding one) as rows; columns in first-seen order.</summary>
    private static RowSet FromJsonArray(string body, Dictionary<string, string> rename, string[] ensure)
    {
        using var json = JsonDocument.Parse(body);
        var array = json.RootElement;
        if (array.ValueKind == JsonValueKind.Object && array.EnumerateObject().FirstOrDefault(p => p.Value.ValueKind == JsonValueKind.Array) is { Value.ValueKind: JsonValueKind.Array } inner)
        {
            array = inner.Value;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new CliException("the server's answer is not a list: " + TsdbClient.ErrorMessage(body));
        }
        var columns = new List<string>(ensure);
        var objects = new List<Dictionary<string, object?>>();
        foreach (var item in array.EnumerateArray())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                var name = rename.GetValueOrDefault(property.Name, property.Name);
                if (!columns.Contains(name))
                {
                    columns.Add(name);
                }
                row[name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetDouble(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
            objects.Add(row);
        }
        return new RowSet(columns, objects.Select(o => columns.Select(c => o.GetValueOrDefault(c)).ToArray()).ToList());
    }
}
