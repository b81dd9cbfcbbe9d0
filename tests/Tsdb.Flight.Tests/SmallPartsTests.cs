using Tsdb.Arrow.Arrays;
using Tsdb.Grpc;

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
    public void Authorization_values_give_the_token(string? header, string? secret) =>
        Assert.Equal(secret, FlightAuthenticator.SecretOf(header));

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Digest abc")]
    [InlineData("Basic %%%")]
    public void Malformed_authorization_is_unauthenticated(string header) =>
        Assert.Equal(GrpcStatusCode.Unauthenticated, Assert.Throws<GrpcException>(() => FlightAuthenticator.SecretOf(header)).Status);

    [Fact]
    public void Literal_selects_without_from_are_answered()
    {
        var result = ConstantSelect.TryAnswer("select 1, 'ok' AS status, 2.5, true");
        Assert.NotNull(result);
        var batch = Assert.Single(result.Batches);
        Assert.Equal(1, batch.Length);
        Assert.Equal(["1", "status", "2.5", "TRUE"], result.Schema.Fields.Select(f => f.Name).ToArray(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(1L, batch.Column(0).GetObject(0));
        Assert.Equal("ok", batch.Column(1).GetObject(0));
        Assert.Equal(2.5, batch.Column(2).GetObject(0));
        Assert.Equal(true, ((BooleanArray)batch.Column(3)).GetObject(0));
    }

    [Theory]
    [InlineData("SELECT 1 FROM cpu")]
    [InlineData("SELECT now()")]
    [InlineData("SELECT 1 + 1")]
    [InlineData("SELEKT 1")]
    [InlineData("SELECT 1 WHERE 1 = 1")]
    public void Anything_else_goes_to_the_engine(string sql) => Assert.Null(ConstantSelect.TryAnswer(sql));

    [Fact]
    public void Prepared_statement_handles_round_trip_and_foreign_ones_are_refused()
    {
        var handle = PreparedStatements.Decode(PreparedStatements.Encode("SELECT $a", [1, 2, 3]));
        Assert.Equal("SELECT $a", handle.Query);
        Assert.Equal([1, 2, 3], handle.Params.ToByteArray());
        Assert.False(PreparedStatements.Decode(PreparedStatements.Encode("q", null)).HasParams);
        Assert.Equal(GrpcStatusCode.InvalidArgument,
            Assert.Throws<GrpcException>(() => PreparedStatements.Decode(Google.Protobuf.ByteString.CopyFrom(0xFF, 0xFF))).Status);
    }
}
