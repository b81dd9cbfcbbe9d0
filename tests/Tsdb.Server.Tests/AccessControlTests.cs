using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Tsdb.Catalog;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>The HTTP access middleware on its own: what a route declares, against tokens, in each dialect.</summary>
public sealed class AccessControlTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Catalog.Catalog _catalog = new(new InMemoryCatalogStore());
    private readonly ManualTime _time = new(Start);

    private async Task<(int Status, string Body, bool Ran)> Run(string path, Access? declared, string? secret, string? database = null, bool grpc = false)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        if (secret is not null)
        {
            context.Request.Headers.Authorization = "bearer " + secret;
        }
        var metadata = declared is { } a ? new EndpointMetadataCollection(new AccessControl.RequiredAccess(a)) : EndpointMetadataCollection.Empty;
        context.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(path), 0, metadata, path));
        var ran = false;
        await AccessControl.Middleware(_catalog, _time, _ => grpc, _ => false)(context, async c =>
        {
            ran = database is null || await AccessControl.DemandAsync(c, database, AccessControl.DialectOf(path));
        });
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, new StreamReader(context.Response.Body).ReadToEnd(), ran);
    }

    [Fact]
    public async Task A_grpc_content_type_is_left_to_flight_only_on_routes_that_are_not_http_routes()
    {
        var (status, _, ran) = await Run("/api/v3/write_lp", Access.Write, secret: null, grpc: true);
        Assert.False(ran);
        Assert.Equal(401, status);
        Assert.True((await Run("/arrow.flight.protocol.FlightService/DoGet", declared: null, secret: null, grpc: true)).Ran);
    }

    [Fact]
    public async Task An_expired_token_is_a_401_naming_when_it_expired()
    {
        var secret = _catalog.CreateToken("soon", admin: false, [new TokenPermission("a", DatabaseActions.Read)], Start.AddHours(1), Start);
        Assert.True((await Run("/api/v3/query_sql", Access.Read, secret, "a")).Ran);
        _time.Advance(TimeSpan.FromHours(1));
        var (status, body, ran) = await Run("/api/v3/query_sql", Access.Read, secret, "a");
        Assert.False(ran);
        Assert.Equal(401, status);
        Assert.Equal("the token 'soon' expired at 2026-01-01T01:00:00Z", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_route_without_a_declaration_needs_admin_and_a_public_one_nothing()
    {
        var secret = _catalog.CreateToken("w", admin: false, [new TokenPermission("*", DatabaseActions.Write)], null, Start);
        var (status, body, ran) = await Run("/api/v3/new_endpoint", declared: null, secret);
        Assert.False(ran);
        Assert.Equal(403, status);
        Assert.Equal("this needs an admin token; token 'w' is not one", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        Assert.True((await Run("/health", Access.Public, secret: null)).Ran);
        var admin = _catalog.CreateToken("root", admin: true, Start);
        Assert.True((await Run("/api/v3/new_endpoint", declared: null, admin)).Ran);
    }

    [Theory]
    [InlineData("/api/v1/query", "{\"status\":\"error\",\"errorType\":\"forbidden\",\"error\":\"token 'r' may not read database 'b'\"}")]
    [InlineData("/api/v2/query", "{\"code\":\"forbidden\",\"message\":\"token 'r' may not read database 'b'\"}")]
    [InlineData("/api/v3/query_sql", "{\"error\":\"token 'r' may not read database 'b'\"}")]
    public async Task A_database_the_token_may_not_use_is_a_403_in_the_dialect_of_the_path(string path, string expected)
    {
        var secret = _catalog.CreateToken("r", admin: false, [new TokenPermission("a", DatabaseActions.Read)], null, Start);
        var (status, body, ran) = await Run(path, Access.Read, secret, "b");
        Assert.False(ran);
        Assert.Equal(403, status);
        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task A_token_with_the_action_on_no_database_is_refused_before_the_endpoint_runs()
    {
        var secret = _catalog.CreateToken("r", admin: false, [new TokenPermission("a", DatabaseActions.Read)], null, Start);
        var (status, body, ran) = await Run("/api/v3/write_lp", Access.Write, secret);
        Assert.False(ran);
        Assert.Equal(403, status);
        Assert.Equal("token 'r' has no write permission on any database", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
