using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Parsing;

internal sealed partial class Parser
{
    private Expr ParseBinary(int minPrecedence)
    {
        Enter(Current.Position);
        var lhs = ParseUnary();
        while (TryBinaryOp(Current.Kind, out var op) && op.Precedence() >= minPrecedence)
        {
            var opToken = Next();
            var returnBool = false;
            if (Current.Kind == TokenKind.Bool)
            {
                if (!op.IsComparison())
                {
                    throw Error(Current.Position, "bool modifier can only be used on comparison operators");
                }
                Next();
                returnBool = true;
            }
            var matching = ParseVectorMatching(op);
            // ^ is right-associative; the rest are left-associative.
            var rhs = ParseBinary(op == BinaryOp.Pow ? op.Precedence() : op.Precedence() + 1);
            lhs = MakeBinary(opToken, op, lhs, rhs, returnBool, matching);
        }
        _depth--;
        return lhs;
    }

    private VectorMatching? ParseVectorMatching(BinaryOp op)
    {
        if (Current.Kind is not (TokenKind.On or TokenKind.Ignoring or TokenKind.GroupLeft or TokenKind.GroupRight))
        {
            return op.IsSetOperator() ? new VectorMatching(MatchCardinality.ManyToMany, [], false, []) : null;
        }
        var on = false;
        IReadOnlyList<string> labels = [];
        if (Current.Kind is TokenKind.On or TokenKind.Ignoring)
        {
            on = Next().Kind == TokenKind.On;
            labels = ParseLabelList();
        }
        var cardinality = op.IsSetOperator() ? MatchCardinality.ManyToMany : MatchCardinality.OneToOne;
        IReadOnlyList<string> include = [];
        if (Current.Kind is TokenKind.GroupLeft or TokenKind.GroupRight)
        {
            var group = Next();
            if (op.IsSetOperator())
            {
                throw Error(group.Position, $"no grouping allowed for \"{op.Text()}\" operation");
            }
            cardinality = group.Kind == TokenKind.GroupLeft ? MatchCardinality.ManyToOne : MatchCardinality.OneToMany;
            if (Current.Kind == TokenKind.LeftParen)
            {
                include = ParseLabelList();
            }
            if (on)
            {
                foreach (var label in include)
                {
                    if (labels.Contains(label))
                    {
                        throw Error(group.Position, $"label \"{label}\" must not occur in ON and GROUP clause at once");
                    }
                }
            }
        }
        return new VectorMatching(cardinality, labels, on, include);
    }

    private BinaryExpr MakeBinary(Token opToken, BinaryOp op, Expr lhs, Expr rhs, bool returnBool, VectorMatching? matching)
    {
        foreach (var side in new[] { lhs, rhs })
        {
            if (side.Type is not (ExprType.Scalar or ExprType.Vector))
            {
                throw Error(side.Position, "binary expression must contain only scalar and instant vector types");
            }
        }
        var bothScalar = lhs.Type == ExprType.Scalar && rhs.Type == ExprType.Scalar;
        if (op.IsComparison() && bothScalar && !returnBool)
        {
            throw Error(opToken.Position, "comparisons between scalars must use BOOL modifier");
        }
        if (op.IsSetOperator() && (lhs.Type == ExprType.Scalar || rhs.Type == ExprType.Scalar))
        {
            throw Error(lhs.Position, $"set operator \"{op.Text()}\" not allowed in binary scalar expression");
        }
        if (matching is not null && (lhs.Type == ExprType.Scalar || rhs.Type == ExprType.Scalar)
            && (matching.MatchingLabels.Count > 0 || matching.On || matching.Cardinality != MatchCardinality.OneToOne) && !op.IsSetOperator())
        {
            throw Error(opToken.Position, "vector matching only allowed between instant vectors");
        }
        if (matching is null && lhs.Type == ExprType.Vector && rhs.Type == ExprType.Vector)
        {
            matching = new VectorMatching(MatchCardinality.OneToOne, [], false, []);
        }
        return new BinaryExpr(lhs.Position, op, lhs, rhs, returnBool, matching);
    }

