using System.Globalization;

namespace Tsdb.Query.Sql;

/// <summary>
/// Expressions, loosest binding first: OR, AND, NOT, comparison/IS/IN/BETWEEN/LIKE/regex, ||, + -, * / %,
/// AT TIME ZONE, unary minus, :: cast, primary. Binary levels are left-associative.
/// </summary>
internal sealed partial class Parser
{
    private Expression ParseExpression()
    {
        Enter();
        var e = ParseOr();
        Leave();
        return e;
    }

    // AND and OR chains are length, not nesting: Grafana's multi-value variables expand to "a OR b OR …" with
    // thousands of terms. The loops below do not recurse per link, and every later walk of the tree (printer,
    // binder) treats a chain iteratively, so the links do not count against the depth guard.
    private Expression ParseOr()
    {
        var left = ParseAnd();
        while (AcceptKeyword(Keyword.Or))
        {
            var right = ParseAnd();
            left = new BinaryExpression(BinaryOperator.Or, left, right, TextSpan.Cover(left.Span, right.Span));
        }

        return left;
    }

    private Expression ParseAnd()
    {
        var left = ParseNot();
        while (AcceptKeyword(Keyword.And))
        {
            var right = ParseNot();
            left = new BinaryExpression(BinaryOperator.And, left, right, TextSpan.Cover(left.Span, right.Span));
        }

        return left;
    }

    private Expression ParseNot()
    {
        if (!AtKeyword(Keyword.Not))
        {
            return ParseComparison();
        }

        var start = Advance().Start;
        Enter();
        var operand = ParseNot();
        Leave();
        return new UnaryExpression(UnaryOperator.Not, operand, SpanFrom(start));
    }

    private static BinaryOperator? ComparisonOperator(TokenKind kind) => kind switch
    {
        TokenKind.Equal => BinaryOperator.Equal,
        TokenKind.NotEqual => BinaryOperator.NotEqual,
        TokenKind.Less => BinaryOperator.Less,
        TokenKind.LessOrEqual => BinaryOperator.LessOrEqual,
        TokenKind.Greater => BinaryOperator.Greater,
        TokenKind.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
        TokenKind.RegexMatch => BinaryOperator.RegexMatch,
        TokenKind.RegexNotMatch => BinaryOperator.RegexNotMatch,
        TokenKind.RegexIMatch => BinaryOperator.RegexIMatch,
        TokenKind.RegexNotIMatch => BinaryOperator.RegexNotIMatch,
        _ => null,
    };

    private static bool IsPredicateKeyword(Token t) =>
        t.Kind == TokenKind.Identifier
        && t.Keyword is Keyword.In or Keyword.Between or Keyword.Like or Keyword.ILike;

    private Expression ParseComparison()
    {
        var start = Current.Start;
        var left = ParseConcat();
        var links = 0;
        while (true)
        {
            if (ComparisonOperator(Current.Kind) is { } op)
            {
                Advance();
                Enter();
                links++;
                var right = ParseConcat();
                left = new BinaryExpression(op, left, right, SpanFrom(start));
            }
            else if (AtKeyword(Keyword.Is))
            {
                Advance();
                Enter();
                links++;
                var negated = AcceptKeyword(Keyword.Not);
                ExpectKeyword(Keyword.Null);
                left = new IsNullExpression(left, negated, SpanFrom(start));
            }
            else if (IsPredicateKeyword(Current) || (AtKeyword(Keyword.Not) && IsPredicateKeyword(PeekToken(1))))
            {
                var negated = AcceptKeyword(Keyword.Not);
                Enter();
                links++;
                left = Advance().Keyword switch
                {
                    Keyword.In => ParseIn(left, negated, start),
                    Keyword.Between => ParseBetween(left, negated, start),
                    var k => new LikeExpression(left, ParseConcat(), k == Keyword.ILike, negated, SpanFrom(start)),
                };
            }
            else
            {
                Leave(links);
                return left;
            }
        }
    }

    private Expression ParseIn(Expression operand, bool negated, int start)
    {
        Expect(TokenKind.LeftParen, "'('");
        if (AtQueryStart)
        {
            var query = ParseQuery();
            Expect(TokenKind.RightParen, "')'");
            return new InSubqueryExpression(operand, query, negated, SpanFrom(start));
        }

        var values = ParseExpressionList();
        if (values is [ScalarSubquery first] && AtKeyword(Keyword.Union))
        {
            // "IN ((SELECT …) UNION ALL …)": what looked like a parenthesised subquery starts a union.
            var union = ParseQueryRest(first.Span.Start, [], first.Query, parenthesized: true);
            Expect(TokenKind.RightParen, "')'");
            return new InSubqueryExpression(operand, union, negated, SpanFrom(start));
        }

        Expect(TokenKind.RightParen, "')'");
        return new InListExpression(operand, values, negated, SpanFrom(start));
    }

