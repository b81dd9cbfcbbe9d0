using System.CommandLine;
using System.Net.Http.Json;

namespace Tsdb.Cli;

/// <summary><c>tsdb database create|update|delete|list</c> and <c>tsdb table delete</c>: clients of a running server.</summary>
internal static class DatabaseCommand
{
    private static (Option<string> Host, Option<string> Token) Connection() => (
        EnvOption.Text("--host", "TSDB_HOST", "http://127.0.0.1:8181", "URL of the server"),
        EnvOption.Text("--token", "TSDB_TOKEN", null, "An API token (not needed with --without-auth)"));

    public static Command Create()
    {
        var database = new Command("database", "Manage databases");
        database.Subcommands.Add(Change("create", "Create a database", HttpMethod.Post, withRetention: true));
        database.Subcommands.Add(Change("update", "Set (or with 'none' clear) a database's retention period", HttpMethod.Patch, withRetention: true));
        database.Subcommands.Add(Delete("delete", "Delete a database and its data", table: false));
        var (host, token) = Connection();
        var list = new Command("list", "List databases") { host, token };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var http = Client(parse.GetValue(host)!, parse.GetValue(token));
            return await Send(http, new HttpRequestMessage(HttpMethod.Get, "/api/v3/configure/database"), printBody: true, cancellationToken).ConfigureAwait(false);
        });
        database.Subcommands.Add(list);
        return database;
    }

    public static Command CreateTable()
    {
        var table = new Command("table", "Manage tables");
        table.Subcommands.Add(Delete("delete", "Delete a table and its data", table: true));
        return table;
    }

    private static Command Change(string name, string description, HttpMethod method, bool withRetention)
    {
        var (host, token) = Connection();
        var db = new Argument<string>("name") { Description = "Database name" };
        var retention = new Option<string?>("--retention-period") { Description = "How long data is kept: a number with s, m, h, d or w (e.g. 30d), or none" };
        var command = new Command(name, description) { db, host, token };
        if (withRetention)
        {
            command.Options.Add(retention);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var http = Client(parse.GetValue(host)!, parse.GetValue(token));
            var request = new HttpRequestMessage(method, "/api/v3/configure/database")
            {
                Content = JsonContent.Create(new { db = parse.GetValue(db), retention_period = parse.GetValue(retention) }),
            };
            return await Send(http, request, printBody: false, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Delete(string name, string description, bool table)
    {
        var (host, token) = Connection();
        var db = new Argument<string>(table ? "database" : "name") { Description = "Database name" };
        var tableName = new Argument<string>("table") { Description = "Table name" };
        var command = new Command(name, description) { db, host, token };
        if (table)
        {
            command.Arguments.Add(tableName);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var http = Client(parse.GetValue(host)!, parse.GetValue(token));
            var query = $"db={Uri.EscapeDataString(parse.GetValue(db)!)}" + (table ? $"&table={Uri.EscapeDataString(parse.GetValue(tableName)!)}" : "");
            var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v3/configure/{(table ? "table" : "database")}?{query}");
            return await Send(http, request, printBody: false, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static HttpClient Client(string host, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri(host) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    private static async Task<int> Send(HttpClient http, HttpRequestMessage request, bool printBody, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"error: cannot reach {http.BaseAddress}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            await Console.Error.WriteLineAsync($"error: the server answered {(int)response.StatusCode}: {body}").ConfigureAwait(false);
            return 1;
        }
        Console.WriteLine(printBody ? body : "ok");
        return 0;
    }
}
