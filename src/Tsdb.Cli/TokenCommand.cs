using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tsdb.Cli;

/// <summary><c>tsdb token create</c>: asks a running server (with an admin token) for a new token.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var host = EnvOption.Text("--host", "TSDB_HOST", "http://127.0.0.1:8181", "URL of the server");
        var token = EnvOption.Text("--token", "TSDB_TOKEN", null, "An admin token");
        var name = new Option<string?>("--name") { Description = "Name of the new token" };
        var admin = new Option<bool>("--admin") { Description = "Make the new token an admin token (it can create tokens)" };
        var create = new Command("create", "Create an API token") { host, token, name, admin };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var adminToken = parse.GetValue(token);
            if (string.IsNullOrEmpty(adminToken))
            {
                await Console.Error.WriteLineAsync("error: --token (or TSDB_TOKEN) must give an admin token").ConfigureAwait(false);
                return 2;
            }
            using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(host)!) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsJsonAsync("/api/v3/configure/token", new { name = parse.GetValue(name), admin = parse.GetValue(admin) }, cancellationToken).ConfigureAwait(false);
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
            using var json = JsonDocument.Parse(body);
            Console.WriteLine($"token '{json.RootElement.GetProperty("name").GetString()}' created (shown once): {json.RootElement.GetProperty("token").GetString()}");
            return 0;
        });
        var command = new Command("token", "Manage API tokens") { create };
        return command;
    }
}
