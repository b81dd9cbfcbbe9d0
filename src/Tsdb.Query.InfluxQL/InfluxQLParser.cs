using Tsdb.Query.InfluxQL.Ast;
using Tsdb.Query.InfluxQL.Parsing;

namespace Tsdb.Query.InfluxQL;

/// <summary>
/// Entry point of the InfluxQL front end: text in, statement trees out. Accepts what InfluxDB 1.x's parser accepts
/// (statements InfluxDB 3 does not run come back as <see cref="UnsupportedStatement"/>) and refuses the rest with
/// 1.x's wording, always as <see cref="InfluxQLParseException"/>. Nesting (parentheses, calls, subqueries, and
/// operator chains other than AND/OR) is limited to 200 levels; AND/OR chains are unbounded and left-deep, so walk
/// them iteratively.
/// </summary>
public static class InfluxQLParser
{
    /// <summary>Several statements separated by ';' (a trailing ';' and an empty query are allowed: zero statements).</summary>
    /// <exception cref="InfluxQLParseException">The text is not a query 1.x would parse.</exception>
    public static IReadOnlyList<Statement> ParseQuery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(text).ParseQuery();
    }

    /// <summary>Exactly one statement (a trailing ';' is allowed).</summary>
    /// <exception cref="InfluxQLParseException">The text is not exactly one statement 1.x would parse.</exception>
    public static Statement ParseStatement(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(text).ParseSingleStatement();
    }

    /// <summary>One expression, e.g. a WHERE condition on its own.</summary>
    /// <exception cref="InfluxQLParseException">The text is not one expression.</exception>
    public static InfluxQLExpr ParseExpression(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(text).ParseSingleExpression();
    }
}
