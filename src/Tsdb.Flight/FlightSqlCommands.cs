using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Field = Tsdb.Arrow.Types.Field;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol.Iox;
using Tsdb.Flight.Protocol.Sql;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>
/// Answers Flight SQL commands (FlightSql.proto; protocols.md §4.2): statements and prepared statements through the
/// query engine, metadata from the catalog. One catalog (<c>public</c>) per database, as InfluxDB 3 presents it;
/// tables live in schema <c>iox</c>, the metadata views in <c>information_schema</c> and <c>system</c>.
/// </summary>
internal sealed class FlightSqlCommands(Catalog.Catalog catalog, QueryRunner runner, FlightOptions options)
{
    public const string Prefix = "arrow.flight.protocol.sql.";
    private const string CatalogName = "public";
    private const string TableSchema = "iox";

    private static readonly (string Schema, string Name)[] Views =
        [("information_schema", "columns"), ("information_schema", "tables"), ("system", "parquet_files")];

    private static readonly string[] DbSchemas = ["information_schema", TableSchema, "system"];

    public static bool IsFlightSql(Any any) => TicketDecoder.TypeName(any).StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<IFlightResult> ExecuteAsync(Any command, string? database, CancellationToken cancellationToken)
    {
        var name = TicketDecoder.TypeName(command);
        switch (name[(name.StartsWith(Prefix, StringComparison.Ordinal) ? Prefix.Length : 0)..])
        {
            case nameof(CommandStatementQuery):
                return await StatementAsync(database, CommandStatementQuery.Parser.ParseFrom(command.Value).Query, null, cancellationToken).ConfigureAwait(false);
            case nameof(CommandPreparedStatementQuery):
            {
                var handle = PreparedStatements.Decode(CommandPreparedStatementQuery.Parser.ParseFrom(command.Value).PreparedStatementHandle);
                var parameters = handle.HasParams ? QueryParameters.FromIpcStream(handle.Params.ToByteArray()) : null;
                return await StatementAsync(database, handle.Query, parameters, cancellationToken).ConfigureAwait(false);
            }
            case nameof(CommandGetSqlInfo):
                return SqlInfo.Build(CommandGetSqlInfo.Parser.ParseFrom(command.Value).Info, options.Version);
            case nameof(CommandGetXdbcTypeInfo):
            {
                var xdbc = CommandGetXdbcTypeInfo.Parser.ParseFrom(command.Value);
                return XdbcTypeInfo.Build(xdbc.HasDataType ? xdbc.DataType : null);
            }
            case nameof(CommandGetCatalogs):
                return Arrow(new Schema([new Field("catalog_name", ArrowType.Utf8, false)]), MetadataArrays.Utf8([CatalogName]));
            case nameof(CommandGetDbSchemas):
                return DbSchemasResult(CommandGetDbSchemas.Parser.ParseFrom(command.Value));
            case nameof(CommandGetTables):
                return await TablesAsync(database, CommandGetTables.Parser.ParseFrom(command.Value), cancellationToken).ConfigureAwait(false);
            case nameof(CommandGetTableTypes):
                return Arrow(new Schema([new Field("table_type", ArrowType.Utf8, false)]), MetadataArrays.Utf8(["BASE TABLE", "VIEW"]));
            case nameof(CommandGetPrimaryKeys):
                return PrimaryKeys(database, CommandGetPrimaryKeys.Parser.ParseFrom(command.Value));
            case nameof(CommandGetExportedKeys) or nameof(CommandGetImportedKeys) or nameof(CommandGetCrossReference):
                return Arrow(KeysSchema);
            case "CommandStatementSubstraitPlan":
                throw RpcErrors.Of(StatusCode.Unimplemented, "Substrait plans are not supported; send SQL");
            case nameof(CommandStatementUpdate) or nameof(CommandPreparedStatementUpdate) or "CommandStatementIngest":
                throw RpcErrors.Of(StatusCode.Unimplemented, "SQL updates are not supported; write with line protocol or DoPut of Arrow batches to a table path");
            default:
                throw RpcErrors.Of(StatusCode.Unimplemented, $"unsupported Flight SQL command '{command.TypeUrl}'");
        }
    }

    private async Task<IFlightResult> StatementAsync(string? database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(database, sql, parameters, cancellationToken).ConfigureAwait(false);
        return new ArrowFlightResult(result.Schema, result.Batches, decodeDictionaries: true, options.TargetMessageBytes);
    }

    private ArrowFlightResult Arrow(Schema schema, params Tsdb.Arrow.Arrays.ArrowArray[] columns) =>
        new(schema, columns.Length == 0 ? [] : [MetadataArrays.Batch(schema, columns)], decodeDictionaries: true, options.TargetMessageBytes);

    private ArrowFlightResult DbSchemasResult(CommandGetDbSchemas command)
    {
        var schemas = command.HasCatalog && command.Catalog != CatalogName
            ? []
            : Array.FindAll(DbSchemas, s => !command.HasDbSchemaFilterPattern || Like(s, command.DbSchemaFilterPattern));
        return Arrow(new Schema([new Field("catalog_name", ArrowType.Utf8), new Field("db_schema_name", ArrowType.Utf8, false)]),
            MetadataArrays.Utf8([.. schemas.Select(_ => CatalogName)]), MetadataArrays.Utf8(schemas));
    }

