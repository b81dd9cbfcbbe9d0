using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;

namespace Tsdb.Server.Http;

/// <summary>
/// <c>POST|GET|DELETE /api/v3/configure/token</c> and <c>POST /api/v3/configure/token/admin/regenerate</c> (admin
/// tokens only, checked by <see cref="AccessControl"/>). A secret is in the creating response and nowhere else; lists
/// show names, permissions and times, never a secret or hash.
/// </summary>
internal sealed class TokenEndpoints(Catalog.Catalog catalog, TimeProvider time)
{
    private const int MaxBodyBytes = 64 << 10;

    /// <summary>
    /// Body: <c>{"name", "admin", "permissions", "expires_at" | "expiry"}</c>. Permissions are strings in InfluxDB 3
    /// Enterprise's form (<c>"db:NAME[,NAME]:read[,write,delete]"</c>) or its objects
    /// (<c>{"resource_type":"db","resource_names":[…],"actions":[…]}</c>). Anything else is a 400 naming the problem.
    /// </summary>
    public async Task Create(HttpContext context)
    {
        NeverCompress(context);
        var (request, error) = await ReadCreateRequest(context).ConfigureAwait(false);
        if (error is not null)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, error).ConfigureAwait(false);
            return;
        }
        var r = request!;
        if (catalog.Current.Tokens.Any(t => t.Name == r.Name))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 409, $"a token named '{r.Name}' already exists").ConfigureAwait(false);
            return;
        }
        var now = time.GetUtcNow();
        string secret;
        try
        {
            secret = await catalog.CreateTokenAsync(r.Name, r.Admin, r.Permissions, r.ExpiresAt, now, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 409, e.Message).ConfigureAwait(false);
            return;
        }
        await WriteSecret(context, secret, catalog.Current.Tokens.First(t => t.Name == r.Name)).ConfigureAwait(false);
    }

    public Task List(HttpContext context) => WriteJson(context, json =>
    {
        json.WriteStartArray();
        foreach (var token in catalog.Current.Tokens.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            WriteTokenFields(json, token);
            json.WriteBoolean("expired", token.IsExpired(time.GetUtcNow()));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });

    /// <summary><c>DELETE /api/v3/configure/token?token_name=NAME</c> (or <c>name</c>, or either in a JSON body): revokes the token at once.</summary>
    public async Task Delete(HttpContext context)
    {
        var name = context.Request.Query["token_name"].FirstOrDefault() ?? context.Request.Query["name"].FirstOrDefault();
        if (string.IsNullOrEmpty(name) && context.Request.ContentLength is > 0)
        {
            try
            {
                using var body = await JsonBody.ParseAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
                if (body.RootElement.ValueKind == JsonValueKind.Object)
                {
                    name = (body.RootElement.TryGetProperty("token_name", out var n) || body.RootElement.TryGetProperty("name", out n)) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                }
            }
            catch (JsonException e)
            {
                await HttpErrors.Write(context, ApiDialect.V3, 400, $"the body is not valid JSON: {e.Message}").ConfigureAwait(false);
                return;
            }
        }
        if (string.IsNullOrEmpty(name))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, "missing required parameter 'token_name' (?token_name=NAME)").ConfigureAwait(false);
            return;
        }
        if (name == TokenDefinition.OperatorName)
        {
            await HttpErrors.Write(context, ApiDialect.V3, 400, $"the operator token '{TokenDefinition.OperatorName}' cannot be deleted; regenerate it instead (POST /api/v3/configure/token/admin/regenerate)").ConfigureAwait(false);
            return;
        }
        if (!await catalog.DeleteTokenAsync(name, context.RequestAborted).ConfigureAwait(false))
        {
            await HttpErrors.Write(context, ApiDialect.V3, 404, $"token '{name}' not found").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 200;
    }

    /// <summary>Gives the operator token a new secret; the old one stops working at once.</summary>
    public async Task RegenerateAdmin(HttpContext context)
    {
        NeverCompress(context);
        var secret = await catalog.RegenerateOperatorTokenAsync(time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        await WriteSecret(context, secret, catalog.Current.Tokens.First(t => t.Name == TokenDefinition.OperatorName)).ConfigureAwait(false);
    }

    /// <summary>201 with the new secret, shown this once, and the token's fields as the list shows them.</summary>
    private static Task WriteSecret(HttpContext context, string secret, TokenDefinition token)
    {
        context.Response.StatusCode = 201;
        return WriteJson(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("token", secret);
            WriteTokenFields(json, token);
            json.WriteEndObject();
        });
    }

    private static void WriteTokenFields(Utf8JsonWriter json, TokenDefinition token)
    {
        json.WriteString("name", token.Name);
        json.WriteBoolean("admin", token.IsAdmin);
        json.WriteStartArray("permissions");
        if (token.IsAdmin)
        {
            json.WriteStringValue("*:*:*");
        }
        foreach (var permission in token.Permissions)
        {
            json.WriteStringValue(permission.ToString());
        }
        json.WriteEndArray();
        json.WriteString("created_at", token.CreatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        if (token.ExpiresAt is { } at)
        {
            json.WriteString("expires_at", at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull("expires_at");
        }
    }

    private static async Task WriteJson(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    internal sealed record CreateRequest(string Name, bool Admin, IReadOnlyList<TokenPermission> Permissions, DateTimeOffset? ExpiresAt);

    private async Task<(CreateRequest? Request, string? Error)> ReadCreateRequest(HttpContext context)
    {
        byte[] bytes;
        try
        {
            bytes = (await RequestBodyBytes(context).ConfigureAwait(false))!;
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
        if (bytes.Length == 0)
        {
            return (null, "the body must be a JSON object, e.g. {\"name\":\"writer\",\"permissions\":[\"db:mydb:write\"]} or {\"name\":\"ops\",\"admin\":true}");
        }
        JsonDocument document;
        try
        {
            document = JsonBody.Parse(bytes);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            return ParseCreateRequest(document.RootElement, time.GetUtcNow());
        }
    }

    private static async Task<byte[]?> RequestBodyBytes(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw new InvalidDataException($"the body is larger than {MaxBodyBytes} bytes");
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Checks every field; the message names the first problem.</summary>
    internal static (CreateRequest? Request, string? Error) ParseCreateRequest(JsonElement root, DateTimeOffset now)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, $"the body must be a JSON object, not {Kind(root)}");
        }
        string? name = null;
        var admin = false;
        var permissions = new List<TokenPermission>();
        DateTimeOffset? expiresAt = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name" or "token_name":
                    if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } n)
                    {
                        return (null, $"\"{property.Name}\" must be a non-empty string");
                    }
                    if (n.Length > 128 || n.Any(char.IsControl))
                    {
                        return (null, "invalid token name: at most 128 characters, no control characters");
                    }
                    name = n;
                    break;
                case "admin":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        return (null, $"\"admin\" must be true or false, not {Kind(value)}");
                    }
                    admin = value.GetBoolean();
                    break;
                case "permissions":
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        return (null, $"\"permissions\" must be an array, e.g. [\"db:mydb:read,write\"], not {Kind(value)}");
                    }
                    foreach (var item in value.EnumerateArray())
                    {
                        var (parsed, permissionError) = ParsePermission(item);
                        if (permissionError is not null)
                        {
                            return (null, permissionError);
                        }
                        permissions.AddRange(parsed!);
                    }
                    break;
                case "expires_at":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }
                    if (value.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                    {
                        return (null, "\"expires_at\" must be an RFC 3339 time, e.g. \"2030-01-01T00:00:00Z\"");
                    }
                    expiresAt = at;
                    break;
                case "expiry":
                    if (value.ValueKind != JsonValueKind.String || !TryParseExpiry(value.GetString()!, out var span))
                    {
                        return (null, "\"expiry\" must be a duration: a number with s, m, h, d, w or y, e.g. \"30d\"");
                    }
                    expiresAt = now + span;
                    break;
                case "expiry_secs":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var seconds) || seconds <= 0)
                    {
                        return (null, "\"expiry_secs\" must be a positive whole number of seconds");
                    }
                    expiresAt = now + TimeSpan.FromSeconds(seconds);
                    break;
                default:
                    return (null, $"unknown field \"{property.Name}\": a token takes name, admin, permissions and expires_at or expiry");
            }
        }
        if (name is null)
        {
            return (null, "the token needs a \"name\"");
        }
        if (admin && permissions.Count > 0)
        {
            return (null, "an admin token may do everything: give \"admin\": true or \"permissions\", not both");
        }
        if (!admin && permissions.Count == 0)
        {
            return (null, "the token needs \"permissions\" (e.g. [\"db:mydb:read,write\"]) or \"admin\": true");
        }
        if (expiresAt is { } e && e <= now)
        {
            return (null, "the expiry is in the past");
        }
        return (new CreateRequest(name, admin, permissions, expiresAt), null);
    }

    private static (IReadOnlyList<TokenPermission>? Permissions, string? Error) ParsePermission(JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return TokenPermission.TryParse(item.GetString()!, out var parsed, out var error) ? (parsed, null) : (null, error);
        }
        if (item.ValueKind != JsonValueKind.Object)
        {
            return (null, $"a permission must be a string like \"db:mydb:read\" or an object with resource_type, resource_names and actions, not {Kind(item)}");
        }
        string? type = null;
        List<string>? names = null;
        List<string>? actionWords = null;
        foreach (var property in item.EnumerateObject())
        {
            switch (property.Name)
            {
                case "resource_type":
                    type = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    break;
                case "resource_names" or "resource_identifier":
                    names = Strings(property.Value);
                    break;
                case "actions":
                    actionWords = Strings(property.Value);
                    break;
                default:
                    return (null, $"unknown permission field \"{property.Name}\" (use resource_type, resource_names and actions)");
            }
        }
        if (type != "db")
        {
            return (null, "a permission's \"resource_type\" must be \"db\"");
        }
        if (names is not { Count: > 0 } || names.Any(n => n.Length == 0))
        {
            return (null, "a permission's \"resource_names\" must be a non-empty array of database names (or [\"*\"])");
        }
        if (actionWords is null)
        {
            return (null, "a permission's \"actions\" must be an array of read, write and delete");
        }
        if (!TokenPermission.TryParseActions(actionWords, out var actions, out var actionError))
        {
            return (null, $"a permission's \"actions\" are not valid: {actionError}");
        }
        return ([.. names.Select(n => new TokenPermission(n, actions))], null);
    }

    private static List<string>? Strings(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : null;

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };

    /// <summary>A duration as the CLI's --expiry takes it: a whole number with s, m, h, d, w or y.</summary>
    public static bool TryParseExpiry(string text, out TimeSpan span)
    {
        span = default;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
        {
            return false;
        }
        TimeSpan? result = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            'y' => TimeSpan.FromDays(365 * n),
            _ => null,
        };
        span = result ?? default;
        return result is not null;
    }

    /// <summary>The answer holds a new secret next to text the client chose: never compressed over HTTPS (BREACH).</summary>
    private static void NeverCompress(HttpContext context)
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpsCompressionFeature>() is { } compression)
        {
            compression.Mode = Microsoft.AspNetCore.Http.Features.HttpsCompressionMode.DoNotCompress;
        }
    }
}
