using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Arrow.Ipc;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol;
using Tsdb.Flight.Protocol.Sql;
using Tsdb.Flight.Transport;
using Tsdb.Ingest;
using Tsdb.Query;
using Tsdb.Query.Sql;

namespace Tsdb.Flight;

/// <summary>
/// <c>arrow.flight.protocol.FlightService</c> (Flight.proto) on Grpc.AspNetCore: plain Flight as InfluxDB 3 serves it
/// (JSON or ReadInfo tickets to DoGet), Flight SQL commands through GetFlightInfo/DoGet/DoAction/DoPut, and DoPut of
/// Arrow batches to a table path as a bulk write. The generated base class gives the signatures; <see cref="Bind"/>
/// gives Grpc.AspNetCore the generated methods with <see cref="FlightMarshallers"/>, so a batch's body is copied once.
/// </summary>
[BindServiceMethod(typeof(TsdbFlightService), nameof(Bind))]
public sealed class TsdbFlightService : FlightService.FlightServiceBase
{
    private readonly Catalog.Catalog _catalog;
    private readonly FlightOptions _options;
    private readonly FlightAuthenticator _auth;
    private readonly QueryRunner _runner;
    private readonly FlightSqlCommands _commands;
    private readonly ArrowIngest _ingest;
    private readonly IpcReadOptions _readOptions;

    public TsdbFlightService(Catalog.Catalog catalog, SqlEngine engine, LineProtocolIngester ingester, FlightOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _catalog = catalog;
        _options = options;
        _auth = new FlightAuthenticator(catalog, options.AuthEnabled, options.Time);
        _runner = new QueryRunner(catalog, engine);
        _commands = new FlightSqlCommands(catalog, _runner, options);
        _ingest = new ArrowIngest(ingester);
        _readOptions = IpcReadOptions.Default;
    }

    /// <summary>The service's descriptor, which gRPC server reflection looks for on the type named by the bind attribute.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => FlightService.Descriptor;

    /// <summary>
    /// Binds the generated methods with this project's marshallers. Grpc.AspNetCore calls it with a null service and
    /// matches overrides by the type of the second parameter, which must be the generated base.
    /// </summary>
    public static void Bind(ServiceBinderBase binder, FlightService.FlightServiceBase? service) =>
        FlightService.BindService(new MarshallerBinder(binder), service!);

