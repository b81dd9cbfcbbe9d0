using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Field = Tsdb.Arrow.Types.Field;
using Grpc.Core;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Flight.Protocol.Sql;
using Tsdb.Query;
using Tsdb.Query.Sql;

namespace Tsdb.Flight.Tests;

/// <summary>
/// Flight SQL statements on the plan-based engine: described (GetFlightInfo, GetSchema, CreatePreparedStatement)
/// from the plan without reading anything, run and streamed only by DoGet.
/// </summary>
public sealed class FlightSqlCommandsTests
{
    private readonly CountingTableSource _source = new(rows: 100);
    private readonly SqlEngine _engine;
    private readonly FlightSqlCommands _commands;

    public FlightSqlCommandsTests()
    {
        var catalog = new Catalog.Catalog(new InMemoryCatalogStore());
        // An in-memory catalog store completes at once: nothing blocks here.
        catalog.UpdateAsync(e =>
        {
            e.EnsureDatabase("db", out _);
            e.EnsureTable("db", "cpu", out _);
            e.EnsureColumn("db", "cpu", "host", ColumnKind.Tag);
            e.EnsureColumn("db", "cpu", "usage", ColumnKind.Float);
            e.EnsureColumn("db", "cpu", "count", ColumnKind.Integer);
            return 0;
        }).GetAwaiter().GetResult();
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
        _commands = new FlightSqlCommands(catalog, new QueryRunner(catalog, _engine), new FlightOptions());
    }

    private static Any Statement(string sql) => Any.Pack(new CommandStatementQuery { Query = sql });

    private static Any Prepared(ByteString handle) => Any.Pack(new CommandPreparedStatementQuery { PreparedStatementHandle = handle });

    private static Schema ReadSchema(byte[] stream)
    {
        using var reader = new ArrowStreamReader(stream);
        return reader.Schema;
    }

    private static Schema ReadSchema(ByteString stream) => ReadSchema(stream.ToByteArray());

    private async Task<RecordingStreamWriter> DoGetAsync(Any command)
    {
        var output = new RecordingStreamWriter();
        var result = await _commands.ExecuteAsync(command, "db", CancellationToken.None);
        await result.WriteAsync(output, CancellationToken.None);
        return output;
    }

    [Fact]
    public void Describing_a_statement_plans_it_without_reading_or_running_it()
    {
        // A self-join of every row with every row: running it would take a long time; planning it does not.
        var (schema, total) = _commands.Describe(Statement("SELECT a.host, b.usage, a.time FROM cpu a JOIN cpu b ON a.host = b.host"), "db");

        var fields = ReadSchema(schema);
        Assert.Equal(["host", "usage", "time"], fields.Fields.Select(f => f.Name));
        // Tags hydrated to utf8 as DoGet sends them to Flight SQL, with their column kind kept.
        Assert.Equal([ArrowTypeId.Utf8, ArrowTypeId.Float64, ArrowTypeId.Timestamp], fields.Fields.Select(f => f.Type.Id));
        Assert.Equal("iox::column_type::tag", fields[0].GetMetadata(ColumnKindNames.IoxMetadataKey));
        Assert.Equal(-1, total);
        Assert.Equal(0, _source.Scans);
        Assert.Empty(_engine.Log.Entries("db"));
    }

    [Fact]
    public async Task DoGet_of_the_ticket_plans_and_streams_the_statement_with_the_schema_GetFlightInfo_gave()
    {
        var command = Statement("SELECT host, usage, time FROM cpu WHERE \"count\" < 10");
        var (schema, _) = _commands.Describe(command, "db");
        var ticket = TicketDecoder.Decode(FlightSqlCommands.Ticket("db", command));
        Assert.Equal("db", ticket.Database);
        Assert.Equal(0, _source.Scans);

        var output = await DoGetAsync(ticket.Command!);

        var (sent, batches) = output.Decode();
        Assert.True(sent.IsEquivalentTo(ReadSchema(schema)));
        Assert.Equal(10, batches.Sum(b => b.Length));
        Assert.Equal(1, _source.Scans);
        Assert.Equal("SELECT host, usage, time FROM cpu WHERE \"count\" < 10", Assert.Single(_engine.Log.Entries("db")).Text);
    }

