using Tsdb.Query.InfluxQL.Ast;
using Tsdb.Query.InfluxQL.Planning;

namespace Tsdb.Query.InfluxQL;

/// <summary>
/// The InfluxQL front end: parse a query's statements, plan each into the engine's logical plans and run it on the
/// <see cref="QueryExecutor"/> (its slots, memory limit, query log and EXPLAIN). The answer of each statement is a
/// stream of rows shaped as InfluxDB series (<see cref="InfluxQLShape"/>); the HTTP and Flight layers write them in
/// their formats.
/// </summary>
public sealed class InfluxQLEngine(QueryExecutor executor)
{
    public QueryExecutor Executor { get; } = executor;

    /// <summary>
    /// The statements of <paramref name="query"/>. A syntax error throws <see cref="InfluxQLParseException"/>, worded
    /// as InfluxDB 1.x words it ("found X, expected Y at line 1, char 8").
    /// </summary>
    public static IReadOnlyList<Statement> Parse(string query) => InfluxQLParser.ParseQuery(query);

    /// <summary>
    /// Runs one statement of <paramref name="text"/> (the whole query text, for the query log). Throws
    /// <see cref="QueryException"/> when the statement cannot be answered and <see cref="QueryLimitException"/> when
    /// a limit is reached. <paramref name="mayRead"/> is the caller's read permission: SHOW DATABASES lists only the
    /// databases it allows (null: every database).
    /// </summary>
    public async Task<InfluxQLStream> ExecuteAsync(string database, Statement statement, string text, IReadOnlyDictionary<string, object?>? parameters, Func<string, bool>? mayRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var mode = statement is ExplainStatement e
            ? e.Analyze ? ExplainMode.Analyze : e.Verbose ? ExplainMode.ExplainVerbose : ExplainMode.Explain
            : ExplainMode.None;
        InfluxQLShape? shape = null;
        var stream = await Executor.ExecuteAsync(database, text, "influxql", now =>
        {
            var (plan, s) = new InfluxQLPlanner(Executor.Source, database, now, parameters, mayRead).Plan(statement);
            shape = s;
            return plan;
        }, mode, cancellationToken).ConfigureAwait(false);
        return new InfluxQLStream(stream, mode == ExplainMode.None ? shape! : InfluxQLShape.Table);
    }

    /// <summary>One statement's plan without running it (tests and EXPLAIN-like tools).</summary>
    public (Tsdb.Query.Plans.LogicalPlan Plan, InfluxQLShape Shape) Plan(string database, Statement statement, IReadOnlyDictionary<string, object?>? parameters, Func<string, bool>? mayRead = null)
    {
        var (plan, shape) = new InfluxQLPlanner(Executor.Source, database, Executor.Now(), parameters, mayRead).Plan(statement);
        return (QueryExecutor.Optimize(plan), shape);
    }
}
