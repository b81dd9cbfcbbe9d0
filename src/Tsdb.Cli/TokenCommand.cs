using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Tsdb.Catalog;

namespace Tsdb.Cli;

/// <summary>
/// <c>tsdb token create|list|delete</c> (clients of a running server, with an admin token) and
/// <c>tsdb token recover</c> (offline, on the data directory and object store of a stopped server).
/// </summary>
internal static class TokenCommand
{
    private static (Option<string> Host, Option<string> Token) Connection() => (
        EnvOption.Text("--host", "TSDB_HOST", "http://127.0.0.1:8181", "URL of the server"),
        EnvOption.Text("--token", "TSDB_TOKEN", null, "An admin token"));

    public static Command Create()
    {
        var command = new Command("token", "Manage API tokens") { CreateCommand(), ListCommand(), DeleteCommand(), RecoverCommand() };
        return command;
    }

    private static Command CreateCommand()
    {
        var (host, token) = Connection();
        var name = new Option<string?>("--name") { Description = "Name of the new token" };
        var admin = new Option<bool>("--admin") { Description = "Make an admin token (it may do everything, tokens and databases included)" };
        var regenerate = new Option<bool>("--regenerate") { Description = "With --admin: give the operator token (_admin) a new secret; the old one stops working" };
        var permission = new Option<string[]>("--permission")
        {
            Description = "A grant as db:NAME[,NAME]:ACTIONS with actions read, write, delete (e.g. db:metrics:read,write or db:*:read); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var expiry = new Option<string?>("--expiry") { Description = "The token stops working after this long: a number with s, m, h, d, w or y (e.g. 30d); default never" };
        var create = new Command("create", "Create an API token (shown once)") { host, token, name, admin, regenerate, permission, expiry };
        create.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(regenerate))
            {
                if (!parse.GetValue(admin))
                {
                    await Console.Error.WriteLineAsync("error: --regenerate goes with --admin").ConfigureAwait(false);
                    return 2;
                }
                return await SendAsync(parse.GetValue(host)!, parse.GetValue(token), new HttpRequestMessage(HttpMethod.Post, "/api/v3/configure/token/admin/regenerate"), PrintCreated, cancellationToken).ConfigureAwait(false);
            }
            var permissions = parse.GetValue(permission) ?? [];
            foreach (var p in permissions)
            {
                if (!TokenPermission.TryParse(p, out _, out var error))
                {
                    await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                    return 2;
                }
            }
            if (parse.GetValue(admin) == (permissions.Length > 0))
            {
                await Console.Error.WriteLineAsync("error: give --admin or at least one --permission (e.g. --permission db:mydb:read,write)").ConfigureAwait(false);
                return 2;
            }
            if (string.IsNullOrEmpty(parse.GetValue(name)))
            {
                await Console.Error.WriteLineAsync("error: --name is required").ConfigureAwait(false);
                return 2;
            }
            var body = new Dictionary<string, object?>
            {
                ["name"] = parse.GetValue(name),
                ["admin"] = parse.GetValue(admin),
                ["permissions"] = permissions,
            };
            if (parse.GetValue(expiry) is { } e)
            {
                body["expiry"] = e;
            }
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v3/configure/token") { Content = JsonContent.Create(body) };
            return await SendAsync(parse.GetValue(host)!, parse.GetValue(token), request, PrintCreated, cancellationToken).ConfigureAwait(false);
        });
        return create;
    }

    private static Command ListCommand()
    {
        var (host, token) = Connection();
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var list = new Command("list", "List tokens: name, permissions, created, expiry (never a secret)") { host, token, format };
        list.SetAction(async (parse, cancellationToken) =>
            await SendAsync(parse.GetValue(host)!, parse.GetValue(token), new HttpRequestMessage(HttpMethod.Get, "/api/v3/configure/token"), body =>
            {
                if (parse.GetValue(format) == "json")
                {
                    Console.WriteLine(body);
                    return;
                }
                using var json = JsonDocument.Parse(body);
                Console.WriteLine($"{"NAME",-24} {"PERMISSIONS",-40} {"CREATED",-20} EXPIRES");
                foreach (var t in json.RootElement.EnumerateArray())
                {
                    var permissions = string.Join(' ', t.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
                    var expires = t.GetProperty("expires_at").GetString() ?? "never";
                    if (t.GetProperty("expired").GetBoolean())
                    {
                        expires += " (expired)";
                    }
                    Console.WriteLine($"{t.GetProperty("name").GetString(),-24} {permissions,-40} {t.GetProperty("created_at").GetString(),-20} {expires}");
                }
            }, cancellationToken).ConfigureAwait(false));
        return list;
    }

    private static Command DeleteCommand()
    {
        var (host, token) = Connection();
        var name = new Option<string>("--name") { Description = "Name of the token to revoke", Required = true };
        var delete = new Command("delete", "Revoke a token at once") { host, token, name };
        delete.SetAction(async (parse, cancellationToken) =>
            await SendAsync(parse.GetValue(host)!, parse.GetValue(token),
                new HttpRequestMessage(HttpMethod.Delete, $"/api/v3/configure/token?token_name={Uri.EscapeDataString(parse.GetValue(name)!)}"),
                _ => Console.WriteLine($"token '{parse.GetValue(name)}' deleted"), cancellationToken).ConfigureAwait(false));
        return delete;
    }

    /// <summary>
    /// Offline: opens the catalog where <c>serve</c> would (same data directory and object-store options), gives the
    /// operator token a new secret and prints it. The data directory's lock keeps it from running beside a server.
    /// </summary>
    private static Command RecoverCommand()
    {
        var store = new StoreOptions();
        var recover = new Command("recover", "With the server stopped: print a new admin token (_admin); the old one stops working");
        store.AddTo(recover);
        recover.SetAction(async (parse, cancellationToken) =>
        {
            if (await store.ParseOrReportAsync(parse).ConfigureAwait(false) is not { } parsed)
            {
                return 2;
            }
            var (dataDir, settings, storeDir) = parsed;
            if (!Directory.Exists(dataDir))
            {
                await Console.Error.WriteLineAsync($"error: the data directory {dataDir} does not exist").ConfigureAwait(false);
                return 1;
            }
            FileStream dataDirLock;
            try
            {
                dataDirLock = new FileStream(Path.Combine(dataDir, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Console.Error.WriteLineAsync($"error: the data directory {dataDir} is in use by a running tsdb server: stop it first, or regenerate online with 'tsdb token create --admin --regenerate'").ConfigureAwait(false);
                return 1;
            }
            await using (dataDirLock.ConfigureAwait(false))
            {
                var catalog = await Catalog.Catalog.CreateAsync(new ObjectStoreCatalogStore(settings.Create(storeDir)), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (catalog.Current.Version == 0)
                {
                    await Console.Error.WriteLineAsync($"error: no catalog in {settings.Describe(storeDir)}: nothing to recover (the first 'tsdb serve' prints an admin token)").ConfigureAwait(false);
                    return 1;
                }
                var secret = await catalog.RegenerateOperatorTokenAsync(TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"new admin token for '{TokenDefinition.OperatorName}' (shown once; the old one no longer works): {secret}");
                return 0;
            }
        });
        return recover;
    }

    private static void PrintCreated(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var permissions = string.Join(' ', root.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        var expires = root.GetProperty("expires_at").GetString() is { } at ? $", expires {at}" : "";
        Console.WriteLine($"token '{root.GetProperty("name").GetString()}' ({permissions}{expires}) created (shown once): {root.GetProperty("token").GetString()}");
    }

    private static async Task<int> SendAsync(string host, string? token, HttpRequestMessage request, Action<string> onSuccess, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            await Console.Error.WriteLineAsync("error: --token (or TSDB_TOKEN) must give an admin token").ConfigureAwait(false);
            return 2;
        }
        Uri address;
        try
        {
            address = Client.HostAddress.Parse(host);   // with or without a scheme, as every client command takes it
        }
        catch (Client.CliException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
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
        onSuccess(body);
        return 0;
    }
}
