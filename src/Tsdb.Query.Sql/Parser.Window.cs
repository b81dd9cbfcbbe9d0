namespace Tsdb.Query.Sql;

/// <summary>The OVER clause of a window function call: <c>OVER ([PARTITION BY …] [ORDER BY …] [frame])</c>.</summary>
internal sealed partial class Parser
{
    private WindowSpec ParseWindowSpec()
    {
        var start = ExpectKeyword(Keyword.Over).Start;
        Expect(TokenKind.LeftParen, "'(' (named windows are not supported)");
        Enter();
        var partitionBy = new List<Expression>();
        if (AcceptKeyword(Keyword.Partition))
        {
            ExpectKeyword(Keyword.By);
            partitionBy = ParseExpressionList();
        }

        var orderBy = new List<OrderByItem>();
        if (AcceptKeyword(Keyword.Order))
        {
            ExpectKeyword(Keyword.By);
            orderBy = ParseOrderByList();
        }

        WindowFrame? frame = null;
        if (AtKeyword(Keyword.Rows) || AtKeyword(Keyword.Range) || AtKeyword(Keyword.Groups))
        {
            frame = ParseWindowFrame();
        }

        if (!At(TokenKind.RightParen))
        {
            throw Expected(frame is not null ? "')'" : orderBy.Count > 0 ? "ROWS, RANGE or ')'" : "PARTITION BY, ORDER BY, ROWS, RANGE or ')'");
        }

        Advance();
        Leave();
        return new WindowSpec(partitionBy, orderBy, frame, SpanFrom(start));
    }

    private WindowFrame ParseWindowFrame()
    {
        var start = Current.Start;
        var units = Advance().Keyword switch
        {
            Keyword.Rows => WindowFrameUnits.Rows,
            Keyword.Range => WindowFrameUnits.Range,
            _ => WindowFrameUnits.Groups,
        };
        WindowFrameBound first;
        WindowFrameBound last;
        if (AcceptKeyword(Keyword.Between))
        {
            var startToken = Current;
            first = ParseFrameBound();
            if (first.Kind == WindowFrameBoundKind.UnboundedFollowing)
            {
                throw ErrorAt(startToken, "a window frame cannot start at UNBOUNDED FOLLOWING");
            }

            ExpectKeyword(Keyword.And);
            var endToken = Current;
            last = ParseFrameBound();
            if (last.Kind == WindowFrameBoundKind.UnboundedPreceding)
            {
                throw ErrorAt(endToken, "a window frame cannot end at UNBOUNDED PRECEDING");
            }
            if (last.Kind < first.Kind)
            {
                throw ErrorAt(endToken, "a window frame cannot end before it starts");
            }
        }
        else
        {
            // The short form "ROWS n PRECEDING" ends at the current row.
            var startToken = Current;
            first = ParseFrameBound();
            if (first.Kind is WindowFrameBoundKind.Following or WindowFrameBoundKind.UnboundedFollowing)
            {
                throw ErrorAt(startToken, "a window frame without BETWEEN must start at or before the current row");
            }
            last = new WindowFrameBound(WindowFrameBoundKind.CurrentRow, null, first.Span);
        }

        return new WindowFrame(units, first, last, SpanFrom(start));
    }

    private WindowFrameBound ParseFrameBound()
    {
        var start = Current.Start;
        if (AcceptKeyword(Keyword.Unbounded))
        {
            if (AcceptKeyword(Keyword.Preceding))
            {
                return new WindowFrameBound(WindowFrameBoundKind.UnboundedPreceding, null, SpanFrom(start));
            }

            if (AcceptKeyword(Keyword.Following))
            {
                return new WindowFrameBound(WindowFrameBoundKind.UnboundedFollowing, null, SpanFrom(start));
            }

            throw Expected("PRECEDING or FOLLOWING");
        }

        if (AtKeyword(Keyword.Current) && IsKeyword(PeekToken(1), Keyword.Row))
        {
            Advance();
            Advance();
            return new WindowFrameBound(WindowFrameBoundKind.CurrentRow, null, SpanFrom(start));
        }

        var offset = ParseConcat();
        if (AcceptKeyword(Keyword.Preceding))
        {
            return new WindowFrameBound(WindowFrameBoundKind.Preceding, offset, SpanFrom(start));
        }

        if (AcceptKeyword(Keyword.Following))
        {
            return new WindowFrameBound(WindowFrameBoundKind.Following, offset, SpanFrom(start));
        }

        throw Expected("PRECEDING or FOLLOWING");
    }
}
