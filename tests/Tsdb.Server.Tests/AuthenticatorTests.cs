using System.Text;
using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>How the HTTP APIs read a request's token (the same parser as Flight's).</summary>
public sealed class AuthenticatorTests
{
    private static readonly Catalog.Catalog Catalog = new(new InMemoryCatalogStore());
    private static readonly string Secret = Catalog.CreateToken("t", admin: false, DateTimeOffset.UnixEpoch);

    private static Authenticator.Outcome Outcome(string? authorization, string path = "/api/v3/write_lp", string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization.Replace("{t}", Secret, StringComparison.Ordinal)
                .Replace("{basic}", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + Secret)), StringComparison.Ordinal);
        }
        return Authenticator.Authenticate(context.Request, Catalog).Outcome;
    }

    [Theory]
    [InlineData("Bearer {t}")]
    [InlineData("bearer {t}")]
    [InlineData("BEARER {t}")]
    [InlineData("Token {t}")]
    [InlineData("token {t}")]
    [InlineData("tOKEN {t}")]
    [InlineData("Basic {basic}")]
    [InlineData("basic {basic}")]
    [InlineData("BASIC {basic}")]
    public void Every_scheme_is_accepted_in_any_case(string authorization) =>
        Assert.Equal(Authenticator.Outcome.Authenticated, Outcome(authorization));

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer ")]
    [InlineData("Digest {t}")]
    [InlineData("Bearers {t}")]
    [InlineData("basic %%%")]
    public void Other_headers_are_malformed(string authorization) =>
        Assert.Equal(Authenticator.Outcome.Malformed, Outcome(authorization));

    [Fact]
    public void Unknown_and_missing_tokens_are_told_apart()
    {
        Assert.Equal(Authenticator.Outcome.Unknown, Outcome("bearer apiv3_not-a-token"));
        Assert.Equal(Authenticator.Outcome.Missing, Outcome(null));
        Assert.Equal(Authenticator.Outcome.Authenticated, Outcome("digest whatever", "/write", "?p=" + Secret));
    }
}