    /// <summary>
    /// Basic (token as password) or Bearer in the <c>authorization</c> header, or a BasicAuth payload: the token is
    /// checked and handed back as <c>authorization: Bearer</c>, which clients then send on every call.
    /// </summary>
    public override async Task Handshake(IAsyncStreamReader<HandshakeRequest> requestStream, IServerStreamWriter<HandshakeResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        string? payloadSecret = null;
        if (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) && !requestStream.Current.Payload.IsEmpty)
        {
            try
            {
                var basic = BasicAuth.Parser.ParseFrom(requestStream.Current.Payload);
                payloadSecret = string.IsNullOrEmpty(basic.Password) ? null : basic.Password;
            }
            catch (InvalidProtocolBufferException)
            {
                payloadSecret = null;
            }
        }
        var secret = FlightAuthenticator.SecretOf(context.RequestHeaders.GetValue("authorization")) ?? payloadSecret;
        _auth.Authenticate(context, payloadSecret);
        if (!string.IsNullOrEmpty(secret))
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "authorization", "Bearer " + secret } }).ConfigureAwait(false);
        }
        await responseStream.WriteAsync(new HandshakeResponse { Payload = ByteString.CopyFromUtf8(secret ?? "") }, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task ListFlights(Criteria request, IServerStreamWriter<FlightInfo> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var only = QueryRunner.DatabaseHeader(context);
        // With a database named, reading it is what is asked; without, the list holds the databases the token reads.
        var caller = _auth.Authorize(context, only is null ? Access.Authenticated : Access.Read, only);
        if (only is not null)
        {
            // A database that does not exist is NOT_FOUND, as on every other call, not an empty list.
            _runner.RequireDatabase(only);
        }
        var hydrate = HydrateDictionaries(context);
        foreach (var db in _catalog.Current.Databases.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if ((only is not null && db.Name != only) || (caller is not null && !caller.Allows(DatabaseActions.Read, db.Name)))
            {
                continue;
            }
            foreach (var table in db.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                await responseStream.WriteAsync(TableInfo(db.Name, table, hydrate), context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A statement is planned, not run: the schema comes from the plan and the ticket carries the statement (or the
    /// plain ticket itself), so DoGet plans again and streams. <c>total_records</c> is -1 (unknown) for statements.
    /// Nothing is held between the two calls; a statement using <c>now()</c> takes DoGet's time.
    /// </summary>
    public override Task<FlightInfo> GetFlightInfo(FlightDescriptor request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        _auth.Authenticate(context);
        if (request.Type == FlightDescriptor.Types.DescriptorType.Path)
        {
            _auth.Authorize(context, Access.Read, PutTarget(context, request).Database);
            var (db, table) = PathTable(context, request);
            return Task.FromResult(TableInfo(db, table, HydrateDictionaries(context)));
        }
        RequireRole(Tsdb.Core.Cluster.NodeRoles.Query);
        var database = QueryRunner.DatabaseHeader(context);
        var decoded = AsFlightSql(request.Cmd) is null ? TicketDecoder.Decode(request.Cmd) : null;
        _auth.Authorize(context, Access.Read, decoded?.Database ?? database);
        ByteString ticket;
        byte[] schema;
        long totalRecords;
        if (AsFlightSql(request.Cmd) is { } command)
        {
            (schema, totalRecords) = _commands.Describe(command, database);
            ticket = FlightSqlCommands.Ticket(database, command);
        }
        else
        {
            (schema, totalRecords) = Describe(decoded!, database, HydrateDictionaries(context));
            ticket = request.Cmd;
        }
        var info = new FlightInfo
        {
            Schema = ByteString.CopyFrom(schema),
            FlightDescriptor = request,
            TotalRecords = totalRecords,
            TotalBytes = -1,
        };
        info.Endpoint.Add(new FlightEndpoint { Ticket = new Ticket { Ticket_ = ticket } });
        return Task.FromResult(info);
    }

    public override Task<PollInfo> PollFlightInfo(FlightDescriptor request, ServerCallContext context) =>
        throw RpcErrors.Of(StatusCode.Unimplemented, "PollFlightInfo is not supported; use GetFlightInfo");

    public override Task<SchemaResult> GetSchema(FlightDescriptor request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        _auth.Authenticate(context);
        byte[] schema;
        if (request.Type == FlightDescriptor.Types.DescriptorType.Path)
        {
            _auth.Authorize(context, Access.Read, PutTarget(context, request).Database);
            var (_, table) = PathTable(context, request);
            schema = SchemaStream(ResultSchemas.ForTable(table, HydrateDictionaries(context)));
        }
        else
        {
            var database = QueryRunner.DatabaseHeader(context);
            var decoded = AsFlightSql(request.Cmd) is null ? TicketDecoder.Decode(request.Cmd) : null;
            _auth.Authorize(context, Access.Read, decoded?.Database ?? database);
            schema = AsFlightSql(request.Cmd) is { } command
                ? _commands.Describe(command, database).Schema
                : Describe(decoded!, database, HydrateDictionaries(context)).Schema;
        }
        return Task.FromResult(new SchemaResult { Schema = ByteString.CopyFrom(schema) });
    }

    public override async Task DoGet(Ticket request, IServerStreamWriter<FlightData> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        _auth.Authenticate(context);
        if (BufferScan.TryDecode(request.Ticket_) is { } bufferScan)
        {
            _auth.Authorize(context, Access.Read, bufferScan.Database);
            var buffered = _options.BufferedRows ?? throw RpcErrors.Of(StatusCode.FailedPrecondition, "this node is not an ingest node: it holds no buffered rows to serve");
            await BufferScan.ServeAsync(bufferScan, buffered, _catalog, _options.TargetMessageBytes, responseStream, context).ConfigureAwait(false);
            return;
        }
        RequireRole(Tsdb.Core.Cluster.NodeRoles.Query);
        var started = QueryMetrics.Start("flight");
        var status = "server_error";
        try
        {
            var query = TicketDecoder.Decode(request.Ticket_);
            var database = query.Database ?? QueryRunner.DatabaseHeader(context);
            var caller = _auth.Authorize(context, Access.Read, database);
            var result = query.Command is not null
                ? await _commands.ExecuteAsync(query.Command, database, context.CancellationToken).ConfigureAwait(false)
                : query.InfluxQL
                ? await _runner.StreamInfluxQLAsync(database, query.Sql!, query.Parameters, caller is null ? null : d => caller.Allows(DatabaseActions.Read, d), HydrateDictionaries(context), _options.TargetMessageBytes, context.CancellationToken).ConfigureAwait(false)
                : await _runner.StreamAsync(database, query.Sql!, query.Parameters, HydrateDictionaries(context), _options.TargetMessageBytes, context.CancellationToken).ConfigureAwait(false);
            await result.WriteAsync(responseStream, context.CancellationToken).ConfigureAwait(false);
            status = "ok";
        }
        catch (RpcException e)
        {
            status = e.StatusCode switch
            {
                StatusCode.Cancelled or StatusCode.DeadlineExceeded => "cancelled",
                StatusCode.Internal or StatusCode.Unknown or StatusCode.Unavailable or StatusCode.DataLoss => "server_error",
                _ => "client_error",
            };
            throw;
        }
        catch (QueryException)
        {
            status = "client_error";
            throw;
        }
        catch (OperationCanceledException)
        {
            status = "cancelled";
            throw;
        }
        finally
        {
            QueryMetrics.Stop("flight", started, status);
        }
    }

    public override Task DoExchange(IAsyncStreamReader<FlightData> requestStream, IServerStreamWriter<FlightData> responseStream, ServerCallContext context) =>
        throw RpcErrors.Of(StatusCode.Unimplemented, "DoExchange is not supported");

    public override async Task DoAction(Protocol.Action request, IServerStreamWriter<Result> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        _auth.Authenticate(context);
        var action = request;
        var token = context.CancellationToken;
        switch (action.Type)
        {
            case "CreatePreparedStatement":
            {
                var body = Unpack(action.Body, ActionCreatePreparedStatementRequest.Parser);
                _auth.Authorize(context, Access.Read, QueryRunner.DatabaseHeader(context));
                var result = _commands.Prepare(QueryRunner.DatabaseHeader(context), body.Query);
                await responseStream.WriteAsync(new Result { Body = Any.Pack(result).ToByteString() }, token).ConfigureAwait(false);
                break;
            }
            case "ClosePreparedStatement":
                PreparedStatements.Decode(Unpack(action.Body, ActionClosePreparedStatementRequest.Parser).PreparedStatementHandle);
                break;
            case "SetSessionOptions":
                await responseStream.WriteAsync(new Result { Body = SetSessionOptions(Unpack(action.Body, SetSessionOptionsRequest.Parser)).ToByteString() }, token).ConfigureAwait(false);
                break;
            case "GetSessionOptions":
            {
                var options = new GetSessionOptionsResult();
                options.SessionOptions.Add("catalog", new SessionOptionValue { StringValue = "public" });
                await responseStream.WriteAsync(new Result { Body = options.ToByteString() }, token).ConfigureAwait(false);
                break;
            }
            case "CloseSession":
                await responseStream.WriteAsync(new Result { Body = new CloseSessionResult { Status = CloseSessionResult.Types.Status.Closed }.ToByteString() }, token).ConfigureAwait(false);
                break;
            default:
                throw RpcErrors.Of(StatusCode.Unimplemented,
                    $"unknown action '{action.Type}'; this server has CreatePreparedStatement, ClosePreparedStatement, SetSessionOptions, GetSessionOptions and CloseSession");
        }
    }

    /// <summary>
    /// Sessions hold nothing here (the database travels in a header on every call): the only option is the catalog,
    /// and only <c>public</c> exists. The JDBC driver sets it on connect when given a <c>catalog</c> property.
    /// </summary>
    private static SetSessionOptionsResult SetSessionOptions(SetSessionOptionsRequest request)
    {
        var result = new SetSessionOptionsResult();
        foreach (var (name, value) in request.SessionOptions)
        {
            var error = name switch
            {
                "catalog" when value.StringValue == "public" => (SetSessionOptionsResult.Types.ErrorValue?)null,
                "catalog" => SetSessionOptionsResult.Types.ErrorValue.InvalidValue,
                _ => SetSessionOptionsResult.Types.ErrorValue.InvalidName,
            };
            if (error is { } e)
            {
                result.Errors.Add(name, new SetSessionOptionsResult.Types.Error { Value = e });
            }
        }
        return result;
    }

    public override async Task ListActions(Protocol.Empty request, IServerStreamWriter<ActionType> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        _auth.Authenticate(context);
        ActionType[] actions =
        [
            new() { Type = "CreatePreparedStatement", Description = "Flight SQL: prepare a query (the handle carries it; nothing is held on the server); answers its dataset and parameter schemas" },
            new() { Type = "ClosePreparedStatement", Description = "Flight SQL: close a prepared statement" },
            new() { Type = "SetSessionOptions", Description = "Session options: only catalog=public" },
            new() { Type = "GetSessionOptions", Description = "Session options: catalog" },
            new() { Type = "CloseSession", Description = "Ends a session (nothing is held)" },
        ];
        foreach (var action in actions)
        {
            await responseStream.WriteAsync(action, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// DoPut: parameters for a prepared statement (CommandPreparedStatementQuery), or Arrow batches for a table
    /// (descriptor path <c>[table]</c> with a database header, or <c>[database, table]</c>), each acknowledged with
    /// a PutResult once durable.
    /// </summary>
    public override async Task DoPut(IAsyncStreamReader<FlightData> requestStream, IServerStreamWriter<PutResult> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        _auth.Authenticate(context);
        var data = await NextAsync(requestStream, context).ConfigureAwait(false)
            ?? throw RpcErrors.Of(StatusCode.InvalidArgument, "DoPut needs at least one FlightData message");
        var descriptor = data.FlightDescriptor ?? throw RpcErrors.Of(StatusCode.InvalidArgument, "the first FlightData of a DoPut must carry a flight descriptor");
        var decoder = new IpcDecoder(_readOptions);
        if (descriptor.Type == FlightDescriptor.Types.DescriptorType.Cmd)
        {
            var command = AsFlightSql(descriptor.Cmd) ?? throw RpcErrors.Of(StatusCode.InvalidArgument, "DoPut with a command needs a Flight SQL command");
            if (TicketDecoder.TypeName(command) != FlightSqlCommands.Prefix + nameof(CommandPreparedStatementQuery))
            {
                throw RpcErrors.Of(StatusCode.Unimplemented,
                    $"DoPut takes parameters for CommandPreparedStatementQuery, not '{command.TypeUrl}' (SQL updates and ingest commands are not supported; DoPut Arrow batches to a [database, table] path to write)");
            }
            var handle = PreparedStatements.Decode(CommandPreparedStatementQuery.Parser.ParseFrom(command.Value).PreparedStatementHandle);
            RecordBatch? parameters = null;
            for (var message = data; message is not null; message = await NextAsync(requestStream, context).ConfigureAwait(false))
            {
                parameters = Decode(decoder, message) ?? parameters;
            }
            var bound = parameters is null ? null : ArrowStreamWriter.ToBytes(parameters.Schema, [parameters]);
            var reply = new DoPutPreparedStatementResult { PreparedStatementHandle = PreparedStatements.Encode(handle.Query, bound) };
            await responseStream.WriteAsync(new PutResult { AppMetadata = reply.ToByteString() }, context.CancellationToken).ConfigureAwait(false);
            return;
        }
        RequireRole(Tsdb.Core.Cluster.NodeRoles.Ingest);
        var (db, table) = PutTarget(context, descriptor);
        _auth.Authorize(context, Access.Write, db);
        for (var message = data; message is not null; message = await NextAsync(requestStream, context).ConfigureAwait(false))
        {
            if (Decode(decoder, message) is not { } batch)
            {
                continue;
            }
            var rows = await _ingest.WriteAsync(db, table, batch, context.CancellationToken).ConfigureAwait(false);
            var ack = new DoPutUpdateResult { RecordCount = rows };
            await responseStream.WriteAsync(new PutResult { AppMetadata = ack.ToByteString() }, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private void RequireRole(Tsdb.Core.Cluster.NodeRoles role)
    {
        if (_options.RoleRefusal(role) is { } refusal)
        {
            throw RpcErrors.Of(StatusCode.FailedPrecondition, refusal);
        }
    }

    private static async Task<FlightData?> NextAsync(IAsyncStreamReader<FlightData> requestStream, ServerCallContext context) =>
        await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) ? requestStream.Current : null;

    private static RecordBatch? Decode(IpcDecoder decoder, FlightData message)
    {
        if (message.DataHeader.IsEmpty)
        {
            return null;
        }
        try
        {
            return decoder.Decode(message.DataHeader.Memory, message.DataBody.Memory);
        }
        catch (Tsdb.Arrow.ArrowFormatException ex)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, $"the Arrow data is not valid: {ex.Message}");
        }
    }

    /// <summary>The schema (and row count, -1 if unknown) of a decoded ticket, planned; its own database wins over the header's.</summary>
    private (byte[] Schema, long TotalRecords) Describe(FlightQuery query, string? headerDatabase, bool hydrate)
    {
        var database = query.Database ?? headerDatabase;
        return query.Command is not null
            ? _commands.Describe(query.Command, database)
            : (SchemaStream(query.InfluxQL ? _runner.PlanInfluxQLSchema(database, query.Sql!, query.Parameters, hydrate) : _runner.PlanSchema(database, query.Sql!, query.Parameters, hydrate)), -1);
    }

    /// <summary>
    /// Plain Flight sends tag columns hydrated to <c>utf8</c>, as InfluxDB 3 does (IOx's <c>prepare_schema_for_flight</c>,
    /// arrow-flight's default <c>DictionaryHandling::Hydrate</c>): Apache.Arrow.Flight, and so the official .NET client,
    /// cannot read dictionary columns. A client that can asks for <c>tsdb-dictionaries: keep</c> and gets
    /// <c>dictionary&lt;int32, utf8&gt;</c>, which is smaller on the wire for repetitive tags.
    /// </summary>
    internal static bool HydrateDictionaries(ServerCallContext call) => call.RequestHeaders.GetValue(DictionariesHeader) switch
    {
        null or "" or "hydrate" => true,
        "keep" => false,
        var other => throw RpcErrors.Of(StatusCode.InvalidArgument, $"header {DictionariesHeader}: '{other}' is not 'keep' or 'hydrate'"),
    };

    public const string DictionariesHeader = "tsdb-dictionaries";

    private static FlightInfo TableInfo(string database, Catalog.TableDefinition table, bool hydrate)
    {
        var descriptor = new FlightDescriptor { Type = FlightDescriptor.Types.DescriptorType.Path };
        descriptor.Path.Add(database);
        descriptor.Path.Add(table.Name);
        var info = new FlightInfo
        {
            Schema = ByteString.CopyFrom(SchemaStream(ResultSchemas.ForTable(table, hydrate))),
            FlightDescriptor = descriptor,
            TotalRecords = -1,
            TotalBytes = -1,
        };
        var sql = "SELECT * FROM \"" + table.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        info.Endpoint.Add(new FlightEndpoint { Ticket = new Ticket { Ticket_ = FlightSqlCommands.SqlTicket(database, sql) } });
        return info;
    }

    private (string Database, Catalog.TableDefinition Table) PathTable(ServerCallContext call, FlightDescriptor descriptor)
    {
        var (database, name) = PutTarget(call, descriptor);
        var db = _catalog.Current.FindDatabase(_runner.RequireDatabase(database))!;
        var table = db.FindTable(name) ?? throw RpcErrors.Of(StatusCode.NotFound, $"table not found: {name} (database {database})");
        return (database, table);
    }

    /// <summary>The database and table a path descriptor names: <c>[database, table]</c>, or <c>[table]</c> with a database header.</summary>
    private static (string Database, string Table) PutTarget(ServerCallContext call, FlightDescriptor descriptor)
    {
        switch (descriptor.Path.Count)
        {
            case 2:
                return (descriptor.Path[0], descriptor.Path[1]);
            case 1 when QueryRunner.DatabaseHeader(call) is { } database:
                return (database, descriptor.Path[0]);
            default:
                throw RpcErrors.Of(StatusCode.InvalidArgument,
                    "the descriptor path must be [database, table], or [table] with a 'database' header");
        }
    }

    private static byte[] SchemaStream(Tsdb.Arrow.Types.Schema schema) =>
        FlightDataEncoding.SchemaStream(new IpcEncoder(schema).EncodeSchema().Metadata);

    private static Any? AsFlightSql(ByteString cmd)
    {
        try
        {
            var any = Any.Parser.ParseFrom(cmd);
            return any.TypeUrl.Length > 0 && FlightSqlCommands.IsFlightSql(any) ? any : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>An Any-packed body (as the spec says), or the bare message (as some clients send it).</summary>
    private static T Unpack<T>(ByteString body, MessageParser<T> parser) where T : IMessage<T>
    {
        try
        {
            // A bare message whose field 1 is length-delimited also parses as an Any: trust only a real type URL.
            var any = Any.Parser.ParseFrom(body);
            if (any.TypeUrl.StartsWith("type.googleapis.com/", StringComparison.Ordinal))
            {
                return parser.ParseFrom(any.Value);
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // not an Any: the bare message below
        }
        try
        {
            return parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, $"the action body is not a valid message: {ex.Message}");
        }
    }
}
