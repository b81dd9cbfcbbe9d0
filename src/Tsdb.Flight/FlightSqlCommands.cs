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

    /// <summary>
    /// For DoGet: a statement or prepared statement is planned and streamed now; a metadata command is answered from
    /// the catalog (a few rows, built whole).
    /// </summary>
    public async Task<IFlightResult> ExecuteAsync(Any command, string? database, CancellationToken cancellationToken)
    {
        if (Statement(command) is { } statement)
        {
            return await runner.StreamAsync(database, statement.Sql, statement.Parameters, hydrate: true, options.TargetMessageBytes, cancellationToken).ConfigureAwait(false);
        }
        return Metadata(command, database);
    }

    /// <summary>
    /// For GetFlightInfo and GetSchema: the schema as DoGet will send it (IPC-encapsulated) and the row count if known.
    /// A statement is only planned (its row count is unknown, -1); a metadata answer is small and built from the catalog.
    /// </summary>
    public (byte[] Schema, long TotalRecords) Describe(Any command, string? database)
    {
        if (Statement(command) is { } statement)
        {
            var schema = runner.PlanSchema(database, statement.Sql, statement.Parameters, hydrate: true);
            return (SchemaStream(schema), -1);
        }
        var result = Metadata(command, database);
        return (result.SchemaStream(), result.TotalRecords);
    }

    /// <summary>
    /// CreatePreparedStatement: a stateless handle carrying the query, the answer's schema (planned with the parameters
    /// as placeholders, see <see cref="QueryRunner.PrepareSchemas"/>; empty when it cannot be known before binding) and
    /// the parameters' schema: one nullable field per <c>$name</c>, in order of first appearance, typed as the plan
    /// constrains it (compared with a column, LIMIT/OFFSET: Int64) and utf8 otherwise, which stands for "any": the bound
    /// batch may hold any supported type whatever the schema says.
    /// </summary>
    public ActionCreatePreparedStatementResult Prepare(string? database, string query)
    {
        var (dataset, parameters, types) = runner.PrepareSchemas(database, query);
        var parameterSchema = new Schema([.. parameters.Select(p => new Field(p, types.GetValueOrDefault(p, ArrowType.Utf8)))]);
        return new ActionCreatePreparedStatementResult
        {
            PreparedStatementHandle = PreparedStatements.Encode(query, null),
            DatasetSchema = dataset is null ? ByteString.Empty : ByteString.CopyFrom(SchemaStream(dataset)),
            ParameterSchema = ByteString.CopyFrom(SchemaStream(parameterSchema)),
            IsUpdate = false,
        };
    }

    /// <summary>The SQL and parameters of a statement or prepared-statement command; null for any other command.</summary>
    internal static (string Sql, IReadOnlyDictionary<string, object?>? Parameters)? Statement(Any command)
    {
        switch (LocalName(command))
        {
            case nameof(CommandStatementQuery):
                return (CommandStatementQuery.Parser.ParseFrom(command.Value).Query, null);
            case nameof(CommandPreparedStatementQuery):
            {
                var handle = PreparedStatements.Decode(CommandPreparedStatementQuery.Parser.ParseFrom(command.Value).PreparedStatementHandle);
                return (handle.Query, handle.HasParams ? QueryParameters.FromIpcStream(handle.Params.ToByteArray()) : null);
            }
            default:
                return null;
        }
    }

    private static string LocalName(Any command)
    {
        var name = TicketDecoder.TypeName(command);
        return name[(name.StartsWith(Prefix, StringComparison.Ordinal) ? Prefix.Length : 0)..];
    }

    private static byte[] SchemaStream(Schema schema) => FlightDataEncoding.SchemaStream(new IpcEncoder(schema).EncodeSchema().Metadata);

    /// <summary>The answer of a metadata command, built whole from the catalog (a handful of rows).</summary>
    private IFlightResult Metadata(Any command, string? database)
    {
        switch (LocalName(command))
        {
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
                return Tables(database, CommandGetTables.Parser.ParseFrom(command.Value));
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

    private ArrowFlightResult Tables(string? database, CommandGetTables command)
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
                    // A view's columns from its plan: nothing is read.
                    schema = runner.PlanSchema(db.Name, $"SELECT * FROM {row.Schema}.{row.Name}", null, hydrate: true);
                }
                schemas.Add(SchemaStream(schema));
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

    /// <summary>
    /// The ticket GetFlightInfo hands out for a Flight SQL command: the command itself (statement text, or the prepared
    /// statement's handle with its bound parameters) and the database, which is all DoGet needs to plan and run it.
    /// </summary>
    public static ByteString Ticket(string? database, Any command) =>
        Any.Pack(new Protocol.Tsdb.StatementTicket { Database = database ?? "", Command = command.ToByteString() }).ToByteString();

    /// <summary>An IOx-style ReadInfo ticket for SQL text (used by ListFlights).</summary>
    public static ByteString SqlTicket(string database, string sql) =>
        Any.Pack(new ReadInfo { Database = database, SqlQuery = sql, QueryType = ReadInfo.Types.QueryType.Sql }).ToByteString();
}
