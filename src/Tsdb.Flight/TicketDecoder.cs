using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tsdb.Flight.Protocol.Iox;
using Tsdb.Flight.Protocol.Tsdb;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>
/// Reads DoGet tickets in the forms InfluxDB 3 accepts (protocols.md §4.4) — UTF-8 JSON
/// <c>{"database","sql_query","query_type","params"}</c> and an Any-wrapped <c>ReadInfo</c> — plus this server's
/// own <c>StatementTicket</c> from GetFlightInfo.
/// </summary>
internal static class TicketDecoder
{
    public const string ReadInfoType = "influxdata.iox.querier.v1.ReadInfo";

    public static FlightQuery Decode(ByteString ticket)
    {
        var span = ticket.Span;
        var first = 0;
        while (first < span.Length && span[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            first++;
        }
        if (first < span.Length && span[first] == (byte)'{')
        {
            return FromJson(ticket.Memory);
        }
        Any any;
        try
        {
            any = Any.Parser.ParseFrom(ticket);
        }
        catch (InvalidProtocolBufferException)
        {
            throw Invalid("the ticket is neither JSON nor a protobuf Any");
        }
        var type = TypeName(any);
        if (type == ReadInfoType)
        {
            return FromReadInfo(ReadInfo.Parser.ParseFrom(any.Value));
        }
        if (type == StatementTicket.Descriptor.FullName)
        {
            var statement = StatementTicket.Parser.ParseFrom(any.Value);
            return new FlightQuery(Database(statement.Database), null, null, Any.Parser.ParseFrom(statement.Command));
        }
        throw Invalid($"unsupported ticket type '{any.TypeUrl}'");
    }

    /// <summary>The message name of an Any's type URL (the part after the last '/').</summary>
    public static string TypeName(Any any) => any.TypeUrl[(any.TypeUrl.LastIndexOf('/') + 1)..];

    private static FlightQuery FromReadInfo(ReadInfo info)
    {
        switch (info.QueryType)
        {
            case ReadInfo.Types.QueryType.InfluxQl:
                return new FlightQuery(Database(info.Database), info.SqlQuery, null, null, InfluxQL: true);
            case ReadInfo.Types.QueryType.FlightSqlMessage:
                return new FlightQuery(Database(info.Database), null, null, Any.Parser.ParseFrom(info.FlightsqlCommand));
            default:
                return new FlightQuery(Database(info.Database), info.SqlQuery, null, null);
        }
    }

    private static FlightQuery FromJson(ReadOnlyMemory<byte> json)
    {
        // System.Text.Json parses invalid UTF-8 inside a string and only fails when the string is read, with an
        // InvalidOperationException: check the encoding first so that it is the client's error.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw Invalid("the ticket is not valid UTF-8 JSON");
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the JSON ticket must be an object");
            }
            var database = Text(root, "database") ?? Text(root, "namespace_name") ?? Text(root, "bucket") ?? Text(root, "bucket-name");
            var sql = Text(root, "sql_query") ?? throw Invalid("the JSON ticket has no \"sql_query\"");
            var queryType = Text(root, "query_type");
            var influxql = queryType is not null && queryType.Equals("influxql", StringComparison.OrdinalIgnoreCase);
            if (queryType is not null && !influxql && !queryType.Equals("sql", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid($"unknown query_type '{queryType}': use \"sql\" or \"influxql\"");
            }
            Dictionary<string, object?>? parameters = null;
            if (root.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                parameters = QueryParameters.FromJson(p);
            }
            return new FlightQuery(Database(database), sql, parameters, null, influxql);
        }
        catch (JsonException ex)
        {
            throw Invalid($"the ticket is not valid JSON: {ex.Message}");
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Database(string? name) => string.IsNullOrEmpty(name) ? null : name;

    private static RpcException Invalid(string message) => RpcErrors.Of(StatusCode.InvalidArgument, message);
}
