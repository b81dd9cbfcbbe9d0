using System.CommandLine;
using System.Net.Http.Json;
using Tsdb.Cli.Client;

namespace Tsdb.Cli;

/// <summary><c>tsdb database create|update|delete|list</c> and <c>tsdb table delete</c>: clients of a running server.</summary>
internal static class DatabaseCommand
{
    public static Command Create()
    {
        var database = new Command("database", "Manage databases");
        database.Subcommands.Add(Change("create", "Create a database", HttpMethod.Post, requireChange: false));
        database.Subcommands.Add(Change("update", "Change a database's settings: only those given (--retention-period, 'none' clears it)", HttpMethod.Patch, requireChange: true));
        database.Subcommands.Add(Delete("delete", "Delete a database and its data", table: false));
        database.Subcommands.Add(ShowCommand.Databases("list"));
        return database;
    }

    public static Command CreateTable()
    {
        var table = new Command("table", "Manage tables");
        table.Subcommands.Add(Delete("delete", "Delete a table and its data", table: true));
        return table;
    }

    private static Command Change(string name, string description, HttpMethod method, bool requireChange)
    {
        var connection = new ClientOptions();
        var db = new Argument<string>("name") { Description = "Database name" };
        var retention = new Option<string?>("--retention-period") { Description = "How long data is kept: a number with s, m, h, d or w (e.g. 30d), or none" };
        var command = new Command(name, description) { db, retention };
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliAction.Run(async () =>
        {
            // Only what was given goes to the server: PATCH without retention_period would clear the retention.
            var body = new Dictionary<string, string> { ["db"] = parse.GetValue(db)! };
            if (parse.GetValue(retention) is { } period)
            {
                body["retention_period"] = period;
            }
            if (requireChange && body.Count == 1)
            {
                throw new CliException("nothing to change: give --retention-period (a duration such as 30d, or none to keep data forever)", 2);
            }
            using var client = connection.Connect(parse);
            using var response = await client.SendOkAsync(new HttpRequestMessage(method, "api/v3/configure/database") { Content = JsonContent.Create(body) }, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(method == HttpMethod.Post ? $"database '{body["db"]}' created" : $"database '{body["db"]}' updated");
            return 0;
        }));
        return command;
    }

    private static Command Delete(string name, string description, bool table)
    {
        var connection = new ClientOptions();
        var db = new Argument<string>(table ? "database" : "name") { Description = "Database name" };
        var tableName = new Argument<string>("table") { Description = "Table name" };
        var command = new Command(name, description) { db };
        if (table)
        {
            command.Arguments.Add(tableName);
        }
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliAction.Run(async () =>
        {
            using var client = connection.Connect(parse);
            var query = $"db={Uri.EscapeDataString(parse.GetValue(db)!)}" + (table ? $"&table={Uri.EscapeDataString(parse.GetValue(tableName)!)}" : "");
            using var response = await client.SendOkAsync(new HttpRequestMessage(HttpMethod.Delete, $"api/v3/configure/{(table ? "table" : "database")}?{query}"), cancellationToken).ConfigureAwait(false);
            Console.WriteLine(table ? $"table '{parse.GetValue(tableName)}' deleted" : $"database '{parse.GetValue(db)}' deleted");
            return 0;
        }));
        return command;
    }
}
