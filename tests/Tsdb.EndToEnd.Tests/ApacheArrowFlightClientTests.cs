using System.Net;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Apache.Arrow.Types;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Apache Arrow's own C# <c>FlightClient</c> (Apache.Arrow.Flight over Grpc.Net.Client, h2c with prior knowledge on the
/// HTTP port) against the real server: plain Flight as InfluxDB 3 serves it, with JSON tickets and path descriptors.
/// </summary>
public sealed class ApacheArrowFlightClientTests() : ServerPerClass("arrow-flight-client")
{
    private const string Database = "flightdb";

    private const string Lines =
        "cpu,host=a,region=eu usage=0.5,n=-3i,u=7u,ok=true,note=\"x \\\"y\\\"\" 1700000000000000001\n" +
        "cpu,host=b usage=1.25,n=9223372036854775807i,u=18446744073709551615u,ok=false,note=\"é €\" 1700000000000000002\n" +
        "cpu,host=a,region=us usage=-2e-10,n=0i,u=0u,ok=true,note=\"z\" 1700000000000000003\n" +
        "mem,host=a free=1i 1700000000000000000\n";

    private const string CpuQuery = "SELECT time, host, region, usage, n, u, ok, note FROM cpu ORDER BY time";

    // The rows of CpuQuery as Arrow values: time in nanoseconds, a missing tag is null.
    private static readonly object?[][] CpuRows =
    [
        [1_700_000_000_000_000_001L, "a", "eu", 0.5, -3L, 7UL, true, "x \"y\""],
        [1_700_000_000_000_000_002L, "b", null, 1.25, long.MaxValue, ulong.MaxValue, false, "é €"],
        [1_700_000_000_000_000_003L, "a", "us", -2e-10, 0L, 0UL, true, "z"],
    ];

    [Fact]
    public async Task DoGet_of_a_json_ticket_returns_the_rows_with_tags_as_plain_strings()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        using var call = client.GetStream(Ticket(Database, CpuQuery), Auth());
        var batches = await FlightCalls.ReadAllAsync(call.ResponseStream);
        var schema = await call.ResponseStream.Schema;