    private async Task<IFlightResult> TablesAsync(string? database, CommandGetTables command, CancellationToken cancellationToken)
    {
        var db = catalog.Current.FindDatabase(runner.RequireDatabase(database))!;
        var rows = new List<(string Schema, string Name, string Type, Catalog.TableDefinition? Table)>();
        if (!command.HasCatalog || command.Catalog == CatalogName)
        {
            foreach (var table in db.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                rows.Add((TableSchema, table.Name, "BASE TABLE", table));
            }
            foreach (var (schema, name) in Views)
            {
                rows.Add((schema, name, "VIEW", null));
            }
        }
        rows = rows.FindAll(r =>
            (!command.HasDbSchemaFilterPattern || Like(r.Schema, command.DbSchemaFilterPattern))
            && (!command.HasTableNameFilterPattern || Like(r.Name, command.TableNameFilterPattern))
            && (command.TableTypes.Count == 0 || command.TableTypes.Any(t => t.Equals(r.Type, StringComparison.OrdinalIgnoreCase))));
        var fields = new List<Field>
        {
            new("catalog_name", ArrowType.Utf8), new("db_schema_name", ArrowType.Utf8),
            new("table_name", ArrowType.Utf8, false), new("table_type", ArrowType.Utf8, false),
        };
        var columns = new List<Tsdb.Arrow.Arrays.ArrowArray>
        {
            MetadataArrays.Utf8([.. rows.Select(_ => CatalogName)]), MetadataArrays.Utf8([.. rows.Select(r => r.Schema)]),
            MetadataArrays.Utf8([.. rows.Select(r => r.Name)]), MetadataArrays.Utf8([.. rows.Select(r => r.Type)]),
        };
        if (command.IncludeSchema)
        {
            var schemas = new List<byte[]>(rows.Count);
            foreach (var row in rows)
            {
                Schema schema;
                if (row.Table is not null)
                {
                    schema = ResultSchemas.ForTable(row.Table, decodeDictionaries: true);
                }
                else
                {
                    var result = await runner.RunAsync(db.Name, $"SELECT * FROM {row.Schema}.{row.Name} LIMIT 0", null, cancellationToken).ConfigureAwait(false);
                    schema = ResultSchemas.For(result.Schema, decodeDictionaries: true);
                }
                schemas.Add(FlightDataEncoding.SchemaStream(new IpcEncoder(schema).EncodeSchema().Metadata));
            }
            fields.Add(new Field("table_schema", ArrowType.Binary, false));
            columns.Add(MetadataArrays.Binary(schemas));
        }
        return Arrow(new Schema(fields), [.. columns]);
    }

    private ArrowFlightResult PrimaryKeys(string? database, CommandGetPrimaryKeys command)
    {
        var db = catalog.Current.FindDatabase(runner.RequireDatabase(database))!;
        var table = (!command.HasDbSchema || command.DbSchema == TableSchema) && (!command.HasCatalog || command.Catalog == CatalogName)
            ? db.FindTable(command.Table)
            : null;
        // A series is identified by its tags and time: that is the key rows merge on.
        var keyColumns = table is null ? [] : table.Columns.Where(c => c.Kind is Core.Schema.ColumnKind.Tag).Select(c => c.Name).Append(Catalog.TableDefinition.TimeColumn).ToArray();
        var schema = new Schema(
        [
            new Field("catalog_name", ArrowType.Utf8), new Field("db_schema_name", ArrowType.Utf8), new Field("table_name", ArrowType.Utf8, false),
            new Field("column_name", ArrowType.Utf8, false), new Field("key_name", ArrowType.Utf8), new Field("key_sequence", ArrowType.Int32, false),
        ]);
        return Arrow(schema,
            MetadataArrays.Utf8([.. keyColumns.Select(_ => CatalogName)]), MetadataArrays.Utf8([.. keyColumns.Select(_ => TableSchema)]),
            MetadataArrays.Utf8([.. keyColumns.Select(_ => command.Table)]), MetadataArrays.Utf8(keyColumns),
            MetadataArrays.Utf8([.. keyColumns.Select(_ => (string?)null)]), MetadataArrays.Int32([.. Enumerable.Range(1, keyColumns.Length)]));
    }

    private static Schema KeysSchema { get; } = new(
    [
        new Field("pk_catalog_name", ArrowType.Utf8), new Field("pk_db_schema_name", ArrowType.Utf8),
        new Field("pk_table_name", ArrowType.Utf8, false), new Field("pk_column_name", ArrowType.Utf8, false),
        new Field("fk_catalog_name", ArrowType.Utf8), new Field("fk_db_schema_name", ArrowType.Utf8),
        new Field("fk_table_name", ArrowType.Utf8, false), new Field("fk_column_name", ArrowType.Utf8, false),
        new Field("key_sequence", ArrowType.Int32, false), new Field("fk_key_name", ArrowType.Utf8), new Field("pk_key_name", ArrowType.Utf8),
        new Field("update_rule", ArrowType.UInt8, false), new Field("delete_rule", ArrowType.UInt8, false),
    ]);

    /// <summary>SQL LIKE with <c>%</c> and <c>_</c> (Flight SQL filter patterns), case-sensitive.</summary>
    internal static bool Like(string value, string pattern)
    {
        var regex = "^" + Regex.Escape(pattern).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The ticket for a computed command result: its id (if held) and the command to compute it again.</summary>
    public static ByteString Ticket(string? resultId, string? database, Any command) =>
        Any.Pack(new Protocol.Tsdb.StatementTicket { ResultId = resultId ?? "", Database = database ?? "", Command = command.ToByteString() }).ToByteString();

    /// <summary>An IOx-style ReadInfo ticket for SQL text (used by ListFlights).</summary>
    public static ByteString SqlTicket(string database, string sql) =>
        Any.Pack(new ReadInfo { Database = database, SqlQuery = sql, QueryType = ReadInfo.Types.QueryType.Sql }).ToByteString();
}