    [Fact]
    public void A_bad_statement_is_invalid_argument_with_its_position_when_described()
    {
        var e = Assert.Throws<RpcException>(() => _commands.Describe(Statement("SELECT nope FROM cpu"), "db"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("line 1, column 8: ", e.Status.Detail, StringComparison.Ordinal);

        var syntax = Assert.Throws<RpcException>(() => _commands.Describe(Statement("SELECT FROM"), "db"));
        Assert.Equal(StatusCode.InvalidArgument, syntax.StatusCode);
        Assert.StartsWith("line 1, column ", syntax.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, Assert.Throws<RpcException>(() => _commands.Describe(Statement("SELECT 1"), "nodb")).StatusCode);
    }

    [Fact]
    public void Tickets_from_before_results_were_no_longer_held_still_read()
    {
        // The old StatementTicket had the held result's id in field 1: still parsed, the id ignored.
        var command = Statement("SELECT 1");
        using var bytes = new MemoryStream();
        var output = new CodedOutputStream(bytes);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString("0123456789abcdef");
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString("db");
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(command.ToByteString());
        output.Flush();
        var old = bytes.ToArray();
        var ticket = TicketDecoder.Decode(Any.Pack(Protocol.Tsdb.StatementTicket.Parser.ParseFrom(old)).ToByteString());
        Assert.Equal("db", ticket.Database);
        Assert.Equal(command, ticket.Command);
    }

    [Fact]
    public async Task A_prepared_statement_reports_its_schemas_and_runs_once_bound()
    {
        const string sql = "SELECT time, host, usage FROM cpu WHERE usage > $1 AND host = $host ORDER BY time LIMIT $n";
        var prepared = _commands.Prepare("db", sql);

        Assert.False(prepared.IsUpdate);
        var dataset = ReadSchema(prepared.DatasetSchema);
        Assert.Equal(["time", "host", "usage"], dataset.Fields.Select(f => f.Name));
        Assert.Equal([ArrowTypeId.Timestamp, ArrowTypeId.Utf8, ArrowTypeId.Float64], dataset.Fields.Select(f => f.Type.Id));
        var parameters = ReadSchema(prepared.ParameterSchema);
        Assert.Equal(["1", "host", "n"], parameters.Fields.Select(f => f.Name));
        // Typed as the plan constrains them: usage is a float, host a tag (utf8), LIMIT an integer.
        Assert.Equal([ArrowTypeId.Float64, ArrowTypeId.Utf8, ArrowTypeId.Int64], parameters.Fields.Select(f => f.Type.Id));
        Assert.All(parameters.Fields, f => Assert.True(f.IsNullable));
        Assert.Equal(0, _source.Scans);
        Assert.Empty(_engine.Log.Entries("db"));

        // Unbound, the statement cannot be planned: GetFlightInfo says which parameter is missing.
        var unbound = Assert.Throws<RpcException>(() => _commands.Describe(Prepared(prepared.PreparedStatementHandle), "db"));
        Assert.Equal(StatusCode.InvalidArgument, unbound.StatusCode);
        Assert.Contains("no value given for parameter $", unbound.Status.Detail, StringComparison.Ordinal);

        // Bound as DoPut binds them (an Arrow IPC stream in the handle): described, then streamed.
        var bound = PreparedStatements.Encode(sql, ParameterStream(("1", 20.0), ("host", "h1"), ("n", 3L)));
        var (schema, _) = _commands.Describe(Prepared(bound), "db");
        Assert.True(ReadSchema(schema).IsEquivalentTo(dataset));
        var (_, batches) = (await DoGetAsync(Prepared(bound))).Decode();
        var hosts = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => b.Column(1).GetObject(i))).ToArray();
        Assert.Equal(["h1", "h1", "h1"], hosts);
        Assert.Equal(1, _source.Scans);
    }

