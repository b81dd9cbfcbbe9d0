using System.Globalization;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>
/// Expressions with 1.x's precedence (token.go): OR 1, AND 2, comparisons and regex matches 3, + - | ^ 4,
/// * / % &amp; 5; all left-associative. The right side of =~ and !~ must be a regex (or a <c>$param</c>).
/// </summary>
internal sealed partial class Parser
{
    private InfluxQLExpr ParseExpr()
    {
        Enter();
        var e = ParseBinary(1, null);
        Leave();
        return e;
    }

    private static (BinaryOperator Op, int Precedence) BinaryOperatorAt(Token t) => t.Kind switch
    {
        TokenKind.Keyword when t.Keyword == Keyword.Or => (BinaryOperator.Or, 1),
        TokenKind.Keyword when t.Keyword == Keyword.And => (BinaryOperator.And, 2),
        TokenKind.Equal => (BinaryOperator.Equal, 3),
        TokenKind.NotEqual => (BinaryOperator.NotEqual, 3),
        TokenKind.RegexMatch => (BinaryOperator.RegexMatch, 3),
        TokenKind.RegexNotMatch => (BinaryOperator.RegexNotMatch, 3),
        TokenKind.Less => (BinaryOperator.Less, 3),
        TokenKind.LessOrEqual => (BinaryOperator.LessOrEqual, 3),
        TokenKind.Greater => (BinaryOperator.Greater, 3),
        TokenKind.GreaterOrEqual => (BinaryOperator.GreaterOrEqual, 3),
        TokenKind.Plus => (BinaryOperator.Add, 4),
        TokenKind.Minus => (BinaryOperator.Subtract, 4),
        TokenKind.Pipe => (BinaryOperator.BitwiseOr, 4),
        TokenKind.Caret => (BinaryOperator.BitwiseXor, 4),
        TokenKind.Star => (BinaryOperator.Multiply, 5),
        TokenKind.Slash => (BinaryOperator.Divide, 5),
        TokenKind.Percent => (BinaryOperator.Modulo, 5),
        TokenKind.Ampersand => (BinaryOperator.BitwiseAnd, 5),
        _ => (default, 0),
    };

    /// <summary>
    /// Precedence climbing from <paramref name="left"/> (or a fresh operand). A regex operand is seeded into the next
    /// level, so <c>a =~ /x/ + 1</c> groups as 1.x groups it, <c>a =~ (/x/ + 1)</c>.
    /// </summary>
    private InfluxQLExpr ParseBinary(int minPrecedence, InfluxQLExpr? left)
    {
        left ??= ParseUnary();
        var links = 0;
        while (true)
        {
            var (op, precedence) = BinaryOperatorAt(_current);
            if (precedence == 0 || precedence < minPrecedence)
            {
                break;
            }

            Advance();
            if (op is not (BinaryOperator.And or BinaryOperator.Or))
            {
                Enter();
                links++;
            }

            var right = op is BinaryOperator.RegexMatch or BinaryOperator.RegexNotMatch
                ? ParseBinary(precedence + 1, ParseRegexOperand())
                : ParseBinary(precedence + 1, null);
            left = new BinaryExpr(op, left, right) { Position = left.Position };
        }

        Leave(links);
        return left;
    }

    private InfluxQLExpr ParseRegexOperand()
    {
        if (AtRegex)
        {
            return TakeRegex();
        }

        if (At(TokenKind.BoundParameter) && !string.IsNullOrEmpty(_current.Value))
        {
            var t = Advance();
            return new BoundParameter(t.Value!) { Position = t.Start };
        }

        throw ExpectedRegex();
    }

