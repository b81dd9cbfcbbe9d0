using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tsdb.Flight.Protocol.Iox;
using Grpc.Core;

namespace Tsdb.Flight.Tests;

public sealed class TicketDecoderTests
{
    [Theory]
    [InlineData("""{"database":"db1","sql_query":"SELECT 1"}""", "db1")]
    [InlineData("""{"database":"db1","sql_query":"SELECT 1","query_type":"sql"}""", "db1")]
    [InlineData("""{"database":"db1","sql_query":"SELECT 1","query_type":null}""", "db1")]
    [InlineData("""  {"bucket":"b2","sql_query":"SELECT 1"}""", "b2")]
    [InlineData("""{"namespace_name":"n3","sql_query":"SELECT 1"}""", "n3")]
    [InlineData("""{"bucket-name":"b4","sql_query":"SELECT 1"}""", "b4")]
    [InlineData("""{"sql_query":"SELECT 1"}""", null)]
    public void Json_tickets_name_the_database_and_query(string json, string? database)
    {
        var query = TicketDecoder.Decode(ByteString.CopyFromUtf8(json));
        Assert.Equal(database, query.Database);
        Assert.Equal("SELECT 1", query.Sql);
        Assert.Null(query.Command);
    }

    [Fact]
    public void Json_ticket_params_become_query_parameters()
    {
        var query = TicketDecoder.Decode(ByteString.CopyFromUtf8("""{"database":"d","sql_query":"q","params":{"$host":"a","n":3,"x":1.5,"ok":true,"none":null}}"""));
        Assert.Equal("a", query.Parameters!["host"]);
        Assert.Equal(3L, query.Parameters["n"]);
        Assert.Equal(1.5, query.Parameters["x"]);
        Assert.Equal(true, query.Parameters["ok"]);
        Assert.Null(query.Parameters["none"]);
    }

    [Theory]
    [InlineData("""{"database":"d","sql_query":"x","query_type":"flux"}""", StatusCode.InvalidArgument, "unknown query_type 'flux': use \"sql\" or \"influxql\"")]
    [InlineData("""{"database":"d"}""", StatusCode.InvalidArgument, "the JSON ticket has no \"sql_query\"")]
    [InlineData("""{"database":"d","sql_query":"x","params":[1]}""", StatusCode.InvalidArgument, "\"params\" must be a JSON object of parameter names to values")]
    public void Bad_json_tickets_are_refused_clearly(string json, StatusCode status, string message)
    {
        var e = Assert.Throws<RpcException>(() => TicketDecoder.Decode(ByteString.CopyFromUtf8(json)));
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public void Json_that_is_not_utf8_is_invalid_argument()
    {
        // A valid JSON shape with a byte that cannot start a UTF-8 sequence inside a string (found by the mutation test).
        var bytes = ByteString.CopyFrom([.. "{\"database\":\"d"u8, 0xFF, .. "\",\"sql_query\":\"select 1\"}"u8]);
        var e = Assert.Throws<RpcException>(() => TicketDecoder.Decode(bytes));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("the ticket is not valid UTF-8 JSON", e.Status.Detail);
    }

    [Fact]
    public void Malformed_json_is_invalid_argument()
    {
        var e = Assert.Throws<RpcException>(() => TicketDecoder.Decode(ByteString.CopyFromUtf8("{\"database\":")));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("the ticket is not valid JSON", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_wrapped_read_info_is_read()
    {
        var ticket = Any.Pack(new ReadInfo { Database = "db", SqlQuery = "SELECT 2", QueryType = ReadInfo.Types.QueryType.Sql }).ToByteString();
        Assert.Equal("type.googleapis.com/influxdata.iox.querier.v1.ReadInfo", Any.Parser.ParseFrom(ticket).TypeUrl);
        var query = TicketDecoder.Decode(ticket);
        Assert.Equal("db", query.Database);
        Assert.Equal("SELECT 2", query.Sql);

        var influxql = TicketDecoder.Decode(Any.Pack(new ReadInfo { Database = "db", SqlQuery = "SHOW DATABASES", QueryType = ReadInfo.Types.QueryType.InfluxQl }).ToByteString());
        Assert.True(influxql.InfluxQL);
        Assert.Equal("SHOW DATABASES", influxql.Sql);
    }

    [Fact]
    public void An_influxql_json_ticket_is_read_as_InfluxQL()
    {
        var query = TicketDecoder.Decode(ByteString.CopyFromUtf8("""{"database":"d","sql_query":"SHOW MEASUREMENTS","query_type":"InfluxQL"}"""));
        Assert.True(query.InfluxQL);
        Assert.Equal("d", query.Database);
        Assert.Equal("SHOW MEASUREMENTS", query.Sql);
        Assert.False(TicketDecoder.Decode(ByteString.CopyFromUtf8("""{"database":"d","sql_query":"SELECT 1"}""")).InfluxQL);
    }

    [Fact]
    public void Unknown_ticket_forms_are_refused()
    {
        var other = Any.Pack(new StringValue { Value = "x" }).ToByteString();
        var e = Assert.Throws<RpcException>(() => TicketDecoder.Decode(other));
        Assert.Equal("unsupported ticket type 'type.googleapis.com/google.protobuf.StringValue'", e.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => TicketDecoder.Decode(ByteString.CopyFrom(0xFF, 0xFF, 0xFF))).StatusCode);
    }
}
