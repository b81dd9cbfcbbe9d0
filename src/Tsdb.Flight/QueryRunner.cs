using Grpc.Core;
using Tsdb.Arrow.Types;
using Tsdb.Flight.Arrow;
using Tsdb.Query;
using Tsdb.Query.InfluxQL;
using Tsdb.Query.Sql;

namespace Tsdb.Flight;

/// <summary>
/// Plans and streams SQL through the query engine and maps its errors to gRPC statuses. There is one way to run a
/// statement: <see cref="StreamAsync"/>, from DoGet. GetFlightInfo, GetSchema and CreatePreparedStatement only plan.
/// </summary>
internal sealed class QueryRunner(Catalog.Catalog catalog, SqlEngine engine)
{
    private readonly InfluxQLEngine _influxql = new(engine.Executor);

    /// <summary>For DoGet: the answer streamed from the plan as it is produced.</summary>
    public async Task<IFlightResult> StreamAsync(string? database, string sql, IReadOnlyDictionary<string, object?>? parameters, bool hydrate, int targetBytes, CancellationToken cancellationToken)
    {
        var db = RequireDatabase(database);
        QueryStream stream;
        try
        {
            stream = await engine.ExecuteStreamAsync(db, sql, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (QueryException ex)
        {
            throw Invalid(ex);
        }
        catch (QueryLimitException ex)
        {
            throw RpcErrors.Of(StatusCode.ResourceExhausted, ex.Message);
        }
        return new StreamingFlightResult(stream, hydrate, targetBytes);
    }

    /// <summary>
    /// For DoGet with an InfluxQL ticket: one statement, its rows with the <c>iox::measurement</c> column, streamed.
    /// <paramref name="mayRead"/> is the caller's read permission (SHOW DATABASES lists only what it allows).
    /// </summary>
    public async Task<IFlightResult> StreamInfluxQLAsync(string? database, string text, IReadOnlyDictionary<string, object?>? parameters, Func<string, bool>? mayRead, bool hydrate, int targetBytes, CancellationToken cancellationToken)
    {
        var db = RequireDatabase(database);
        var statement = OneInfluxQLStatement(text);
        try
        {
            var stream = await _influxql.ExecuteAsync(db, statement, text, parameters, mayRead, cancellationToken).ConfigureAwait(false);
            return new StreamingFlightResult(stream.Rows, hydrate, targetBytes, schema => InfluxQLResultSchema.Annotate(schema, stream.Shape));
        }
        catch (QueryException ex)
        {
            throw Invalid(ex);
        }
        catch (QueryLimitException ex)
        {
            throw RpcErrors.Of(StatusCode.ResourceExhausted, ex.Message);
        }
    }

    public Schema PlanInfluxQLSchema(string? database, string text, IReadOnlyDictionary<string, object?>? parameters, bool hydrate)
    {
        var db = RequireDatabase(database);
        var statement = OneInfluxQLStatement(text);
        try
        {
            var (plan, shape) = _influxql.Plan(db, statement, parameters);
            return ResultSchemas.For(InfluxQLResultSchema.Annotate(plan.Schema, shape), hydrate);
        }
        catch (QueryException ex)
        {
            throw Invalid(ex);
        }
    }

    private static Tsdb.Query.InfluxQL.Ast.Statement OneInfluxQLStatement(string text)
    {
        IReadOnlyList<Tsdb.Query.InfluxQL.Ast.Statement> statements;
        try
        {
            statements = InfluxQLEngine.Parse(text);
        }
        catch (InfluxQLParseException ex)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, $"error parsing query: {ex.Message}");
        }
        return statements.Count == 1 ? statements[0]
            : throw RpcErrors.Of(StatusCode.InvalidArgument, $"the InfluxQL query has {statements.Count} statements; a ticket runs exactly one");
    }

