namespace Tsdb.Query.Sql;

internal sealed partial class Parser
{
    public Statement ParseSingleStatement()
    {
        var statement = ParseStatement();
        Accept(TokenKind.Semicolon);
        if (!At(TokenKind.EndOfInput))
        {
            throw Expected("end of input");
        }

        return statement;
    }

    public Expression ParseSingleExpression()
    {
        var expression = ParseExpression();
        if (!At(TokenKind.EndOfInput))
        {
            throw Expected("end of input");
        }

        return expression;
    }

    private Statement ParseStatement()
    {
        var start = Current.Start;
        if (AtKeyword(Keyword.Explain))
        {
            Advance();
            var analyze = AcceptKeyword(Keyword.Analyze);
            var verbose = AcceptKeyword(Keyword.Verbose);
            var inner = ParseStatement();
            return new ExplainStatement(analyze, verbose, inner, SpanFrom(start));
        }

        if (AtKeyword(Keyword.Show))
        {
            Advance();
            if (AcceptKeyword(Keyword.Tables))
            {
                return new ShowTablesStatement(SpanFrom(start));
            }

            if (AcceptKeyword(Keyword.Columns))
            {
                if (!AcceptKeyword(Keyword.From) && !AcceptKeyword(Keyword.In))
                {
                    throw Expected("FROM");
                }

                var table = ParseObjectName("a table name");
                return new ShowColumnsStatement(table, SpanFrom(start));
            }

            throw Expected("TABLES or COLUMNS");
        }

        if (AtKeyword(Keyword.Select) || AtKeyword(Keyword.With) || At(TokenKind.LeftParen))
        {
            return ParseQuery();
        }

        if (AtKeyword(Keyword.Delete))
        {
            // DELETE FROM table [WHERE condition]
            Advance();
            ExpectKeyword(Keyword.From);
            var table = ParseObjectName("a table name");
            var where = AcceptKeyword(Keyword.Where) ? ParseExpression() : null;
            return new DeleteStatement(table, where, SpanFrom(start));
        }

        throw Expected("SELECT, WITH, SHOW, EXPLAIN or DELETE");
    }

    private bool AtQueryStart => AtKeyword(Keyword.Select) || AtKeyword(Keyword.With);

    /// <summary>[WITH …] operand [UNION ALL operand]* [ORDER BY …] [LIMIT …] [OFFSET …].</summary>
    private QueryStatement ParseQuery()
    {
        Enter();
        var start = Current.Start;
        var with = ParseWith();
        var (first, parenthesized) = ParseQueryOperand();
        var result = ParseQueryRest(start, with, first, parenthesized);
        Leave();
        return result;
    }

    /// <summary>
    /// What may follow a query's first operand: more UNION ALL operands, then ORDER BY, LIMIT and OFFSET (not after
    /// a lone parenthesised operand, which is complete).
    /// </summary>
    private QueryStatement ParseQueryRest(int start, List<CommonTableExpression> with, QueryStatement first, bool parenthesized)
    {
        List<QueryStatement>? inputs = null;
        while (AcceptKeyword(Keyword.Union))
        {
            ExpectKeyword(Keyword.All);
            inputs ??= [first];
            inputs.Add(ParseQueryOperand().Query);
        }

        QueryStatement result;
        if (inputs is null && parenthesized)
        {
            // "(SELECT …)" on its own: the parentheses add nothing, but a WITH in front still belongs to it.
            result = (with.Count, first) switch
            {
                (0, _) => first,
                (_, SelectStatement { With.Count: 0 } s) => s with { With = with, Span = SpanFrom(start) },
                (_, UnionAllStatement { With.Count: 0 } u) => u with { With = with, Span = SpanFrom(start) },
                _ => throw ErrorAt(Current, "a query cannot have two WITH clauses"),
            };
        }
        else
        {
            var (orderBy, limit, offset) = ParseOrderLimitOffset();
            result = inputs is null
                ? ((SelectStatement)first) with
                {
                    With = with,
                    OrderBy = orderBy,
                    Limit = limit,
                    Offset = offset,
                    Span = SpanFrom(start),
                }
                : new UnionAllStatement(with, inputs, orderBy, limit, offset, SpanFrom(start));
        }

        return result;
    }