    private Expr ParseUnary()
    {
        var token = Current;
        if (token.Kind is TokenKind.Add or TokenKind.Sub)
        {
            Next();
            Enter(token.Position);
            // Unary minus binds looser than ^ and tighter than * (-2^2 = -4).
            var operand = ParseBinary(BinaryOp.Pow.Precedence());
            _depth--;
            if (operand.Type is not (ExprType.Scalar or ExprType.Vector))
            {
                throw Error(token.Position, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{operand.Type.Describe()}\"");
            }
            if (token.Kind == TokenKind.Add)
            {
                return operand;
            }
            return operand is NumberLiteral number ? new NumberLiteral(token.Position, -number.Value) : new UnaryExpr(token.Position, operand);
        }
        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Next();
                return new NumberLiteral(token.Position, ParseNumber(token.Text));
            case TokenKind.Duration:
                // Prometheus 3 accepts a duration where a number is expected: its value in seconds.
                Next();
                if (!TryParseDuration(token.Text, out var ms))
                {
                    throw Error(token.Position, $"invalid duration {Lexer.Quote(token.Text)}: out of range");
                }
                return new NumberLiteral(token.Position, ms / 1000.0);
            case TokenKind.String:
                Next();
                return new StringLiteral(token.Position, token.Text);
            case TokenKind.LeftParen:
                {
                    Next();
                    Enter(token.Position);
                    var inner = ParseBinary(0);
                    _depth--;
                    Expect(TokenKind.RightParen, "expected \")\"");
                    return new ParenExpr(token.Position, inner);
                }
            case TokenKind.LeftBrace:
                return ParseVectorSelector();
            case TokenKind.Identifier or TokenKind.MetricIdentifier:
                if (PeekAt(1).Kind == TokenKind.LeftParen || (IsAggregation(token.Text) && PeekAt(1).Kind is TokenKind.By or TokenKind.Without))
                {
                    if (TryAggregation(token.Text, out var aggregation))
                    {
                        return ParseAggregation(aggregation);
                    }
                    return ParseCall();
                }
                return ParseVectorSelector();
            case TokenKind.Start or TokenKind.End when PeekAt(1).Kind == TokenKind.LeftParen:
                // start() and end(): keywords of the @ modifier, and (experimental) functions elsewhere.
                return ParseCall();
            default:
                if (token.Kind is TokenKind.Start or TokenKind.End or TokenKind.Bool or TokenKind.On or TokenKind.Ignoring
                    or TokenKind.By or TokenKind.Without or TokenKind.GroupLeft or TokenKind.GroupRight or TokenKind.Offset
                    && PeekAt(1).Kind is not TokenKind.LeftParen)
                {
                    // Keywords double as metric names (Prometheus allows e.g. metrics called "on" or "offset").
                    return ParseVectorSelector();
                }
                throw Unexpected(token);
        }
    }

    private static bool IsAggregation(string name) => TryAggregation(name, out _);

    private static bool TryAggregation(string name, out AggregationOp op)
    {
        switch (name.ToLowerInvariant())
        {
            case "sum": op = AggregationOp.Sum; return true;
            case "avg": op = AggregationOp.Avg; return true;
            case "count": op = AggregationOp.Count; return true;
            case "min": op = AggregationOp.Min; return true;
            case "max": op = AggregationOp.Max; return true;
            case "group": op = AggregationOp.Group; return true;
            case "stddev": op = AggregationOp.Stddev; return true;
            case "stdvar": op = AggregationOp.Stdvar; return true;
            case "topk": op = AggregationOp.Topk; return true;
            case "bottomk": op = AggregationOp.Bottomk; return true;
            case "count_values": op = AggregationOp.CountValues; return true;
            case "quantile": op = AggregationOp.Quantile; return true;
            case "limitk": op = AggregationOp.Limitk; return true;
            case "limit_ratio": op = AggregationOp.LimitRatio; return true;
            default: op = default; return false;
        }
    }

    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.LeftBracket:
                    expr = ParseRangeOrSubquery(expr);
                    break;
                case TokenKind.Offset:
                    expr = ParseOffset(expr);
                    break;
                case TokenKind.At:
                    expr = ParseAt(expr);
                    break;
                default:
                    return expr;
            }
        }
    }

    private Expr ParseRangeOrSubquery(Expr expr)
    {
        var open = Next();
        var range = ParseDuration(isOffset: false);
        if (Current.Kind == TokenKind.Colon)
        {
            Next();
            long step = 0;
            if (Current.Kind != TokenKind.RightBracket)
            {
                step = ParseDuration(isOffset: false);
            }
            Expect(TokenKind.RightBracket, "expected \"]\"");
            if (expr.Type != ExprType.Vector)
            {
                throw Error(expr.Position, expr.Type == ExprType.Matrix ? "subquery is only allowed on instant vector, got matrix instead" : $"subquery is only allowed on instant vector, got {expr.Type.Describe()} instead");
            }
            return new SubqueryExpr(expr.Position, expr, range, step);
        }
        Expect(TokenKind.RightBracket, "expected \"]\" or \":\"");
        if (expr is not VectorSelector selector)
        {
            throw Error(open.Position, "ranges only allowed for vector selectors");
        }
        if (selector.OffsetMs != 0)
        {
            throw Error(open.Position, "no offset modifiers allowed before range");
        }
        if (selector.At != AtKind.None)
        {
            throw Error(open.Position, "no @ modifiers allowed before range");
        }
        return new MatrixSelector(selector.Position, selector, range);
    }

    /// <summary>
    /// A duration, or a number of seconds, in a range, subquery step or offset. Ranges and steps must be positive;
    /// an offset's sign is read by the caller.
    /// </summary>
    private long ParseDuration(bool isOffset)
    {
        var token = Current;
        var negative = false;
        if (!isOffset && token.Kind == TokenKind.Sub && PeekAt(1).Kind is TokenKind.Number or TokenKind.Duration)
        {
            // [-1]: Prometheus reads the number and then refuses it.
            negative = true;
            Next();
            token = Current;
        }
        long value;
        if (token.Kind == TokenKind.Duration)
        {
            if (!TryParseDuration(token.Text, out value))
            {
                throw Error(token.Position, $"invalid duration {Lexer.Quote(token.Text)}: out of range");
            }
        }
        else if (token.Kind == TokenKind.Number)
        {
            var seconds = ParseNumber(token.Text);
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > long.MaxValue / 1000.0)
            {
                throw Error(token.Position, $"invalid duration {Lexer.Quote(token.Text)}: out of range");
            }
            value = (long)Math.Round(seconds * 1000);
        }
        else
        {
            throw Unexpected(token, isOffset
                ? "in offset, expected number, duration, step(), or range()"
                : "in subquery or range selector, expected number, duration, step(), or range()");
        }
        Next();
        if (!isOffset && (negative || value <= 0))
        {
            throw Error(negative ? token.Position - 1 : token.Position, "duration must be greater than 0");
        }
        return value;
    }

    private Expr ParseOffset(Expr expr)
    {
        Next();
        var sign = 1;
        if (Current.Kind is TokenKind.Sub or TokenKind.Add)
        {
            sign = Next().Kind == TokenKind.Sub ? -1 : 1;
        }
        var offset = sign * ParseDuration(isOffset: true);
        switch (expr)
        {
            case VectorSelector vs:
                if (vs.OffsetMs != 0)
                {
                    throw Error(expr.Position, "offset may not be set multiple times");
                }
                return vs with { OffsetMs = offset };
            case MatrixSelector ms:
                if (ms.Selector.OffsetMs != 0)
                {
                    throw Error(expr.Position, "offset may not be set multiple times");
                }
                return ms with { Selector = ms.Selector with { OffsetMs = offset } };
            case SubqueryExpr sq:
                if (sq.OffsetMs != 0)
                {
                    throw Error(expr.Position, "offset may not be set multiple times");
                }
                return sq with { OffsetMs = offset };
            default:
                throw Error(expr.Position, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
    }

    private Expr ParseAt(Expr expr)
    {
        Next();
        AtKind kind;
        long atMs = 0;
        if (Current.Kind is TokenKind.Start or TokenKind.End)
        {
            kind = Next().Kind == TokenKind.Start ? AtKind.Start : AtKind.End;
            Expect(TokenKind.LeftParen, "expected \"(\"");
            Expect(TokenKind.RightParen, "expected \")\"");
        }
        else
        {
            var sign = 1.0;
            if (Current.Kind is TokenKind.Sub or TokenKind.Add)
            {
                sign = Next().Kind == TokenKind.Sub ? -1 : 1;
            }
            var number = Current;
            double seconds;
            if (number.Kind == TokenKind.Number)
            {
                seconds = sign * ParseNumber(number.Text);
            }
            else if (number.Kind == TokenKind.Duration && TryParseDuration(number.Text, out var durationMs))
            {
                seconds = sign * durationMs / 1000.0;
            }
            else
            {
                throw Unexpected(number, "in @, expected timestamp");
            }
            Next();
            var ms = Math.Round(seconds * 1000);
            if (double.IsNaN(ms) || double.IsInfinity(ms) || ms >= long.MaxValue || ms <= long.MinValue)
            {
                throw Error(number.Position, "timestamp out of bounds for @ modifier: " + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            kind = AtKind.Timestamp;
            atMs = (long)ms;
        }
        switch (expr)
        {
            case VectorSelector vs:
                if (vs.At != AtKind.None)
                {
                    throw Error(expr.Position, "@ <timestamp> may not be set multiple times");
                }
                return vs with { At = kind, AtMs = atMs };
            case MatrixSelector ms:
                if (ms.Selector.At != AtKind.None)
                {
                    throw Error(expr.Position, "@ <timestamp> may not be set multiple times");
                }
                return ms with { Selector = ms.Selector with { At = kind, AtMs = atMs } };
            case SubqueryExpr sq:
                if (sq.At != AtKind.None)
                {
                    throw Error(expr.Position, "@ <timestamp> may not be set multiple times");
                }
                return sq with { At = kind, AtMs = atMs };
            default:
                throw Error(expr.Position, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
    }
}