        Assert.Equal(["time", "host", "region", "usage", "n", "u", "ok", "note"], schema.FieldsList.Select(f => f.Name));
        Assert.Equal(
            [ArrowTypeId.Timestamp, ArrowTypeId.String, ArrowTypeId.String, ArrowTypeId.Double, ArrowTypeId.Int64, ArrowTypeId.UInt64, ArrowTypeId.Boolean, ArrowTypeId.String],
            schema.FieldsList.Select(f => f.DataType.TypeId));
        Assert.Equal("iox::column_type::tag", schema.GetFieldByName("host").Metadata["iox::column::type"]);
        Assert.Equal("iox::column_type::field::uinteger", schema.GetFieldByName("u").Metadata["iox::column::type"]);
        Assert.Equal(CpuRows, Rows(batches));
    }

    [Fact]
    public async Task A_query_without_rows_still_sends_its_schema()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        // The reader needs the Schema message even when no batch follows, or a client cannot tell the columns.
        using var call = client.GetStream(Ticket(Database, "SELECT host, usage FROM cpu WHERE usage > 100"), Auth());
        Assert.Empty(await FlightCalls.ReadAllAsync(call.ResponseStream));
        var schema = await call.ResponseStream.Schema;
        Assert.Equal(["host", "usage"], schema.FieldsList.Select(f => f.Name));
        Assert.Equal([ArrowTypeId.String, ArrowTypeId.Double], schema.FieldsList.Select(f => f.DataType.TypeId));
    }

    [Fact]
    public async Task GetFlightInfo_of_a_command_descriptor_answers_one_endpoint_whose_ticket_DoGet_reads()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        var descriptor = FlightDescriptor.CreateCommandDescriptor(TicketJson(Database, CpuQuery));
        var info = await client.GetInfo(descriptor, Auth()).ResponseAsync;
        // Planned, not run: the row count is unknown until DoGet streams the answer.
        Assert.Equal(-1, info.TotalRecords);
        Assert.Equal(["time", "host", "region", "usage", "n", "u", "ok", "note"], info.Schema.FieldsList.Select(f => f.Name));
        var endpoint = Assert.Single(info.Endpoints);
        Assert.Empty(endpoint.Locations);

        using var call = client.GetStream(endpoint.Ticket, Auth());
        Assert.Equal(CpuRows, Rows(await FlightCalls.ReadAllAsync(call.ResponseStream)));
    }

    [Fact]
    public async Task GetFlightInfo_of_a_huge_flight_sql_statement_plans_it_and_only_DoGet_runs_it()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        // 3^16 (43 M) rows of cross joins: seconds of work if it ran. The comment makes the text unique in system.queries.
        var marker = Guid.NewGuid().ToString("N");
        var huge = $"SELECT c0.host, c0.usage, c1.time FROM cpu c0 {string.Concat(Enumerable.Range(1, 15).Select(i => $"CROSS JOIN cpu c{i} "))}/* {marker} */";
        var info = await client.GetInfo(FlightDescriptor.CreateCommandDescriptor(StatementQuery(huge)), Auth(("database", Database))).ResponseAsync;
        Assert.Equal(["host", "usage", "time"], info.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([ArrowTypeId.String, ArrowTypeId.Double, ArrowTypeId.Timestamp], info.Schema.FieldsList.Select(f => f.DataType.TypeId));
        Assert.Equal(-1, info.TotalRecords);
        var plain = await client.GetInfo(FlightDescriptor.CreateCommandDescriptor(TicketJson(Database, huge)), Auth()).ResponseAsync;
        Assert.Equal(["host", "usage", "time"], plain.Schema.FieldsList.Select(f => f.Name));
        var schemaOnly = await client.GetSchema(FlightDescriptor.CreateCommandDescriptor(StatementQuery(huge)), Auth(("database", Database))).ResponseAsync;
        Assert.Equal(["host", "usage", "time"], schemaOnly.FieldsList.Select(f => f.Name));
        Assert.Empty(await QueryLogAsync(marker));

        // The same for a small statement, then its ticket: DoGet plans and streams it, with the schema GetFlightInfo gave.
        var small = $"SELECT time, host, region, usage, n, u, ok, note FROM cpu ORDER BY time /* {marker} */";
        var smallInfo = await client.GetInfo(FlightDescriptor.CreateCommandDescriptor(StatementQuery(small)), Auth(("database", Database))).ResponseAsync;
        Assert.Empty(await QueryLogAsync(marker));
        using var call = client.GetStream(Assert.Single(smallInfo.Endpoints).Ticket, Auth());
        var batches = await FlightCalls.ReadAllAsync(call.ResponseStream);
        Assert.Equal(CpuRows, Rows(batches));
        var sent = await call.ResponseStream.Schema;
        Assert.Equal(smallInfo.Schema.FieldsList.Select(f => (f.Name, f.DataType.TypeId)), sent.FieldsList.Select(f => (f.Name, f.DataType.TypeId)));
        Assert.Equal([small], await QueryLogAsync(marker));
    }

    /// <summary>The texts of the statements in <c>system.queries</c> that contain <paramref name="marker"/> (this query's own text aside).</summary>
    private async Task<List<string>> QueryLogAsync(string marker)
    {
        var rows = await QuerySqlJsonAsync(Database, "SELECT query_text FROM system.queries");
        return [.. rows.Select(r => r.GetProperty("query_text").GetString()!).Where(t => t.Contains(marker, StringComparison.Ordinal) && !t.Contains("system.queries", StringComparison.Ordinal))];
    }

    /// <summary>A Flight SQL <c>CommandStatementQuery</c> packed in an Any, as a descriptor's <c>cmd</c> (written by hand: no Flight SQL client here).</summary>
    private static byte[] StatementQuery(string sql)
    {
        var command = new Google.Protobuf.WellKnownTypes.Any
        {
            TypeUrl = "type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery",
            Value = ByteString.CopyFrom([0x0A, .. FlightCalls.Varint(Encoding.UTF8.GetByteCount(sql)), .. Encoding.UTF8.GetBytes(sql)]),
        };
        return command.ToByteArray();
    }


    [Fact]
    public async Task ListFlights_answers_one_flight_per_table_whose_ticket_reads_the_table()
    {
        await WriteLinesAsync();
        await WriteLinesAsync("otherdb", "disk,host=a used=1i 1700000000000000000\n");
        using var channel = Channel();
        var client = new FlightClient(channel);

        var infos = await FlightCalls.ReadAllAsync(client.ListFlights(new FlightCriteria(), Auth(("database", Database))).ResponseStream);
        Assert.Equal([$"{Database}/cpu", $"{Database}/mem"], infos.Select(i => string.Join('/', i.Descriptor.Paths)).Order(StringComparer.Ordinal));
        var cpu = infos.Single(i => i.Descriptor.Paths.Last() == "cpu");
        Assert.Equal(FlightDescriptorType.Path, cpu.Descriptor.Type);
        Assert.Equal(["host", "n", "note", "ok", "region", "time", "u", "usage"], cpu.Schema.FieldsList.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("iox::column_type::tag", cpu.Schema.GetFieldByName("region").Metadata["iox::column::type"]);

        using var call = client.GetStream(Assert.Single(cpu.Endpoints).Ticket, Auth());
        var batches = await FlightCalls.ReadAllAsync(call.ResponseStream);
        Assert.Equal(3, batches.Sum(b => b.Length));

        // Without a database header every database's tables are listed.
        var all = await FlightCalls.ReadAllAsync(client.ListFlights(new FlightCriteria(), Auth()).ResponseStream);
        Assert.Equal([$"{Database}/cpu", $"{Database}/mem", "otherdb/disk"], all.Select(i => string.Join('/', i.Descriptor.Paths)).Order(StringComparer.Ordinal));

        // A database that does not exist is NOT_FOUND, not an empty list.
        var missing = await Assert.ThrowsAsync<RpcException>(() => FlightCalls.ReadAllAsync(client.ListFlights(new FlightCriteria(), Auth(("database", "no_such_db"))).ResponseStream));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("database not found: no_such_db", missing.Status.Detail);
    }

    [Fact]
    public async Task GetSchema_answers_the_query_schema_and_the_table_schema()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        var query = await client.GetSchema(FlightDescriptor.CreateCommandDescriptor(TicketJson(Database, "SELECT host, usage, time FROM cpu")), Auth()).ResponseAsync;
        Assert.Equal(["host", "usage", "time"], query.FieldsList.Select(f => f.Name));
        Assert.Equal([ArrowTypeId.String, ArrowTypeId.Double, ArrowTypeId.Timestamp], query.FieldsList.Select(f => f.DataType.TypeId));
        Assert.Equal(
            ["iox::column_type::tag", "iox::column_type::field::float", "iox::column_type::timestamp"],
            query.FieldsList.Select(f => f.Metadata["iox::column::type"]));

        var table = await client.GetSchema(FlightDescriptor.CreatePathDescriptor(Database, "mem"), Auth()).ResponseAsync;
        Assert.Equal(["free", "host", "time"], table.FieldsList.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(ArrowTypeId.Int64, table.GetFieldByName("free").DataType.TypeId);
    }

    [Fact]
    public async Task DoPut_of_plain_columns_stores_rows_that_sql_reads_back_exactly()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var schema = new Schema.Builder()
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Nullable(false))
            // A plain utf8 column is a string field unless its metadata says tag.
            .Field(f => f.Name("host").DataType(StringType.Default).Metadata("iox::column::type", "iox::column_type::tag"))
            .Field(f => f.Name("usage").DataType(DoubleType.Default))
            .Field(f => f.Name("n").DataType(Int64Type.Default))
            .Field(f => f.Name("u").DataType(UInt64Type.Default))
            .Field(f => f.Name("ok").DataType(BooleanType.Default))
            .Field(f => f.Name("note").DataType(StringType.Default))
            .Build();
        var first = new RecordBatch(schema,
        [
            Timestamps(1_700_000_000_000_000_001, 1_700_000_000_000_000_002),
            new StringArray.Builder().Append("a").Append("b").Build(),
            new DoubleArray.Builder().Append(0.1).Append(-1.5e300).Build(),
            new Int64Array.Builder().Append(long.MinValue).Append(42).Build(),
            new UInt64Array.Builder().Append(ulong.MaxValue).Append(0).Build(),
            new BooleanArray.Builder().Append(true).Append(false).Build(),
            new StringArray.Builder().Append("quote \" and \\").AppendNull().Build(),
        ], 2);
        var second = new RecordBatch(schema,
        [
            Timestamps(1_700_000_000_123_456_789),
            new StringArray.Builder().Append("c d,e=f").Build(),
            new DoubleArray.Builder().AppendNull().Build(),
            new Int64Array.Builder().Append(-1).Build(),
            new UInt64Array.Builder().AppendNull().Build(),
            new BooleanArray.Builder().AppendNull().Build(),
            new StringArray.Builder().Append("ünï").Build(),
        ], 1);

        using var put = client.StartPut(FlightDescriptor.CreatePathDescriptor("putdb", "plain"), Auth());
        await put.RequestStream.WriteAsync(first);
        await put.RequestStream.WriteAsync(second);
        await put.RequestStream.CompleteAsync();
        var acks = await FlightCalls.ReadAllAsync(put.ResponseStream);
        Assert.Equal([2L, 1L], acks.Select(a => RecordCount(a.ApplicationMetadata)));

        // Read back over HTTP SQL, a path that shares nothing with Flight but the storage; JSON leaves nulls out.
        var rows = await QuerySqlJsonAsync("putdb", "SELECT time, host, usage, n, u, ok, note FROM plain ORDER BY time");
        Assert.Equal(3, rows.Count);
        AssertRow(rows[0], new() { ["time"] = "2023-11-14T22:13:20.000000001", ["host"] = "a", ["usage"] = 0.1, ["n"] = long.MinValue, ["u"] = ulong.MaxValue, ["ok"] = true, ["note"] = "quote \" and \\" });
        AssertRow(rows[1], new() { ["time"] = "2023-11-14T22:13:20.000000002", ["host"] = "b", ["usage"] = -1.5e300, ["n"] = 42L, ["u"] = 0UL, ["ok"] = false });
        AssertRow(rows[2], new() { ["time"] = "2023-11-14T22:13:20.123456789", ["host"] = "c d,e=f", ["n"] = -1L, ["note"] = "ünï" });
    }

    [Fact]
    public async Task DoPut_of_millisecond_utc_timestamps_stores_them_in_nanoseconds()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var type = new TimestampType(TimeUnit.Millisecond, "UTC");
        var schema = new Schema.Builder()
            .Field(f => f.Name("ts").DataType(type).Nullable(false))
            .Field(f => f.Name("v").DataType(Int64Type.Default))
            .Build();
        var batch = new RecordBatch(schema,
        [
            new TimestampArray(type, new ArrowBuffer.Builder<long>().Append(1_700_000_000_001).Append(-1).Build(), ArrowBuffer.Empty, 2, 0, 0),
            new Int64Array.Builder().Append(1).Append(2).Build(),
        ], 2);

        using var put = client.StartPut(FlightDescriptor.CreatePathDescriptor("putdb", "millis"), Auth());
        await put.RequestStream.WriteAsync(batch);
        await put.RequestStream.CompleteAsync();
        Assert.Equal([2L], (await FlightCalls.ReadAllAsync(put.ResponseStream)).Select(a => RecordCount(a.ApplicationMetadata)));

        // The table's time column is always called time; a timestamp column of another name becomes it.
        using var call = client.GetStream(Ticket("putdb", "SELECT time, v FROM millis ORDER BY time"), Auth());
        Assert.Equal([[-1_000_000L, 2L], [1_700_000_000_001_000_000L, 1L]], Rows(await FlightCalls.ReadAllAsync(call.ResponseStream)));
    }

    [Fact]
    public async Task DoPut_to_a_table_path_takes_the_database_header_and_refuses_a_type_conflict_whole()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);
        var schema = new Schema.Builder()
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Nullable(false))
            .Field(f => f.Name("host").DataType(StringType.Default).Metadata("iox::column::type", "iox::column_type::tag"))
            .Field(f => f.Name("usage").DataType(StringType.Default))
            .Build();
        var conflict = new RecordBatch(schema,
            [Timestamps(1_700_000_000_000_000_009), new StringArray.Builder().Append("z").Build(), new StringArray.Builder().Append("high").Build()], 1);

        // usage is a float in cpu: the batch is refused as a whole and the table keeps its three rows.
        var error = await FlightCalls.DoPutErrorAsync(client, FlightDescriptor.CreatePathDescriptor("cpu"), Auth(("database", Database)), conflict);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(
            "row 0 of the batch was refused (nothing of the batch was written): invalid column type for column 'usage' in table 'cpu', expected iox::column_type::field::float, got iox::column_type::field::string",
            error.Status.Detail);

        using var call = client.GetStream(Ticket(Database, CpuQuery), Auth());
        Assert.Equal(CpuRows, Rows(await FlightCalls.ReadAllAsync(call.ResponseStream)));
    }

    [Fact]
    public async Task DoPut_of_a_row_outside_the_retention_refuses_the_batch_naming_the_row()
    {
        using (var create = await Http.PostAsync(new Uri("/api/v3/configure/database", UriKind.Relative), new StringContent("{\"db\":\"flightret\",\"retention_period\":\"1h\"}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        }
        using var channel = Channel();
        var client = new FlightClient(channel);
        var schema = new Schema.Builder()
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Nullable(false))
            .Field(f => f.Name("v").DataType(Int64Type.Default))
            .Build();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var batch = new RecordBatch(schema, [Timestamps(now, now - 7_200_000_000_000), new Int64Array.Builder().Append(1).Append(2).Build()], 2);

        var error = await FlightCalls.DoPutErrorAsync(client, FlightDescriptor.CreatePathDescriptor("flightret", "t"), Auth(), batch);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("row 1 of the batch was refused (nothing of the batch was written): point time ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("is outside the retention period of database 'flightret' (1h)", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_with_basic_credentials_hands_back_the_token_as_a_bearer()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("any-user:" + Server.AdminToken));

        using var handshake = client.Handshake(new Metadata { { "authorization", "Basic " + basic } });
        await handshake.RequestStream.WriteAsync(new FlightHandshakeRequest(ByteString.Empty, 0));
        await handshake.RequestStream.CompleteAsync();
        var responses = await FlightCalls.ReadAllAsync(handshake.ResponseStream);
        var headers = await handshake.ResponseHeadersAsync;
        Assert.Equal("Bearer " + Server.AdminToken, headers.GetValue("authorization"));
        Assert.Equal(Server.AdminToken, Assert.Single(responses).Payload.ToStringUtf8());

        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes("any-user:apiv3_wrong"));
        using var refused = client.Handshake(new Metadata { { "authorization", "Basic " + wrong } });
        await refused.RequestStream.WriteAsync(new FlightHandshakeRequest(ByteString.Empty, 0));
        await refused.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => FlightCalls.ReadAllAsync(refused.ResponseStream));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("the token is not valid", error.Status.Detail);
    }

    /// <summary>
    /// Apache.Arrow.Flight cannot send dictionary columns (apache/arrow#46089, apache/arrow-dotnet#180): its writer
    /// sends the schema and the record batch but never the DictionaryBatch the indices refer to. The server refuses
    /// such a stream as invalid Arrow, naming the column, and stores nothing. If the upstream writer learns to send
    /// dictionaries this test fails, and should then expect the rows back (as the plain DoPut test does).
    /// </summary>
    [Fact]
    public async Task DoPut_of_a_dictionary_column_is_refused_because_the_client_sends_no_dictionary()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var dictionaryType = new DictionaryType(Int32Type.Default, StringType.Default, false);
        var schema = new Schema.Builder()
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Nullable(false))
            .Field(f => f.Name("host").DataType(dictionaryType))
            .Field(f => f.Name("v").DataType(DoubleType.Default))
            .Build();
        var host = new DictionaryArray(dictionaryType, new Int32Array.Builder().Append(1).Append(0).Append(1).Build(), new StringArray.Builder().Append("a").Append("b").Build());
        var batch = new RecordBatch(schema, [Timestamps(1, 2, 3), host, new DoubleArray.Builder().Append(1).Append(2).Append(3).Build()], 3);

        var error = await FlightCalls.DoPutErrorAsync(client, FlightDescriptor.CreatePathDescriptor("putdb", "dict"), Auth(), batch);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("the Arrow data is not valid: field 'host' uses dictionary 0 before it was sent", error.Status.Detail);

        using var response = await Http.GetAsync(new Uri("/api/v3/query_sql?db=putdb&format=json&q=SELECT%20*%20FROM%20dict", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>
    /// Apache.Arrow.Flight cannot receive dictionary columns either (same upstream issues): a client that asks this
    /// server for dictionaries with <c>tsdb-dictionaries: keep</c> gets them, and the library's reader throws
    /// NotImplementedException on the dictionary batch. That is why the default is hydrated utf8 tags. If this starts
    /// passing rows, the upstream reader has learnt dictionaries.
    /// </summary>
    [Fact]
    public async Task DoGet_asking_for_dictionaries_gets_them_and_the_client_cannot_read_them()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        using var call = client.GetStream(Ticket(Database, CpuQuery), Auth(("tsdb-dictionaries", "keep")));
        await Assert.ThrowsAsync<NotImplementedException>(() => FlightCalls.ReadAllAsync(call.ResponseStream));

        var schema = await client.GetSchema(FlightDescriptor.CreateCommandDescriptor(TicketJson(Database, CpuQuery)), Auth(("tsdb-dictionaries", "keep"))).ResponseAsync;
        var host = Assert.IsType<DictionaryType>(schema.GetFieldByName("host").DataType);
        Assert.Equal(ArrowTypeId.Int32, host.IndexType.TypeId);
        Assert.Equal(ArrowTypeId.String, host.ValueType.TypeId);
    }

    [Fact]
    public async Task Errors_come_back_as_rpc_exceptions_with_a_status_and_a_message()
    {
        await WriteLinesAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        var table = await FlightCalls.DoGetErrorAsync(client, Ticket(Database, "SELECT * FROM no_such_table"), Auth());
        Assert.Equal(StatusCode.InvalidArgument, table.StatusCode);
        Assert.Equal("line 1, column 15: unknown table 'no_such_table'", table.Status.Detail);

        var database = await FlightCalls.DoGetErrorAsync(client, Ticket("no_such_db", "SELECT 1"), Auth());
        Assert.Equal(StatusCode.NotFound, database.StatusCode);
        Assert.Equal("database not found: no_such_db", database.Status.Detail);

        var noToken = await FlightCalls.DoGetErrorAsync(client, Ticket(Database, CpuQuery), []);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
        Assert.Equal("this server needs a token: send 'authorization: Bearer <token>'", noToken.Status.Detail);

        var wrongToken = await FlightCalls.DoGetErrorAsync(client, Ticket(Database, CpuQuery), [new("authorization", "Bearer apiv3_wrong")]);
        Assert.Equal(StatusCode.PermissionDenied, wrongToken.StatusCode);
        Assert.Equal("the token is not valid", wrongToken.Status.Detail);
    }

    // Grpc.Net.Client on .NET 5 and later sends HTTP/2 with prior knowledge to an http:// address (requests are
    // HTTP/2 only, exact version), so neither the Http2UnencryptedSupport switch nor a version policy is needed.
    private GrpcChannel Channel() => GrpcChannel.ForAddress(Server.Url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() });

    private Metadata Auth(params (string Key, string Value)[] extra)
    {
        var metadata = new Metadata { { "authorization", "Bearer " + Server.AdminToken } };
        foreach (var (key, value) in extra)
        {
            metadata.Add(key, value);
        }
        return metadata;
    }

    private async Task WriteLinesAsync(string database = Database, string lines = Lines)
    {
        using var body = new StringContent(lines, Encoding.UTF8, "text/plain");
        using var response = await Http.PostAsync(new Uri($"/api/v3/write_lp?db={database}", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>The rows of the server's own JSON output (an array of objects, nulls left out).</summary>
    private async Task<List<JsonElement>> QuerySqlJsonAsync(string database, string sql)
    {
        using var response = await Http.GetAsync(new Uri($"/api/v3/query_sql?db={database}&format=json&q={Uri.EscapeDataString(sql)}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray()];
    }

    /// <summary>Exactly the expected columns, each read as the expected value's type (so 0.1 is compared as a double).</summary>
    private static void AssertRow(JsonElement row, Dictionary<string, object> expected)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), row.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var (name, value) in expected)
        {
            var json = row.GetProperty(name);
            object actual = value switch
            {
                string => json.GetString()!,
                double => json.GetDouble(),
                long => json.GetInt64(),
                ulong => json.GetUInt64(),
                bool => json.GetBoolean(),
                _ => throw new NotSupportedException(value.GetType().Name),
            };
            Assert.Equal(value, actual);
        }
    }

    private static byte[] TicketJson(string database, string sql) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["database"] = database, ["sql_query"] = sql, ["query_type"] = "sql" });

    private static FlightTicket Ticket(string database, string sql) => new(TicketJson(database, sql));



    private static TimestampArray Timestamps(params long[] nanoseconds) => new(
        new TimestampType(TimeUnit.Nanosecond, (string?)null),
        new ArrowBuffer.Builder<long>().AppendRange(nanoseconds).Build(),
        ArrowBuffer.Empty,
        nanoseconds.Length,
        0,
        0);

    /// <summary>PutResult.app_metadata holds a Flight SQL <c>DoPutUpdateResult{record_count = 1}</c>.</summary>
    private static long RecordCount(ByteString metadata)
    {
        var input = new CodedInputStream(metadata.ToByteArray());
        Assert.Equal(8u, input.ReadTag());
        return input.ReadInt64();
    }

    /// <summary>Each row's values as .NET objects, read from the typed Arrow arrays (timestamps as their raw int64).</summary>
    private static List<object?[]> Rows(List<RecordBatch> batches)
    {
        var rows = new List<object?[]>();
        foreach (var batch in batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                var row = new object?[batch.ColumnCount];
                for (var c = 0; c < batch.ColumnCount; c++)
                {
                    var column = batch.Column(c);
                    row[c] = column.IsNull(r) ? null : column switch
                    {
                        TimestampArray a => a.GetValue(r),
                        StringArray a => a.GetString(r),
                        DoubleArray a => a.GetValue(r),
                        Int64Array a => a.GetValue(r),
                        UInt64Array a => a.GetValue(r),
                        BooleanArray a => a.GetValue(r),
                        _ => throw new NotSupportedException($"column {batch.Schema.FieldsList[c].Name}: {column.Data.DataType.TypeId}"),
                    };
                }
                rows.Add(row);
            }
        }
        return rows;
    }
}