    private (QueryStatement Query, bool Parenthesized) ParseQueryOperand()
    {
        if (Accept(TokenKind.LeftParen))
        {
            var inner = ParseQuery();
            Expect(TokenKind.RightParen, "')'");
            return (inner, true);
        }

        return (ParseSelectCore(), false);
    }

    private List<CommonTableExpression> ParseWith()
    {
        var ctes = new List<CommonTableExpression>();
        if (!AcceptKeyword(Keyword.With))
        {
            return ctes;
        }

        do
        {
            var start = Current.Start;
            var name = ParseIdentifier("a name for the WITH query");
            var columns = new List<Identifier>();
            if (Accept(TokenKind.LeftParen))
            {
                do
                {
                    columns.Add(ParseIdentifier("a column name"));
                }
                while (Accept(TokenKind.Comma));

                Expect(TokenKind.RightParen, "')'");
            }

            ExpectKeyword(Keyword.As);
            Expect(TokenKind.LeftParen, "'('");
            var query = ParseQuery();
            Expect(TokenKind.RightParen, "')'");
            ctes.Add(new CommonTableExpression(name, columns, query, SpanFrom(start)));
        }
        while (Accept(TokenKind.Comma));

        return ctes;
    }

    /// <summary>SELECT … up to HAVING; WITH, ORDER BY, LIMIT and OFFSET are added by <see cref="ParseQuery"/>.</summary>
    private SelectStatement ParseSelectCore()
    {
        var start = Current.Start;
        ExpectKeyword(Keyword.Select);
        var distinct = false;
        List<Expression>? distinctOn = null;
        if (AcceptKeyword(Keyword.Distinct))
        {
            if (AcceptKeyword(Keyword.On))
            {
                Expect(TokenKind.LeftParen, "'('");
                distinctOn = ParseExpressionList();
                Expect(TokenKind.RightParen, "')'");
            }
            else
            {
                distinct = true;
            }
        }
        else
        {
            AcceptKeyword(Keyword.All);
        }

        var projection = new List<SelectItem>();
        do
        {
            projection.Add(ParseSelectItem());
        }
        while (Accept(TokenKind.Comma));

        var from = AcceptKeyword(Keyword.From) ? ParseFrom() : null;
        var where = AcceptKeyword(Keyword.Where) ? ParseExpression() : null;
        var groupBy = new List<Expression>();
        if (AcceptKeyword(Keyword.Group))
        {
            ExpectKeyword(Keyword.By);
            groupBy = ParseExpressionList();
        }

        var having = AcceptKeyword(Keyword.Having) ? ParseExpression() : null;
        return new SelectStatement([], distinct, distinctOn, projection, from, where, groupBy, having, [], null, null, SpanFrom(start));
    }

    private SelectItem ParseSelectItem()
    {
        var start = Current.Start;
        if (Accept(TokenKind.Star))
        {
            return new WildcardSelectItem(null, SpanFrom(start));
        }

        if (AtQualifiedWildcard())
        {
            var parts = new List<Identifier> { ParseIdentifier() };
            while (Accept(TokenKind.Dot) && !At(TokenKind.Star))
            {
                parts.Add(ParseIdentifier());
            }

            var qualifier = new ObjectName(parts, new TextSpan(start, PreviousEnd - 1 - start));
            Expect(TokenKind.Star, "'*'");
            return new WildcardSelectItem(qualifier, SpanFrom(start));
        }

        var expression = ParseExpression();
        var alias = ParseOptionalAlias();
        return new ExpressionSelectItem(expression, alias, SpanFrom(start));
    }

    /// <summary>Looks ahead for name(.name)*.* without consuming anything.</summary>
    private bool AtQualifiedWildcard()
    {
        var i = 0;
        while (true)
        {
            var t = PeekToken(i);
            var isName = t.Kind == TokenKind.QuotedIdentifier
                || (t.Kind == TokenKind.Identifier && !Keywords.IsReserved(t.Keyword));
            if (!isName || PeekToken(i + 1).Kind != TokenKind.Dot)
            {
                return false;
            }

            if (PeekToken(i + 2).Kind == TokenKind.Star)
            {
                return true;
            }

            i += 2;
        }
    }