    [Fact]
    public void Preparing_bad_sql_is_invalid_argument_and_a_statement_without_parameters_has_an_empty_parameter_schema()
    {
        var e = Assert.Throws<RpcException>(() => _commands.Prepare("db", "SELECT host FROM nothere WHERE host = $h"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("line 1, column 18: ", e.Status.Detail, StringComparison.Ordinal);

        var plain = _commands.Prepare("db", "SELECT count(*) AS n FROM cpu");
        Assert.Empty(ReadSchema(plain.ParameterSchema).Fields);
        Assert.Equal(["n"], ReadSchema(plain.DatasetSchema).Fields.Select(f => f.Name));
    }

    [Theory]
    [InlineData("SELECT * FROM cpu LIMIT $n OFFSET $o", "time:Timestamp,host:Utf8,usage:Float64,count:Int64", "n,o")] // NULL refused, 0 taken
    [InlineData("SELECT host FROM cpu WHERE host = $h AND usage > $h2", "host:Utf8", "h,h2")]
    [InlineData("SELECT date_bin($i, time) AS b FROM cpu", "b:Timestamp", "i")]
    [InlineData("SELECT $x + 1 AS v, $x AS w", "v:Int64,w:Null", "x")] // a bare placeholder has no type until bound
    [InlineData("SELECT * FROM cpu WHERE time > now() - $iv LIMIT $iv2", "time:Timestamp,host:Utf8,usage:Float64,count:Int64", "iv,iv2")]
    public void Placeholders_stand_in_for_parameters_to_plan_the_dataset_schema(string sql, string schema, string parameters)
    {
        var prepared = _commands.Prepare("db", sql);
        Assert.Equal(schema, string.Join(",", ReadSchema(prepared.DatasetSchema).Fields.Select(f => $"{f.Name}:{f.Type.Id}")));
        Assert.Equal(parameters, string.Join(",", ReadSchema(prepared.ParameterSchema).Fields.Select(f => f.Name)));
    }

    [Theory]
    [InlineData("SELECT * FROM cpu LIMIT $n OFFSET $o", "n:Int64,o:Int64")]
    [InlineData("SELECT host FROM cpu WHERE host = $h AND usage > $u", "h:Utf8,u:Float64")]
    [InlineData("SELECT host FROM cpu WHERE $t <= time AND host IN ($a, $b)", "t:Timestamp,a:Utf8,b:Utf8")]
    [InlineData("SELECT host FROM cpu WHERE usage BETWEEN $lo AND $hi", "lo:Float64,hi:Float64")]
    [InlineData("SELECT $x + 1 AS v, $x AS w", "x:Utf8")] // not constrained by a comparison: utf8 stands for any type
    public void Prepared_parameters_are_typed_where_the_plan_constrains_them(string sql, string parameters)
    {
        var prepared = _commands.Prepare("db", sql);
        Assert.Equal(parameters, string.Join(",", ReadSchema(prepared.ParameterSchema).Fields.Select(f => $"{f.Name}:{f.Type.Id}")));
    }

    [Fact]
    public void Parameters_are_found_in_text_order_with_their_positions_and_not_inside_strings()
    {
        var uses = SqlParser.ParametersUsed("SELECT '$x', $b FROM t WHERE a = $a AND b = $b\n AND \"$q\" = $1");
        Assert.Equal(
            [new SqlParameterUse("b", 1, 14), new SqlParameterUse("a", 1, 34), new SqlParameterUse("b", 1, 45), new SqlParameterUse("1", 2, 13)],
            uses);
    }

    [Fact]
    public void Views_in_GetTables_schemas_come_from_their_plans()
    {
        var (schema, total) = _commands.Describe(Any.Pack(new CommandGetTables { IncludeSchema = true }), "db");
        Assert.Equal("table_schema", ReadSchema(schema).Fields[^1].Name);
        Assert.Equal(4, total);
        Assert.Empty(_engine.Log.Entries("db"));
    }

    private static byte[] ParameterStream(params (string Name, object Value)[] values)
    {
        var fields = new List<Field>();
        var columns = new List<Tsdb.Arrow.Arrays.ArrowArray>();
        foreach (var (name, value) in values)
        {
            switch (value)
            {
                case double d:
                {
                    using var b = new Tsdb.Arrow.Builders.PrimitiveArrayBuilder<double>(ArrowType.Float64);
                    b.Append(d);
                    fields.Add(new Field(name, ArrowType.Float64));
                    columns.Add(b.Build());
                    break;
                }
                case long l:
                {
                    using var b = new Tsdb.Arrow.Builders.PrimitiveArrayBuilder<long>(ArrowType.Int64);
                    b.Append(l);
                    fields.Add(new Field(name, ArrowType.Int64));
                    columns.Add(b.Build());
                    break;
                }
                default:
                {
                    using var b = new Tsdb.Arrow.Builders.VariableWidthArrayBuilder(ArrowType.Utf8);
                    b.Append((string)value);
                    fields.Add(new Field(name, ArrowType.Utf8));
                    columns.Add(b.Build());
                    break;
                }
            }
        }
        var schema = new Schema(fields);
        return ArrowStreamWriter.ToBytes(schema, [new Tsdb.Arrow.Arrays.RecordBatch(schema, columns, 1)]);
    }
}
