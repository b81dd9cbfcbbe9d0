using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol;
using Tsdb.Flight.Protocol.Sql;
using Tsdb.Grpc;
using Tsdb.Ingest;
using Tsdb.Query;

namespace Tsdb.Flight;

/// <summary>
/// <c>arrow.flight.protocol.FlightService</c> (Flight.proto) over <see cref="Tsdb.Grpc"/>: plain Flight as InfluxDB 3
/// serves it (JSON or ReadInfo tickets to DoGet), Flight SQL commands through GetFlightInfo/DoGet/DoAction/DoPut,
/// and DoPut of Arrow batches to a table path as a bulk write.
/// </summary>
public sealed class FlightService
{
    public const string ServiceName = "arrow.flight.protocol.FlightService";

    private readonly Catalog.Catalog _catalog;
    private readonly FlightOptions _options;
    private readonly FlightAuthenticator _auth;
    private readonly QueryRunner _runner;
    private readonly FlightSqlCommands _commands;
    private readonly ResultCache _cache;
    private readonly ArrowIngest _ingest;
    private readonly IpcReadOptions _readOptions;

    public FlightService(Catalog.Catalog catalog, QueryEngine engine, LineProtocolIngester ingester, FlightOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _catalog = catalog;
        _options = options;
        _auth = new FlightAuthenticator(catalog, options.AuthEnabled);
        _runner = new QueryRunner(catalog, engine);
        _commands = new FlightSqlCommands(catalog, _runner, options);
        _cache = new ResultCache(options, time);
        _ingest = new ArrowIngest(ingester);
        _readOptions = IpcReadOptions.Default;
    }

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry
            .Add(ServiceName, "Handshake", ClientErrors(HandshakeAsync))
            .Add(ServiceName, "ListFlights", ClientErrors(ListFlightsAsync))
            .Add(ServiceName, "GetFlightInfo", ClientErrors(GetFlightInfoAsync))
            .Add(ServiceName, "GetSchema", ClientErrors(GetSchemaAsync))
            .Add(ServiceName, "DoGet", ClientErrors(DoGetAsync))
            .Add(ServiceName, "DoPut", ClientErrors(DoPutAsync))
            .Add(ServiceName, "DoAction", ClientErrors(DoActionAsync))
            .Add(ServiceName, "ListActions", ClientErrors(ListActionsAsync))
            .Add(ServiceName, "PollFlightInfo", _ => throw new GrpcException(GrpcStatusCode.Unimplemented, "PollFlightInfo is not supported; use GetFlightInfo"))
            .Add(ServiceName, "DoExchange", _ => throw new GrpcException(GrpcStatusCode.Unimplemented, "DoExchange is not supported"));
    }

    /// <summary>
    /// A message nested in a request (a command inside a descriptor's Any, a ticket's statement, a prepared-statement
    /// handle) that is not valid protobuf is the client's error: INVALID_ARGUMENT, not INTERNAL, wherever it is parsed.
    /// </summary>
    private static GrpcHandler ClientErrors(GrpcHandler handler) => async call =>
    {
        try
        {
            await handler(call).ConfigureAwait(false);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcException(GrpcStatusCode.InvalidArgument, $"the request holds a message that is not valid protobuf: {ex.Message}");
        }
    };

    /// <summary>
    /// Basic (token as password) or Bearer in the <c>authorization</c> header, or a BasicAuth payload: the token is
    /// checked and handed back as <c>authorization: Bearer</c>, which clients then send on every call.
    /// </summary>
    private async Task HandshakeAsync(GrpcCall call)
    {
        var request = await call.ReadMessageAsync().ConfigureAwait(false);
        string? payloadSecret = null;
        if (request is not null)
        {
            var handshake = Parse(HandshakeRequest.Parser, request);
            if (!handshake.Payload.IsEmpty)
            {
                try
                {
                    var basic = BasicAuth.Parser.ParseFrom(handshake.Payload);
                    payloadSecret = string.IsNullOrEmpty(basic.Password) ? null : basic.Password;
                }
                catch (InvalidProtocolBufferException)
                {
                    payloadSecret = null;
                }
            }
        }
        var secret = FlightAuthenticator.SecretOf(call.GetHeader("authorization")) ?? payloadSecret;
        _auth.Authenticate(call, payloadSecret);
        if (!string.IsNullOrEmpty(secret))
        {
            call.AddResponseMetadata("authorization", "Bearer " + secret);
        }
        await call.WriteMessageAsync(new HandshakeResponse { Payload = ByteString.CopyFromUtf8(secret ?? "") }.ToByteArray()).ConfigureAwait(false);
    }

    private async Task ListFlightsAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        Parse(Criteria.Parser, await call.ReadSingleMessageAsync().ConfigureAwait(false));
        var only = QueryRunner.DatabaseHeader(call);
        var hydrate = HydrateDictionaries(call);
        foreach (var db in _catalog.Current.Databases.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (only is not null && db.Name != only)
            {
                continue;
            }
            foreach (var table in db.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                await call.WriteMessageAsync(TableInfo(db.Name, table, hydrate).ToByteArray()).ConfigureAwait(false);
            }
        }
    }

    private async Task GetFlightInfoAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        var descriptor = Parse(FlightDescriptor.Parser, await call.ReadSingleMessageAsync().ConfigureAwait(false));
        FlightInfo info;
        if (descriptor.Type == FlightDescriptor.Types.DescriptorType.Path)
        {
            var (db, table) = PathTable(call, descriptor);
            info = TableInfo(db, table, HydrateDictionaries(call));
        }
        else
        {
            var database = QueryRunner.DatabaseHeader(call);
            IFlightResult result;
            ByteString ticket;
            if (AsFlightSql(descriptor.Cmd) is { } command)
            {
                result = await _commands.ExecuteAsync(command, database, call.CancellationToken).ConfigureAwait(false);
                ticket = FlightSqlCommands.Ticket(_cache.Hold(result), database, command);
            }
            else
            {
                // A plain-Flight ticket as a command: computed here for its schema, again by DoGet.
                result = await RunAsync(TicketDecoder.Decode(descriptor.Cmd), database, HydrateDictionaries(call), call.CancellationToken).ConfigureAwait(false);
                ticket = descriptor.Cmd;
            }
            info = new FlightInfo
            {
                Schema = ByteString.CopyFrom(result.SchemaStream()),
                FlightDescriptor = descriptor,
                TotalRecords = result.TotalRecords,
                TotalBytes = -1,
            };
            info.Endpoint.Add(new FlightEndpoint { Ticket = new Ticket { Ticket_ = ticket } });
        }
        await call.WriteMessageAsync(info.ToByteArray()).ConfigureAwait(false);
    }

    private async Task GetSchemaAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        var descriptor = Parse(FlightDescriptor.Parser, await call.ReadSingleMessageAsync().ConfigureAwait(false));
        byte[] schema;
        if (descriptor.Type == FlightDescriptor.Types.DescriptorType.Path)
        {
            var (_, table) = PathTable(call, descriptor);
            schema = SchemaStream(ResultSchemas.ForTable(table, HydrateDictionaries(call)));
        }
        else
        {
            var database = QueryRunner.DatabaseHeader(call);
            var result = AsFlightSql(descriptor.Cmd) is { } command
                ? await _commands.ExecuteAsync(command, database, call.CancellationToken).ConfigureAwait(false)
                : await RunAsync(TicketDecoder.Decode(descriptor.Cmd), database, HydrateDictionaries(call), call.CancellationToken).ConfigureAwait(false);
            schema = result.SchemaStream();
        }
        await call.WriteMessageAsync(new SchemaResult { Schema = ByteString.CopyFrom(schema) }.ToByteArray()).ConfigureAwait(false);
    }

    private async Task DoGetAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        var ticket = Parse(Ticket.Parser, await call.ReadSingleMessageAsync().ConfigureAwait(false));
        var query = TicketDecoder.Decode(ticket.Ticket_);
        var database = query.Database ?? QueryRunner.DatabaseHeader(call);
        var result = query.Command is not null
            ? _cache.Take(query.ResultId) ?? await _commands.ExecuteAsync(query.Command, database, call.CancellationToken).ConfigureAwait(false)
            : await _runner.StreamAsync(database, query.Sql!, query.Parameters, HydrateDictionaries(call), _options.TargetMessageBytes, call.CancellationToken).ConfigureAwait(false);
        await result.WriteAsync(call).ConfigureAwait(false);
    }

    private async Task DoActionAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        var action = Parse(Protocol.Action.Parser, await call.ReadSingleMessageAsync().ConfigureAwait(false));
        switch (action.Type)
        {
            case "CreatePreparedStatement":
            {
                var request = Unpack(action.Body, ActionCreatePreparedStatementRequest.Parser);
                var database = QueryRunner.DatabaseHeader(call);
                if (database is not null)
                {
                    _runner.RequireDatabase(database);
                }
                var result = new ActionCreatePreparedStatementResult
                {
                    PreparedStatementHandle = PreparedStatements.Encode(request.Query, null),
                    IsUpdate = false,
                };
                await call.WriteMessageAsync(new Result { Body = Any.Pack(result).ToByteString() }.ToByteArray()).ConfigureAwait(false);
                break;
            }
            case "ClosePreparedStatement":
                PreparedStatements.Decode(Unpack(action.Body, ActionClosePreparedStatementRequest.Parser).PreparedStatementHandle);
                break;
            case "SetSessionOptions":
                await call.WriteMessageAsync(new Result { Body = SetSessionOptions(Unpack(action.Body, SetSessionOptionsRequest.Parser)).ToByteString() }.ToByteArray()).ConfigureAwait(false);
                break;
            case "GetSessionOptions":
            {
                var options = new GetSessionOptionsResult();
                options.SessionOptions.Add("catalog", new SessionOptionValue { StringValue = "public" });
                await call.WriteMessageAsync(new Result { Body = options.ToByteString() }.ToByteArray()).ConfigureAwait(false);
                break;
            }
            case "CloseSession":
                await call.WriteMessageAsync(new Result { Body = new CloseSessionResult { Status = CloseSessionResult.Types.Status.Closed }.ToByteString() }.ToByteArray()).ConfigureAwait(false);
                break;
            default:
                throw new GrpcException(GrpcStatusCode.Unimplemented,
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

    private async Task ListActionsAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        await call.WriteMessageAsync(new ActionType { Type = "CreatePreparedStatement", Description = "Flight SQL: prepare a query (the handle carries it; nothing is held on the server)" }.ToByteArray()).ConfigureAwait(false);
        await call.WriteMessageAsync(new ActionType { Type = "ClosePreparedStatement", Description = "Flight SQL: close a prepared statement" }.ToByteArray()).ConfigureAwait(false);
        await call.WriteMessageAsync(new ActionType { Type = "SetSessionOptions", Description = "Session options: only catalog=public" }.ToByteArray()).ConfigureAwait(false);
        await call.WriteMessageAsync(new ActionType { Type = "GetSessionOptions", Description = "Session options: catalog" }.ToByteArray()).ConfigureAwait(false);
        await call.WriteMessageAsync(new ActionType { Type = "CloseSession", Description = "Ends a session (nothing is held)" }.ToByteArray()).ConfigureAwait(false);
    }

    /// <summary>
    /// DoPut: parameters for a prepared statement (CommandPreparedStatementQuery), or Arrow batches for a table
    /// (descriptor path <c>[table]</c> with a database header, or <c>[database, table]</c>), each acknowledged with
    /// a PutResult once durable.
    /// </summary>
    private async Task DoPutAsync(GrpcCall call)
    {
        _auth.Authenticate(call);
        var first = await call.ReadMessageAsync().ConfigureAwait(false)
            ?? throw new GrpcException(GrpcStatusCode.InvalidArgument, "DoPut needs at least one FlightData message");
        var data = Parse(FlightData.Parser, first);
        var descriptor = data.FlightDescriptor ?? throw new GrpcException(GrpcStatusCode.InvalidArgument, "the first FlightData of a DoPut must carry a flight descriptor");
        var decoder = new IpcDecoder(_readOptions);
        if (descriptor.Type == FlightDescriptor.Types.DescriptorType.Cmd)
        {
            var command = AsFlightSql(descriptor.Cmd) ?? throw new GrpcException(GrpcStatusCode.InvalidArgument, "DoPut with a command needs a Flight SQL command");
            if (TicketDecoder.TypeName(command) != FlightSqlCommands.Prefix + nameof(CommandPreparedStatementQuery))
            {
                throw new GrpcException(GrpcStatusCode.Unimplemented,
                    $"DoPut takes parameters for CommandPreparedStatementQuery, not '{command.TypeUrl}' (SQL updates and ingest commands are not supported; DoPut Arrow batches to a [database, table] path to write)");
            }
            var handle = PreparedStatements.Decode(CommandPreparedStatementQuery.Parser.ParseFrom(command.Value).PreparedStatementHandle);
            RecordBatch? parameters = null;
            for (var message = data; message is not null; message = await NextAsync(call).ConfigureAwait(false))
            {
                parameters = Decode(decoder, message) ?? parameters;
            }
            var bound = parameters is null ? null : ArrowStreamWriter.ToBytes(parameters.Schema, [parameters]);
            var reply = new DoPutPreparedStatementResult { PreparedStatementHandle = PreparedStatements.Encode(handle.Query, bound) };
            await call.WriteMessageAsync(new PutResult { AppMetadata = reply.ToByteString() }.ToByteArray()).ConfigureAwait(false);
            return;
        }
        var (db, table) = PutTarget(call, descriptor);
        for (var message = data; message is not null; message = await NextAsync(call).ConfigureAwait(false))
        {
            if (Decode(decoder, message) is not { } batch)
            {
                continue;
            }
            var rows = await _ingest.WriteAsync(db, table, batch, call.CancellationToken).ConfigureAwait(false);
            var ack = new DoPutUpdateResult { RecordCount = rows };
            await call.WriteMessageAsync(new PutResult { AppMetadata = ack.ToByteString() }.ToByteArray()).ConfigureAwait(false);
            await call.FlushAsync().ConfigureAwait(false);
        }
    }

    private static async Task<FlightData?> NextAsync(GrpcCall call) =>
        await call.ReadMessageAsync().ConfigureAwait(false) is { } bytes ? Parse(FlightData.Parser, bytes) : null;

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
            throw new GrpcException(GrpcStatusCode.InvalidArgument, $"the Arrow data is not valid: {ex.Message}");
        }
    }

    /// <summary>Runs a decoded ticket; its own database wins over the one from the headers.</summary>
    private async Task<IFlightResult> RunAsync(FlightQuery query, string? headerDatabase, bool hydrate, CancellationToken cancellationToken)
    {
        var database = query.Database ?? headerDatabase;
        if (query.Command is not null)
        {
            return await _commands.ExecuteAsync(query.Command, database, cancellationToken).ConfigureAwait(false);
        }
        var result = await _runner.RunAsync(database, query.Sql!, query.Parameters, cancellationToken).ConfigureAwait(false);
        return new ArrowFlightResult(result.Schema, result.Batches, hydrate, _options.TargetMessageBytes);
    }

    /// <summary>
    /// Plain Flight sends tag columns hydrated to <c>utf8</c>, as InfluxDB 3 does (IOx's <c>prepare_schema_for_flight</c>,
    /// arrow-flight's default <c>DictionaryHandling::Hydrate</c>): Apache.Arrow.Flight, and so the official .NET client,
    /// cannot read dictionary columns. A client that can asks for <c>tsdb-dictionaries: keep</c> and gets
    /// <c>dictionary&lt;int32, utf8&gt;</c>, which is smaller on the wire for repetitive tags.
    /// </summary>
    internal static bool HydrateDictionaries(GrpcCall call) => call.GetHeader(DictionariesHeader) switch
    {
        null or "" or "hydrate" => true,
        "keep" => false,
        var other => throw new GrpcException(GrpcStatusCode.InvalidArgument, $"header {DictionariesHeader}: '{other}' is not 'keep' or 'hydrate'"),
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

    private (string Database, Catalog.TableDefinition Table) PathTable(GrpcCall call, FlightDescriptor descriptor)
    {
        var (database, name) = PutTarget(call, descriptor);
        var db = _catalog.Current.FindDatabase(_runner.RequireDatabase(database))!;
        var table = db.FindTable(name) ?? throw new GrpcException(GrpcStatusCode.NotFound, $"table not found: {name} (database {database})");
        return (database, table);
    }

    /// <summary>The database and table a path descriptor names: <c>[database, table]</c>, or <c>[table]</c> with a database header.</summary>
    private static (string Database, string Table) PutTarget(GrpcCall call, FlightDescriptor descriptor)
    {
        switch (descriptor.Path.Count)
        {
            case 2:
                return (descriptor.Path[0], descriptor.Path[1]);
            case 1 when QueryRunner.DatabaseHeader(call) is { } database:
                return (database, descriptor.Path[0]);
            default:
                throw new GrpcException(GrpcStatusCode.InvalidArgument,
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
            throw new GrpcException(GrpcStatusCode.InvalidArgument, $"the action body is not a valid message: {ex.Message}");
        }
    }

    private static T Parse<T>(MessageParser<T> parser, byte[] bytes) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcException(GrpcStatusCode.InvalidArgument, $"the request is not a valid {typeof(T).Name}: {ex.Message}");
        }
    }

}