    private BetweenExpression ParseBetween(Expression operand, bool negated, int start)
    {
        var low = ParseConcat();
        ExpectKeyword(Keyword.And);
        var high = ParseConcat();
        return new BetweenExpression(operand, low, high, negated, SpanFrom(start));
    }

    private Expression ParseConcat()
    {
        var left = ParseAdditive();
        var links = 0;
        while (Accept(TokenKind.Concat))
        {
            Enter();
            links++;
            var right = ParseAdditive();
            left = new BinaryExpression(BinaryOperator.Concat, left, right, TextSpan.Cover(left.Span, right.Span));
        }

        Leave(links);
        return left;
    }

    private Expression ParseAdditive()
    {
        var left = ParseMultiplicative();
        var links = 0;
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance().Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract;
            Enter();
            links++;
            var right = ParseMultiplicative();
            left = new BinaryExpression(op, left, right, TextSpan.Cover(left.Span, right.Span));
        }

        Leave(links);
        return left;
    }

    private Expression ParseMultiplicative()
    {
        var left = ParseAtTimeZone();
        var links = 0;
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance().Kind switch
            {
                TokenKind.Star => BinaryOperator.Multiply,
                TokenKind.Slash => BinaryOperator.Divide,
                _ => BinaryOperator.Modulo,
            };
            Enter();
            links++;
            var right = ParseAtTimeZone();
            left = new BinaryExpression(op, left, right, TextSpan.Cover(left.Span, right.Span));
        }

        Leave(links);
        return left;
    }

    /// <summary>
    /// <c>x AT TIME ZONE zone</c>, left-associative, where PostgreSQL's precedence table puts AT: looser than unary
    /// minus and <c>::</c>, tighter than <c>* / %</c>. So <c>t + i AT TIME ZONE 'z'</c> converts only i, and
    /// <c>s::timestamp AT TIME ZONE 'z'</c> converts the cast. The zone is read at the unary level, as PostgreSQL
    /// reads AT's right operand. The three words are matched together, so none is reserved: <c>time</c> and
    /// <c>zone</c> stay column names, <c>at</c> an alias.
    /// </summary>
    private Expression ParseAtTimeZone()
    {
        var start = Current.Start;
        var left = ParseUnary();
        var links = 0;
        while (IsWord(Current, "at") && IsWord(PeekToken(1), "time") && IsWord(PeekToken(2), "zone"))
        {
            Advance();
            Advance();
            Advance();
            Enter();
            links++;
            var zone = ParseUnary();
            left = new AtTimeZoneExpression(left, zone, SpanFrom(start));
        }

        Leave(links);
        return left;
    }

    private static bool IsWord(Token t, string word) => t.Kind == TokenKind.Identifier && t.Value == word;

    private Expression ParseUnary()
    {
        if (Current.Kind is not (TokenKind.Minus or TokenKind.Plus))
        {
            return ParseCast();
        }

        var t = Advance();
        Enter();
        var operand = ParseUnary();
        Leave();
        var op = t.Kind == TokenKind.Minus ? UnaryOperator.Negate : UnaryOperator.Plus;
        return new UnaryExpression(op, operand, SpanFrom(t.Start));
    }

    private Expression ParseCast()
    {
        var start = Current.Start;
        var e = ParsePrimary();
        var links = 0;
        while (At(TokenKind.DoubleColon) || At(TokenKind.LeftBracket))
        {
            Enter();
            links++;
            if (Accept(TokenKind.LeftBracket))
            {
                if (!At(TokenKind.String))
                {
                    Expect(TokenKind.String, "a field name in quotes");
                }
                var field = Advance().Value!;
                Expect(TokenKind.RightBracket, "']'");
                e = new FieldAccessExpression(e, field, SpanFrom(start));
                continue;
            }
            Advance();
            var type = ParseType();
            e = new CastExpression(e, type, CastSyntax.DoubleColon, SpanFrom(start));
        }

        Leave(links);
        return e;
    }

    private SqlType ParseType()
    {
        if (Current.Kind != TokenKind.Identifier)
        {
            throw Expected("a type name");
        }

        SqlType? type = Current.Value switch
        {
            "bigint" or "int" or "integer" or "int8" or "int4" or "smallint" => SqlType.BigInt,
            "double" or "float" or "float8" or "float4" or "real" => SqlType.Double,
            "varchar" or "text" or "string" or "char" => SqlType.Varchar,
            "boolean" or "bool" => SqlType.Boolean,
            "timestamp" => SqlType.Timestamp,
            _ => null,
        };
        if (type is null)
        {
            throw Expected("a type name");
        }

        var name = Advance().Value;
        if (name == "double" && Current.Kind == TokenKind.Identifier && Current.Value == "precision")
        {
            Advance();
        }

        if (type == SqlType.Varchar && At(TokenKind.LeftParen) && PeekToken(1).Kind == TokenKind.Integer)
        {
            // varchar(255): the length is accepted and ignored, strings are unbounded here.
            Advance();
            Advance();
            Expect(TokenKind.RightParen, "')'");
        }

        return type.Value;
    }

    private Expression ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Integer:
                Advance();
                if (long.TryParse(t.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                {
                    return new IntegerLiteral(integer, t.Span);
                }

                return new FloatLiteral(ParseDouble(t), t.Span);
            case TokenKind.Float:
                Advance();
                return new FloatLiteral(ParseDouble(t), t.Span);
            case TokenKind.String:
                Advance();
                return new StringLiteral(t.Value!, t.Span);
            case TokenKind.Parameter:
                Advance();
                return new ParameterExpression(t.Value!, t.Span);
            case TokenKind.LeftParen:
                return ParseParenthesized();
            case TokenKind.QuotedIdentifier:
                return ParseNameOrCall();
            case TokenKind.Identifier:
                break;
            default:
                throw Expected("an expression");
        }

        switch (t.Keyword)
        {
            case Keyword.True:
            case Keyword.False:
                Advance();
                return new BooleanLiteral(t.Keyword == Keyword.True, t.Span);
            case Keyword.Null:
                Advance();
                return new NullLiteral(t.Span);
            case Keyword.Case:
                return ParseCase();
            case Keyword.Cast:
                return ParseCastFunction();
            case Keyword.Interval:
                Advance();
                var text = Expect(TokenKind.String, "a string");
                return new IntervalLiteral(text.Value!, SpanFrom(t.Start));
            case Keyword.Exists:
                Advance();
                Expect(TokenKind.LeftParen, "'('");
                if (!AtQueryStart && !At(TokenKind.LeftParen))
                {
                    throw Expected("SELECT or WITH");
                }

                var query = ParseQuery();
                Expect(TokenKind.RightParen, "')'");
                return new ExistsExpression(query, SpanFrom(t.Start));
            case Keyword.Left or Keyword.Right when PeekToken(1).Kind == TokenKind.LeftParen:
                // left(s, n) and right(s, n) are functions (PostgreSQL, DataFusion), though the words are reserved for joins.
                Advance();
                return ParseCall(new Identifier(t.Value!, false, t.Span), t.Start);
            case Keyword.None when t.Value == "extract" && PeekToken(1).Kind == TokenKind.LeftParen:
                return ParseExtract();
            case Keyword.None when t.Value == "timestamp" && PeekToken(1).Kind == TokenKind.String:
                Advance();
                var literal = Advance();
                return new CastExpression(
                    new StringLiteral(literal.Value!, literal.Span), SqlType.Timestamp, CastSyntax.TypedLiteral, SpanFrom(t.Start));
            default:
                if (Keywords.IsReserved(t.Keyword))
                {
                    throw Expected("an expression");
                }

                return ParseNameOrCall();
        }
    }

    private static double ParseDouble(Token t)
    {
        var value = double.Parse(t.Value!, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(value))
        {
            throw ErrorAt(t, "numeric literal out of range");
        }

        return value;
    }

    private Expression ParseParenthesized()
    {
        var start = Advance().Start;
        if (AtQueryStart)
        {
            var query = ParseQuery();
            Expect(TokenKind.RightParen, "')'");
            return new ScalarSubquery(query, SpanFrom(start));
        }

        var inner = ParseExpression();
        if (inner is ScalarSubquery first && AtKeyword(Keyword.Union))
        {
            // "((SELECT …) UNION ALL …)": the inner parentheses were the first operand of a union.
            var union = ParseQueryRest(first.Span.Start, [], first.Query, parenthesized: true);
            Expect(TokenKind.RightParen, "')'");
            return new ScalarSubquery(union, SpanFrom(start));
        }

        Expect(TokenKind.RightParen, "')'");
        return inner;
    }

    private Expression ParseNameOrCall()
    {
        var start = Current.Start;
        var first = ParseIdentifier();
        if (At(TokenKind.LeftParen))
        {
            return ParseCall(first, start);
        }

        var parts = new List<Identifier> { first };
        while (Accept(TokenKind.Dot))
        {
            parts.Add(ParseIdentifier("a column name"));
        }

        return new ColumnReference(parts, SpanFrom(start));
    }

    private FunctionCall ParseCall(Identifier name, int start)
    {
        var call = ParseCallBody(name, start);
        if (!AtKeyword(Keyword.Over))
        {
            return call;
        }

        var over = ParseWindowSpec();
        return call with { Over = over, Span = SpanFrom(start) };
    }

    private FunctionCall ParseCallBody(Identifier name, int start)
    {
        Advance();
        if (Accept(TokenKind.Star))
        {
            Expect(TokenKind.RightParen, "')'");
            return new FunctionCall(name, [], false, true, [], SpanFrom(start), ParseFilter());
        }

        if (Accept(TokenKind.RightParen))
        {
            return new FunctionCall(name, [], false, false, [], SpanFrom(start));
        }

        var distinct = AcceptKeyword(Keyword.Distinct);
        if (!distinct)
        {
            AcceptKeyword(Keyword.All);
        }

        var args = ParseExpressionList();
        var orderBy = new List<OrderByItem>();
        if (AcceptKeyword(Keyword.Order))
        {
            ExpectKeyword(Keyword.By);
            orderBy = ParseOrderByList();
        }

        Expect(TokenKind.RightParen, "')'");
        return new FunctionCall(name, args, distinct, false, orderBy, SpanFrom(start), ParseFilter());
    }

    /// <summary><c>FILTER (WHERE condition)</c> after an aggregate call; "filter" stays usable as a name elsewhere.</summary>
    private Expression? ParseFilter()
    {
        if (!(At(TokenKind.Identifier) && Current.Value == "filter" && PeekToken(1).Kind == TokenKind.LeftParen && IsKeyword(PeekToken(2), Keyword.Where)))
        {
            return null;
        }
        Advance();
        Advance();
        Advance();
        var condition = ParseExpression();
        Expect(TokenKind.RightParen, "')'");
        return condition;
    }

    private CaseExpression ParseCase()
    {
        var start = Advance().Start;
        var operand = AtKeyword(Keyword.When) ? null : ParseExpression();
        var whens = new List<WhenClause>();
        do
        {
            var whenStart = ExpectKeyword(Keyword.When).Start;
            var condition = ParseExpression();
            ExpectKeyword(Keyword.Then);
            var result = ParseExpression();
            whens.Add(new WhenClause(condition, result, SpanFrom(whenStart)));
        }
        while (AtKeyword(Keyword.When));

        var otherwise = AcceptKeyword(Keyword.Else) ? ParseExpression() : null;
        ExpectKeyword(Keyword.End);
        return new CaseExpression(operand, whens, otherwise, SpanFrom(start));
    }

    /// <summary>
    /// <c>EXTRACT(field FROM e)</c>. "extract" is not reserved; followed by '(' it is always this syntax (there is no
    /// function of that name), so a mistake inside is reported as such ("expected FROM"). The field is a name or a
    /// string; which names are fields is the planner's business.
    /// </summary>
    private ExtractExpression ParseExtract()
    {
        var start = Advance().Start;
        Advance();
        Identifier field;
        if (At(TokenKind.String))
        {
            var text = Advance();
            field = new Identifier(text.Value!, true, text.Span);
        }
        else
        {
            field = ParseIdentifier("a field to extract (year, month, day, hour, …)");
        }

        ExpectKeyword(Keyword.From);
        var operand = ParseExpression();
        Expect(TokenKind.RightParen, "')'");
        return new ExtractExpression(field, operand, SpanFrom(start));
    }

    private CastExpression ParseCastFunction()
    {
        var start = Advance().Start;
        Expect(TokenKind.LeftParen, "'('");
        var operand = ParseExpression();
        ExpectKeyword(Keyword.As);
        var type = ParseType();
        Expect(TokenKind.RightParen, "')'");
        return new CastExpression(operand, type, CastSyntax.Function, SpanFrom(start));
    }
}
