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

    /// <summary>
    /// Every identifier in <paramref name="sql"/> (unquoted ones lower-cased, as the parser reads them), and whether a
    /// <c>*</c> may stand for all columns somewhere (a star after SELECT, DISTINCT, ALL, a comma, a dot or a closing
    /// parenthesis; <c>count(*)</c> does not count). The engine reads only the columns a query names; a superset is
    /// harmless: a name that turns out to be an alias or a function, or a star that is a multiplication, costs reads.
    /// </summary>
    public static (IReadOnlySet<string> Identifiers, bool Wildcard) NamesUsed(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var wildcard = false;
        var tokens = Lexer.Tokenize(sql);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier && token.Value is { } value)
            {
                names.Add(value);
            }
            else if (token.Kind == TokenKind.Star && i > 0)
            {
                var before = tokens[i - 1];
                wildcard |= before.Kind is TokenKind.Comma or TokenKind.Dot or TokenKind.RightParen
                    || before.Keyword is Keyword.Select or Keyword.Distinct or Keyword.All;
            }
        }
        return (names, wildcard);
    }

    /// <summary>
    /// Every <c>$name</c> placeholder of <paramref name="sql"/> in text order, a name as often as it appears (a
    /// <c>$</c> inside a string literal or quoted identifier is not one). Flight SQL reports the distinct names as a
    /// prepared statement's parameter schema, known before any value is bound; the positions tell whether a planning
    /// error is about a placeholder.
    /// </summary>
    public static IReadOnlyList<SqlParameterUse> ParametersUsed(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var uses = new List<SqlParameterUse>();
        foreach (var token in Lexer.Tokenize(sql))
        {
            if (token.Kind == TokenKind.Parameter && token.Value is { } name)
            {
                uses.Add(new SqlParameterUse(name, token.Line, token.Column));
            }
        }
        return uses;
    }
}
