using System.CommandLine;
using System.Net.Http.Json;
using Tsdb.Cli.Client;

namespace Tsdb.Cli;

/// <summary><c>tsdb database create|update|delete|list</c> and <c>tsdb table create|update|delete|list</c>: clients of a running server.</summary>
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
        table.Subcommands.Add(ChangeTable("create", "Create a table: its tags, fields and, optionally, a retention period of its own", HttpMethod.Post));
        table.Subcommands.Add(ChangeTable("update", "Change a table's retention period ('none' clears it: the database's applies again)", HttpMethod.Patch));
        table.Subcommands.Add(Delete("delete", "Delete a table and its data", table: true));
        table.Subcommands.Add(ShowCommand.Tables("list"));
        return table;
    }

    private static Command ChangeTable(string name, string description, HttpMethod method)
    {
        var connection = new ClientOptions();
        var db = new Argument<string>("database") { Description = "Database name" };
        var tableName = new Argument<string>("table") { Description = "Table name" };
        var retention = new Option<string?>("--retention-period") { Description = "How long this table's data is kept, overriding the database's: a number with s, m, h, d or w (e.g. 7d), or none" };
        var tags = new Option<string?>("--tags") { Description = "Tag columns, comma-separated (tag1,tag2)" };
        var fields = new Option<string?>("--fields") { Description = "Field columns as name:type, comma-separated; types utf8, int64, uint64, float64, bool (e.g. usage:float64,note:utf8)" };
        var command = new Command(name, description) { db, tableName, retention };
        var create = method == HttpMethod.Post;
        if (create)
        {
            command.Options.Add(tags);
            command.Options.Add(fields);
        }
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliAction.Run(async () =>
        {
            var body = new Dictionary<string, object> { ["db"] = parse.GetValue(db)!, ["table"] = parse.GetValue(tableName)! };
            if (parse.GetValue(retention) is { } period)
            {
                body["retention_period"] = period;
            }
            else if (!create)
            {
                // PATCH without retention_period would clear it.
                throw new CliException("nothing to change: give --retention-period (a duration such as 7d, or none to use the database's)", 2);
            }
            if (create)
            {
                body["tags"] = (parse.GetValue(tags) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var fieldList = new List<Dictionary<string, string>>();
                foreach (var field in (parse.GetValue(fields) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var colon = field.LastIndexOf(':');
                    if (colon <= 0)
                    {
                        throw new CliException($"invalid field '{field}': write name:type, e.g. usage:float64", 2);
                    }
                    fieldList.Add(new Dictionary<string, string> { ["name"] = field[..colon], ["type"] = field[(colon + 1)..] });
                }
                body["fields"] = fieldList;
            }
            using var client = connection.Connect(parse);
            using var response = await client.SendOkAsync(new HttpRequestMessage(method, "api/v3/configure/table") { Content = JsonContent.Create(body) }, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(create ? $"table '{body["table"]}' created" : $"table '{body["table"]}' updated");
            return 0;
        }));
        return command;
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