    private TableSource ParseFrom()
    {
        var start = Current.Start;
        var left = ParseTableFactor();
        var joins = 0;
        while (true)
        {
            JoinKind kind;
            if (Accept(TokenKind.Comma))
            {
                kind = JoinKind.Cross;
            }
            else if (AcceptKeyword(Keyword.Join))
            {
                kind = JoinKind.Inner;
            }
            else if (AcceptKeyword(Keyword.Inner))
            {
                ExpectKeyword(Keyword.Join);
                kind = JoinKind.Inner;
            }
            else if (AcceptKeyword(Keyword.Cross))
            {
                ExpectKeyword(Keyword.Join);
                kind = JoinKind.Cross;
            }
            else if (AtKeyword(Keyword.Left) || AtKeyword(Keyword.Right) || AtKeyword(Keyword.Full))
            {
                kind = Advance().Keyword switch
                {
                    Keyword.Left => JoinKind.Left,
                    Keyword.Right => JoinKind.Right,
                    _ => JoinKind.Full,
                };
                AcceptKeyword(Keyword.Outer);
                ExpectKeyword(Keyword.Join);
            }
            else
            {
                Leave(joins);
                return left;
            }

            // A long run of joins nests the tree as deeply as a chain of operators does.
            Enter();
            joins++;
            var right = ParseTableFactor();
            Expression? on = null;
            if (kind != JoinKind.Cross)
            {
                ExpectKeyword(Keyword.On);
                on = ParseExpression();
            }

            left = new JoinTableSource(kind, left, right, on, SpanFrom(start));
        }
    }

    private TableSource ParseTableFactor()
    {
        var start = Current.Start;
        if (Accept(TokenKind.LeftParen))
        {
            if (!AtQueryStart && !At(TokenKind.LeftParen))
            {
                throw Expected("SELECT or WITH");
            }

            var query = ParseQuery();
            Expect(TokenKind.RightParen, "')'");
            var alias = ParseOptionalAlias();
            return new SubqueryTableSource(query, alias, SpanFrom(start));
        }

        var name = ParseObjectName("a table name");
        var tableAlias = ParseOptionalAlias();
        return new NamedTableSource(name, tableAlias, SpanFrom(start));
    }

    private (List<OrderByItem> OrderBy, Expression? Limit, Expression? Offset) ParseOrderLimitOffset()
    {
        var orderBy = new List<OrderByItem>();
        if (AcceptKeyword(Keyword.Order))
        {
            ExpectKeyword(Keyword.By);
            orderBy = ParseOrderByList();
        }

        Expression? limit = null, offset = null;
        // PostgreSQL takes LIMIT and OFFSET in either order.
        for (var i = 0; i < 2; i++)
        {
            if (limit is null && AcceptKeyword(Keyword.Limit))
            {
                limit = ParseExpression();
            }
            else if (offset is null && AcceptKeyword(Keyword.Offset))
            {
                offset = ParseExpression();
            }
        }

        return (orderBy, limit, offset);
    }

    private List<OrderByItem> ParseOrderByList()
    {
        var items = new List<OrderByItem>();
        do
        {
            var start = Current.Start;
            var expression = ParseExpression();
            var descending = false;
            if (AcceptKeyword(Keyword.Desc))
            {
                descending = true;
            }
            else
            {
                AcceptKeyword(Keyword.Asc);
            }

            bool? nullsFirst = null;
            if (AcceptKeyword(Keyword.Nulls))
            {
                if (AcceptKeyword(Keyword.First))
                {
                    nullsFirst = true;
                }
                else if (AcceptKeyword(Keyword.Last))
                {
                    nullsFirst = false;
                }
                else
                {
                    throw Expected("FIRST or LAST");
                }
            }

            items.Add(new OrderByItem(expression, descending, nullsFirst, SpanFrom(start)));
        }
        while (Accept(TokenKind.Comma));

        return items;
    }

    private List<Expression> ParseExpressionList()
    {
        var list = new List<Expression>();
        do
        {
            list.Add(ParseExpression());
        }
        while (Accept(TokenKind.Comma));

        return list;
    }
}
