using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Sql;

/// <summary>
/// The SQL front end: parse, plan (names, types and functions bound once) and run on the <see cref="QueryExecutor"/>.
/// EXPLAIN [VERBOSE] shows the logical and physical plans; EXPLAIN ANALYZE runs the statement and shows what each
/// operator did.
/// </summary>
public sealed class SqlEngine(QueryExecutor executor)
{
    public QueryExecutor Executor { get; } = executor;

    public QueryEngineOptions Options => Executor.Options;

    public QueryLog Log => Executor.Log;

    public Task<QueryResult> ExecuteAsync(string database, string sql, CancellationToken cancellationToken) =>
        ExecuteAsync(database, sql, null, cancellationToken);

    /// <summary>The whole answer in memory (small answers; writers that need every row first).</summary>
    public async Task<QueryResult> ExecuteAsync(string database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        await using var stream = await ExecuteStreamAsync(database, sql, parameters, cancellationToken).ConfigureAwait(false);
        var batches = new List<RecordBatch>();
        await foreach (var b in stream.ReadAllAsync().ConfigureAwait(false))
        {
            batches.Add(b);
        }
        var schema = batches.Count > 0 ? batches[0].Schema : stream.Schema;
        return new QueryResult(schema, batches);
    }

    /// <summary>
    /// Answers <paramref name="sql"/>, its <c>$name</c> parameters bound from <paramref name="parameters"/> (string,
    /// long, double, bool or null). Throws <see cref="QueryException"/> for a statement it cannot answer (with its
    /// position) and <see cref="QueryLimitException"/> when a limit is reached.
    /// </summary>
    public Task<QueryStream> ExecuteStreamAsync(string database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statement = Parse(sql);
        if (statement is DeleteStatement or ExplainStatement { Statement: DeleteStatement })
        {
            throw new QueryException("DELETE runs through the HTTP API (/api/v3/query_sql) with a token that may delete, not as a query", 1, 1);
        }
        var mode = ExplainMode.None;
        if (statement is ExplainStatement explain)
        {
            mode = explain.Analyze ? ExplainMode.Analyze : explain.Verbose ? ExplainMode.ExplainVerbose : ExplainMode.Explain;
            statement = explain.Statement;
        }
        return Executor.ExecuteAsync(database, sql, "sql", now => Planner(database, sql, parameters, now).PlanStatement(statement), mode, cancellationToken);
    }

    /// <summary>Whether the text is a DELETE statement (false when it does not parse: running it reports the error).</summary>
    public static bool IsDelete(string sql)
    {
        try
        {
            return SqlParser.Parse(sql) is DeleteStatement;
        }
        catch (SqlParseException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <c>DELETE FROM table WHERE …</c> through <paramref name="deleter"/>; answers one row naming the table and
    /// the rows the delete removes. The caller has checked the right to delete.
    /// </summary>
    public async Task<QueryResult> DeleteAsync(string database, string sql, IRowDeleter deleter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleter);
        if (Parse(sql) is not DeleteStatement statement)
        {
            throw new QueryException("not a DELETE statement", 1, 1);
        }
        var table = statement.Table.Parts[^1].Value;
        var schema = Executor.Source.GetSchema(database, table)
            ?? throw new QueryException($"table '{table}' not found in database '{database}'", 1, statement.Table.Span.Start + 1);
        var predicate = new DeletePlanner(sql, schema).Plan(statement);
        await deleter.DeleteAsync(database, table, predicate, cancellationToken).ConfigureAwait(false);
        var resultSchema = new Schema([new Field("table", ArrowType.Utf8), new Field("deleted", ArrowType.Utf8)]);
        return new QueryResult(resultSchema, [new RecordBatch(resultSchema, [Columns.FromStrings([table]), Columns.FromStrings([predicate.ToString(TimeText.FormatTimestamp)])], 1)]);
    }

    /// <summary>The statement's optimised plan without running it (GetFlightInfo answers its schema from this).</summary>
    public LogicalPlan Plan(string database, string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        var statement = Parse(sql);
        if (statement is ExplainStatement)
        {
            return new ValuesPlan(new Schema([new Field("plan_type", ArrowType.Utf8), new Field("plan", ArrowType.Utf8)]), [], "EXPLAIN");
        }
        return QueryExecutor.Optimize(Planner(database, sql, parameters, Executor.Now()).PlanStatement(statement));
    }

    /// <summary>
    /// As <see cref="Plan"/>, with the types the plan gives its parameters (those it does not constrain are absent): a
    /// prepared statement's parameter schema.
    /// </summary>
    public (LogicalPlan Plan, IReadOnlyDictionary<string, ArrowType> ParameterTypes) PlanWithParameterTypes(string database, string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        var statement = Parse(sql);
        if (statement is ExplainStatement)
        {
            return (Plan(database, sql, parameters), new Dictionary<string, ArrowType>());
        }
        var planner = Planner(database, sql, parameters, Executor.Now());
        var plan = QueryExecutor.Optimize(planner.PlanStatement(statement));
        return (plan, planner.ParameterTypes);
    }

    private SqlPlanner Planner(string database, string sql, IReadOnlyDictionary<string, object?>? parameters, long now) =>
        new(Executor.Source, Executor.Views, database, sql, parameters, now);

    private static Statement Parse(string sql)
    {
        try
        {
            return SqlParser.Parse(sql);
        }
        catch (SqlParseException ex)
        {
            throw new QueryException(ex.Detail, ex.Line, ex.Column);
        }
    }
}
