using System.Text;
using System.Text.Json;
using Tsdb.Catalog;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>The permission decision, permission parsing, token request validation and the catalog's token formats.</summary>
public sealed class TokenPermissionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TokenDefinition Token(params string[] permissions) => new("t", "00", IsAdmin: false, Now)
    {
        Permissions = [.. permissions.SelectMany(p => TokenPermission.TryParse(p, out var parsed, out var error) ? parsed : throw new ArgumentException(error))],
    };

    [Theory]
    [InlineData("db:a:read", Access.Read, "a", null)]
    [InlineData("db:a:read", Access.Read, "b", "token 't' may not read database 'b'")]
    [InlineData("db:a:read", Access.Write, "a", "token 't' may not write database 'a'")]
    [InlineData("db:a:read", Access.Write, null, "token 't' has no write permission on any database")]
    [InlineData("db:a:read", Access.Admin, null, "this needs an admin token; token 't' is not one")]
    [InlineData("db:a:read", Access.Authenticated, null, null)]
    [InlineData("db:*:read,write", Access.Write, "anything", null)]
    [InlineData("db:*:read,write", Access.Delete, "a", "token 't' may not delete database 'a'")]
    [InlineData("db:a,b:delete", Access.Delete, "b", null)]
    [InlineData("db:a,b:delete", Access.Read, "b", "token 't' may not read database 'b'")]
    public void The_decision_follows_the_grants(string permission, Access access, string? database, string? denial) =>
        Assert.Equal(denial, Permissions.Denial(Token(permission), access, database));

    [Fact]
    public void Grants_add_up_across_permissions_and_admin_may_do_everything()
    {
        var token = Token("db:*:read", "db:a:write");
        Assert.Null(Permissions.Denial(token, Access.Write, "a"));
        Assert.Null(Permissions.Denial(token, Access.Read, "z"));
        Assert.NotNull(Permissions.Denial(token, Access.Write, "z"));
        var admin = new TokenDefinition("root", "00", IsAdmin: true, Now);
        foreach (var access in Enum.GetValues<Access>())
        {
            Assert.Null(Permissions.Denial(admin, access, "any"));
        }
    }

    [Theory]
    [InlineData("db:a:read,write", "db:a:read,write")]
    [InlineData("db:a,b:WRITE", "db:a:write|db:b:write")]
    [InlineData("db:*:delete,read", "db:*:read,delete")]
    public void Permissions_parse_in_influxdb3_enterprise_form(string text, string expected)
    {
        Assert.True(TokenPermission.TryParse(text, out var parsed, out var error), error);
        Assert.Equal(expected, string.Join('|', parsed));
    }

    [Theory]
    [InlineData("a:read", "invalid permission 'a:read': use db:NAME:ACTIONS, e.g. db:mydb:read,write or db:*:read (actions: read, write, delete)")]
    [InlineData("table:a:read", "invalid permission 'table:a:read': use db:NAME:ACTIONS, e.g. db:mydb:read,write or db:*:read (actions: read, write, delete)")]
    [InlineData("db::read", "invalid permission 'db::read': a database name is empty (use * for every database)")]
    [InlineData("db:a:", "invalid permission 'db:a:': unknown action '' (use read, write or delete)")]
    [InlineData("db:a:admin", "invalid permission 'db:a:admin': unknown action 'admin' (use read, write or delete)")]
    public void Bad_permissions_say_what_is_wrong(string text, string message)
    {
        Assert.False(TokenPermission.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Expiry_is_a_point_in_time()
    {
        var token = Token("db:a:read") with { ExpiresAt = Now.AddDays(1) };
        Assert.False(token.IsExpired(Now));
        Assert.True(token.IsExpired(Now.AddDays(1)));
        Assert.False(Token("db:a:read").IsExpired(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void A_token_request_parses_strings_objects_and_expiry()
    {
        using var json = JsonDocument.Parse("""{"name":"n","permissions":["db:a:read",{"resource_type":"db","resource_names":["b"],"actions":["write","delete"]}],"expiry":"30d"}""");
        var (request, error) = TokenEndpoints.ParseCreateRequest(json.RootElement, Now);
        Assert.Null(error);
        Assert.Equal("n", request!.Name);
        Assert.Equal(["db:a:read", "db:b:write,delete"], request.Permissions.Select(p => p.ToString()));
        Assert.Equal(Now.AddDays(30), request.ExpiresAt);
    }

    // ---- catalog formats ----

    /// <summary>A catalog as servers before scoped tokens wrote it (format 1): admin and non-admin tokens only.</summary>
    private const string Format1 = """
        {"FormatVersion":1,"Version":7,"PersistedSequence":0,"NextFileId":1,"Databases":[],
         "Tokens":[{"Name":"_admin","Sha256":"aa","Admin":true,"CreatedAt":"2025-01-01T00:00:00+00:00"},
                   {"Name":"writer","Sha256":"bb","Admin":false,"CreatedAt":"2025-02-01T00:00:00+00:00"}],
         "Files":[],"PendingDeletes":[]}
        """;

    [Fact]
    public void A_format_1_catalog_still_loads_and_its_non_admin_tokens_read_and_write_but_no_longer_delete()
    {
        var snapshot = CatalogSerializer.Deserialize(Encoding.UTF8.GetBytes(Format1), "test");
        Assert.Equal(7, snapshot.Version);
        var admin = snapshot.Tokens.Single(t => t.Name == "_admin");
        Assert.True(admin.IsAdmin);
        var writer = snapshot.Tokens.Single(t => t.Name == "writer");
        Assert.Equal(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero), writer.CreatedAt);
        Assert.Null(writer.ExpiresAt);
        Assert.Null(Permissions.Denial(writer, Access.Write, "any"));
        Assert.Null(Permissions.Denial(writer, Access.Read, "any"));
        Assert.NotNull(Permissions.Denial(writer, Access.Delete, "any"));
        Assert.NotNull(Permissions.Denial(writer, Access.Admin, null));

        // Saved again with nothing new, it stays format 1, so a rollback still reads it.
        using var again = JsonDocument.Parse(CatalogSerializer.Serialize(snapshot));
        Assert.Equal(1, again.RootElement.GetProperty("FormatVersion").GetInt32());
    }

    [Fact]
    public void Scoped_or_expiring_tokens_are_written_as_format_2_and_read_back_alike()
    {
        var scoped = Token("db:a:read", "db:*:write") with { Name = "scoped", Sha256Hex = "cc", ExpiresAt = Now.AddHours(1) };
        var snapshot = new CatalogSnapshot(3, [], [new TokenDefinition("_admin", "aa", true, Now), scoped]);
        var bytes = CatalogSerializer.Serialize(snapshot);
        using (var json = JsonDocument.Parse(bytes))
        {
            Assert.Equal(2, json.RootElement.GetProperty("FormatVersion").GetInt32());
        }
        var back = CatalogSerializer.Deserialize(bytes, "test").Tokens.Single(t => t.Name == "scoped");
        Assert.Equal(["db:a:read", "db:*:write"], back.Permissions.Select(p => p.ToString()));
        Assert.Equal(scoped.ExpiresAt, back.ExpiresAt);
        Assert.Equal("cc", back.Sha256Hex);

        var unknown = Encoding.UTF8.GetBytes(Format1.Replace("\"FormatVersion\":1", "\"FormatVersion\":5", StringComparison.Ordinal));
        Assert.Throws<InvalidDataException>(() => CatalogSerializer.Deserialize(unknown, "test"));
    }

    [Fact]
    public void Regenerating_the_operator_token_replaces_its_secret_and_revoking_removes_a_token()
    {
        var catalog = new Catalog.Catalog(new InMemoryCatalogStore());
        var first = catalog.CreateToken(TokenDefinition.OperatorName, admin: true, Now);
        var other = catalog.CreateToken("r", admin: false, [new TokenPermission("a", DatabaseActions.Read)], null, Now);
        var second = catalog.RegenerateOperatorToken(Now);
        Assert.NotEqual(first, second);
        Assert.Null(catalog.Authenticate(first));
        Assert.True(catalog.Authenticate(second)!.IsAdmin);
        Assert.Equal(2, catalog.Current.Tokens.Count);
        Assert.True(catalog.DeleteToken("r"));
        Assert.Null(catalog.Authenticate(other));
        Assert.False(catalog.DeleteToken("r"));
    }
}