    /// <summary>
    /// The schema the answer goes out with (tags hydrated unless <paramref name="hydrate"/> is false), from the
    /// optimised plan: nothing is read and no query is logged or counted against the concurrency limit.
    /// </summary>
    public Schema PlanSchema(string? database, string sql, IReadOnlyDictionary<string, object?>? parameters, bool hydrate)
    {
        var db = RequireDatabase(database);
        try
        {
            return ResultSchemas.For(engine.Plan(db, sql, parameters).Schema, hydrate);
        }
        catch (QueryException ex)
        {
            throw Invalid(ex);
        }
    }

    /// <summary>
    /// The schemas of a statement about to be prepared: its distinct <c>$</c> parameter names in order of first
    /// appearance, and the answer's schema before any value is bound. The planner refuses a missing parameter, so this
    /// plans with every parameter bound to NULL (which compares, filters and projects like a value of whatever it
    /// meets). When planning fails at a placeholder (LIMIT and OFFSET need a non-negative integer; some functions need
    /// a literal of a type), that parameter alone is tried as 0, then as '': each step changes one parameter, so this
    /// plans at most 2n+1 times. The dataset schema is null (unknown until bound; GetFlightInfo then answers it) when
    /// no placeholder values plan. An error with every parameter NULL and not at a placeholder (bad SQL, an unknown
    /// table or column) is INVALID_ARGUMENT, as when running the statement.
    /// </summary>
    public (Schema? Dataset, IReadOnlyList<string> Parameters, IReadOnlyDictionary<string, ArrowType> ParameterTypes) PrepareSchemas(string? database, string sql)
    {
        var db = RequireDatabase(database);
        IReadOnlyList<SqlParameterUse> uses;
        try
        {
            uses = SqlParser.ParametersUsed(sql);
        }
        catch (SqlParseException ex)
        {
            throw Invalid(new QueryException(ex.Detail, ex.Line, ex.Column));
        }
        string[] names = [.. uses.Select(u => u.Name).Distinct(StringComparer.Ordinal)];
        object?[] placeholders = [null, 0L, ""];
        var choice = names.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        while (true)
        {
            var bound = names.ToDictionary(n => n, n => placeholders[choice[n]], StringComparer.Ordinal);
            try
            {
                var (plan, types) = engine.PlanWithParameterTypes(db, sql, bound);
                return (ResultSchemas.For(plan.Schema, decodeDictionaries: true), names, types);
            }
            catch (QueryException ex)
            {
                var at = uses.FirstOrDefault(u => u.Line == ex.Line && u.Column == ex.Column);
                if (at is null)
                {
                    // Not about a placeholder: the statement's own error, unless a placeholder other than NULL caused it.
                    return choice.Values.All(c => c == 0) ? throw Invalid(ex) : (null, names, NoTypes);
                }
                if (++choice[at.Name] == placeholders.Length)
                {
                    return (null, names, NoTypes);
                }
            }
        }
    }

    private static readonly Dictionary<string, ArrowType> NoTypes = [];

    /// <summary>The database, which must be named and exist.</summary>
    public string RequireDatabase(string? database)
    {
        if (string.IsNullOrEmpty(database))
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument,
                "no database given: set the 'database' header (or 'bucket', 'bucket-name', 'iox-namespace-name'), or \"database\" in the ticket");
        }
        if (catalog.Current.FindDatabase(database) is null)
        {
            throw RpcErrors.Of(StatusCode.NotFound, $"database not found: {database}");
        }
        return database;
    }

    /// <summary>The database a Flight SQL call names in its headers, as InfluxDB 3 accepts them.</summary>
    public static string? DatabaseHeader(ServerCallContext call)
    {
        var headers = call.RequestHeaders;
        return headers.GetValue("database") ?? headers.GetValue("bucket") ?? headers.GetValue("bucket-name") ?? headers.GetValue("iox-namespace-name");
    }

    private static RpcException Invalid(QueryException ex) => RpcErrors.Of(StatusCode.InvalidArgument, ex.Message);
}
