namespace Tsdb.PromQL;

public sealed record PromQLEngineOptions
{
    /// <summary>How far back an instant selector looks for the latest sample (Prometheus: 5 m).</summary>
    public long LookbackDeltaMs { get; init; } = 5 * 60 * 1000;

    /// <summary>Most points a range query may return per series (Prometheus: 11,000).</summary>
    public int MaxPointsPerSeries { get; init; } = 11_000;

    /// <summary>Most samples a query may hold in memory at once (Prometheus: --query.max-samples, 50 M).</summary>
    public long MaxSamples { get; init; } = 50_000_000;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Step of a subquery written without one (<c>x[1h:]</c>): Prometheus uses the global evaluation interval, 1 m by default.</summary>
    public long DefaultSubqueryStepMs { get; init; } = 60_000;

    /// <summary>
    /// Admits what Prometheus keeps behind <c>--enable-feature=promql-experimental-functions</c>: limitk, limit_ratio,
    /// sort_by_label(_desc), mad_over_time, ts_of_*_over_time, double_exponential_smoothing, histogram_quantiles,
    /// min_of, max_of, start(), end(), step(), range(). Off, as in Prometheus: such a query is a parse error.
    /// </summary>
    public bool EnableExperimentalFunctions { get; init; }
}

/// <summary>
/// Evaluates PromQL over an <see cref="ISeriesSource"/>: instant queries at one time, range queries at
/// start, start+step, … end. This is the contract the HTTP API builds on; keep these signatures.
/// </summary>
public sealed class PromQLEngine(ISeriesSource source, PromQLEngineOptions? options = null)
{
    public PromQLEngineOptions Options { get; } = options ?? new PromQLEngineOptions();

    public ISeriesSource Source { get; } = source;

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/>. Throws <see cref="PromQLException"/>.</summary>
    public Task<PromQLResult> InstantQueryAsync(string query, long timeMs, CancellationToken cancellationToken) =>
        Engine.QueryRunner.RunAsync(this, query, timeMs, timeMs, 0, instant: true, cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> over [start, end] every <paramref name="stepMs"/>; always a matrix. Throws <see cref="PromQLException"/>.</summary>
    public Task<PromQLResult> RangeQueryAsync(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        Engine.QueryRunner.RunAsync(this, query, startMs, endMs, stepMs, instant: false, cancellationToken);

    /// <summary>Parses a series selector (the HTTP API's <c>match[]</c>) into its matchers. Throws <see cref="PromQLException"/> (bad_data).</summary>
    public static IReadOnlyList<LabelMatcher> ParseSelector(string selector) => Parsing.Parser.ParseSelector(selector).Matchers;

    /// <summary>
    /// What is wrong with the matcher regex <paramref name="pattern"/>, about the pattern as written (RE2's wording,
    /// an offset into it, nothing of the anchoring engines add: <c>missing closing ] at offset 3</c>), or null when valid.
    /// </summary>
    public static string? DescribeRegexError(string pattern) => Matchers.Describe(pattern);

    /// <summary>
    /// The label matchers of every vector selector in <paramref name="query"/> (inside range selectors and subqueries
    /// too), as Prometheus' <c>parser.ExtractSelectors</c>: what <c>/api/v1/query_exemplars</c> selects by. Throws
    /// <see cref="PromQLException"/> (bad_data) when the query does not parse.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<LabelMatcher>> ExtractSelectors(string query, bool experimentalFunctions = false) =>
        Ast.SelectorCollector.Collect(Parsing.Parser.ParseExpr(query, experimentalFunctions));

    /// <summary>Checks that <paramref name="query"/> parses; throws <see cref="PromQLException"/> (bad_data) with the position when not.</summary>
    public static void Validate(string query, bool experimentalFunctions = false) => _ = Parsing.Parser.ParseExpr(query, experimentalFunctions);

    /// <summary>
    /// <paramref name="query"/> formatted as Prometheus' <c>/api/v1/format_query</c> formats it (its parser's
    /// <c>Pretty</c> form: normalised, one line when it fits in 100 characters, else split with two-space indents).
    /// </summary>
    public static string Format(string query, bool experimentalFunctions = false) => Ast.ExprPrinter.Pretty(Parsing.Parser.ParseExpr(query, experimentalFunctions));
}
