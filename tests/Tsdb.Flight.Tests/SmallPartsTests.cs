using Grpc.Core;

namespace Tsdb.Flight.Tests;

public sealed class SmallPartsTests
{
    [Theory]
    [InlineData("cpu", "cpu", true)]
    [InlineData("cpu", "c%", true)]
    [InlineData("cpu", "c_u", true)]
    [InlineData("cpu", "_", false)]
    [InlineData("information_schema", "i%", true)]
    [InlineData("iox", "%x", true)]
    [InlineData("a.b", "a_b", true)]
    [InlineData("a+b", "a+b", true)]
    [InlineData("CPU", "cpu", false)]
    public void Like_patterns_use_percent_and_underscore(string value, string pattern, bool matches) =>
        Assert.Equal(matches, FlightSqlCommands.Like(value, pattern));

    [Theory]
    [InlineData(null, null)]
    [InlineData("Bearer abc", "abc")]
    [InlineData("Token abc", "abc")]
    [InlineData("Basic dXNlcjpzZWNyZXQ", "secret")]      // user:secret, unpadded as arrow-go sends it
    [InlineData("Basic dXNlcjpzZWNyZXQ=", "secret")]
    [InlineData("Basic c2VjcmV0", "secret")]             // no colon: the whole value
    [InlineData("bearer abc", "abc")]                    // schemes are case-insensitive (RFC 9110 §11.1)
    [InlineData("TOKEN abc", "abc")]
    [InlineData("basic dXNlcjpzZWNyZXQ=", "secret")]
    public void Authorization_values_give_the_token(string? header, string? secret) =>
        Assert.Equal(secret, FlightAuthenticator.SecretOf(header));

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Digest abc")]
    [InlineData("bearers abc")]
    [InlineData("Basic %%%")]
    public void Malformed_authorization_is_unauthenticated(string header) =>
        Assert.Equal(StatusCode.Unauthenticated, Assert.Throws<RpcException>(() => FlightAuthenticator.SecretOf(header)).StatusCode);

    [Fact]
    public void Prepared_statement_handles_round_trip_and_foreign_ones_are_refused()
    {
        var handle = PreparedStatements.Decode(PreparedStatements.Encode("SELECT $a", [1, 2, 3]));
        Assert.Equal("SELECT $a", handle.Query);
        Assert.Equal([1, 2, 3], handle.Params.ToByteArray());
        Assert.False(PreparedStatements.Decode(PreparedStatements.Encode("q", null)).HasParams);
        Assert.Equal(StatusCode.InvalidArgument,
            Assert.Throws<RpcException>(() => PreparedStatements.Decode(Google.Protobuf.ByteString.CopyFrom(0xFF, 0xFF))).StatusCode);
    }
}