    private InfluxQLExpr ParseUnary()
    {
        var t = _current;
        switch (t.Kind)
        {
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseExpr();
                Expect(TokenKind.RightParen, ")");
                return new ParenExpr(inner) { Position = t.Start };
            case TokenKind.Identifier:
                if (PeekNext() is { Kind: TokenKind.LeftParen } open && open.Start == t.End)
                {
                    Advance();
                    Advance();
                    return ParseCall(t.Value!.ToLowerInvariant(), t.Start);
                }

                return ParseVarRef();
            case TokenKind.Keyword when t.Keyword == Keyword.Distinct:
                return ParseDistinct();
            case TokenKind.Keyword when t.Keyword is Keyword.True or Keyword.False:
                Advance();
                return new BooleanLiteral(t.Keyword == Keyword.True) { Position = t.Start };
            case TokenKind.String:
                Advance();
                return new StringLiteral(t.Value!) { Position = t.Start };
            case TokenKind.Number:
                Advance();
                var number = double.Parse(t.Value!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                if (double.IsInfinity(number))
                {
                    throw ErrorAt(t, "unable to parse number");
                }

                return new NumberLiteral(number) { Position = t.Start };
            case TokenKind.Integer:
                Advance();
                if (long.TryParse(t.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                {
                    return new IntegerLiteral(integer) { Position = t.Start };
                }

                // Too big for int64: 1.x keeps it as an unsigned literal when it fits 64 bits.
                if (ulong.TryParse(t.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var unsigned))
                {
                    return new UnsignedLiteral(unsigned) { Position = t.Start };
                }

                throw ErrorAt(t, "unable to parse integer");
            case TokenKind.Duration:
                Advance();
                return new DurationLiteral(ParseDuration(t)) { Position = t.Start };
            case TokenKind.Star:
                Advance();
                return new Wildcard(ParseCastSuffix(wildcard: true) switch
                {
                    VarRefType.Field => WildcardType.Field,
                    VarRefType.Tag => WildcardType.Tag,
                    _ => WildcardType.All,
                }) { Position = t.Start };
            case TokenKind.BoundParameter:
                if (string.IsNullOrEmpty(t.Value))
                {
                    throw Bare(t.Start, "empty bound parameter");
                }

                Advance();
                return new BoundParameter(t.Value) { Position = t.Start };
            case TokenKind.Plus or TokenKind.Minus:
                return ParseSigned();
            default:
                throw Expected(t, ExpectedOperand);
        }
    }

    /// <summary>A sign folds into a number or duration literal; before anything else a minus is <see cref="UnaryMinusExpr"/>.</summary>
    private InfluxQLExpr ParseSigned()
    {
        var sign = Advance();
        var negative = sign.Kind == TokenKind.Minus;
        if (_current.Kind is not (TokenKind.Number or TokenKind.Integer or TokenKind.Duration or TokenKind.LeftParen or TokenKind.Identifier))
        {
            throw Expected(_current, "identifier", "number", "duration", "(");
        }

        var operand = ParseUnary();
        if (!negative)
        {
            return operand;
        }

        return operand switch
        {
            IntegerLiteral i => new IntegerLiteral(-i.Value) { Position = sign.Start },
            NumberLiteral n => new NumberLiteral(-n.Value) { Position = sign.Start },
            DurationLiteral d => new DurationLiteral(-d.Nanoseconds) { Position = sign.Start },
            UnsignedLiteral { Value: 9_223_372_036_854_775_808UL } => new IntegerLiteral(long.MinValue) { Position = sign.Start },
            UnsignedLiteral u => throw Bare(sign.Start, $"constant -{u.Value.ToString(CultureInfo.InvariantCulture)} underflows int64"),
            _ => new UnaryMinusExpr(operand) { Position = sign.Start },
        };
    }

    /// <summary><c>DISTINCT(x)</c> (no space) is a call; <c>DISTINCT x</c> takes one identifier; both read as distinct(x).</summary>
    private Call ParseDistinct()
    {
        var t = Advance();
        if (At(TokenKind.LeftParen) && CurrentIsAdjacent)
        {
            Advance();
            return ParseCall("distinct", t.Start);
        }

        if (CurrentIsAdjacent)
        {
            throw Expected(_current, "(", "identifier");
        }

        var name = _current;
        var ident = ParseIdent();
        return new Call("distinct", [new VarRef(ident) { Position = name.Start }]) { Position = t.Start };
    }

    /// <summary>The arguments after <c>name(</c>: expressions or regexes.</summary>
    private Call ParseCall(string name, int start)
    {
        Enter();
        var args = new List<InfluxQLExpr>();
        if (At(TokenKind.RightParen))
        {
            Advance();
            Leave();
            return new Call(name, args) { Position = start };
        }

        while (true)
        {
            args.Add(AtRegex ? TakeRegex() : ParseExpr());
            if (!At(TokenKind.Comma))
            {
                break;
            }

            Advance();
        }

        Expect(TokenKind.RightParen, ")");
        Leave();
        return new Call(name, args) { Position = start };
    }

    private VarRef ParseVarRef()
    {
        var start = _current.Start;
        var name = string.Join('.', ParseSegmentedIdents(out _));
        return new VarRef(name, ParseCastSuffix(wildcard: false)) { Position = start };
    }

    /// <summary>An optional <c>::type</c> written right after a reference or <c>*</c> (1.x reads it without skipping space).</summary>
    private VarRefType ParseCastSuffix(bool wildcard)
    {
        if (!At(TokenKind.DoubleColon) || !CurrentIsAdjacent)
        {
            return VarRefType.Unknown;
        }

        Advance();
        var t = _current;
        if (CurrentIsAdjacent)
        {
            if (t.IsKeyword(Keyword.Field))
            {
                Advance();
                return VarRefType.Field;
            }

            if (t.IsKeyword(Keyword.Tag))
            {
                Advance();
                return VarRefType.Tag;
            }

            if (!wildcard && t.Kind == TokenKind.Identifier)
            {
                VarRefType? type = t.Value!.ToLowerInvariant() switch
                {
                    "float" => VarRefType.Float,
                    "integer" => VarRefType.Integer,
                    "unsigned" => VarRefType.Unsigned,
                    "string" => VarRefType.String,
                    "boolean" => VarRefType.Boolean,
                    _ => null,
                };
                if (type is { } known)
                {
                    Advance();
                    return known;
                }

                throw Expected(t, "float", "integer", "unsigned", "string", "boolean", "field", "tag");
            }
        }

        // 1.x's list here leaves out unsigned.
        throw wildcard ? Expected(t, "field", "tag") : Expected(t, "float", "integer", "string", "boolean", "field", "tag");
    }

    private long ParseDuration(Token t)
    {
        if (DurationText.TryParse(t.Value!, out var nanoseconds, out var error))
        {
            return nanoseconds;
        }

        // 1.x returns these without a position when they come from an expression.
        throw Bare(t.Start, error);
    }
}
