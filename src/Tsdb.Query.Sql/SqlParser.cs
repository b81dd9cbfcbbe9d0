namespace Tsdb.Query.Sql;

/// <summary>Entry point of the SQL front end: text in, AST out.</summary>
public static class SqlParser
{
    /// <summary>Deepest nesting accepted (parentheses, subqueries, NOT/minus runs and operator chains).</summary>
    public const int MaxDepth = 200;

    /// <summary>Parses one statement (an optional trailing ';' is allowed).</summary>
    /// <exception cref="SqlParseException">The text is not a statement we accept; the message carries line and column.</exception>
    public static Statement Parse(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return new Parser(sql, Lexer.Tokenize(sql)).ParseSingleStatement();
    }

    /// <summary>Parses a statement that must be a query (SELECT, WITH … SELECT or UNION ALL).</summary>
    public static QueryStatement ParseQuery(string sql) =>
        Parse(sql) as QueryStatement
        ?? throw new SqlParseException("expected a query, found a statement that returns no rows", 0, 1, 1);

    /// <summary>Parses a single expression, e.g. a predicate given on its own.</summary>
    public static Expression ParseExpression(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return new Parser(sql, Lexer.Tokenize(sql)).ParseSingleExpression();
    }
}
