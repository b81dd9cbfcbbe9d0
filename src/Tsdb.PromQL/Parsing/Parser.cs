using System.Globalization;
using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Parsing;

/// <summary>
/// Recursive-descent PromQL parser with precedence climbing for binary operators. Errors are
/// <see cref="PromQLException"/>s of type bad_data phrased as Prometheus phrases them (<c>1:5: parse error: …</c>).
/// </summary>
internal sealed partial class Parser
{
    /// <summary>Deepest nesting accepted; keeps hostile queries from exhausting the stack.</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// Tallest syntax tree accepted. <see cref="MaxDepth"/> bounds the parser's own recursion, but a chain of binary
    /// operators (<c>a + b + c …</c>) is parsed in a loop and builds a tree as tall as the chain is long, which every
    /// pass over the tree (evaluation first) walks recursively: 20,000 terms overflowed the stack and ended the server.
    /// </summary>
    public const int MaxHeight = 1000;

    private readonly string _input;
    private readonly List<Token> _tokens;
    private readonly bool _experimental;
    private int _index;
    private int _depth;

    private Parser(string input, bool experimental = false)
    {
        _input = input;
        _tokens = Lexer.Tokenize(input);
        _experimental = experimental;
    }

    /// <summary>
    /// Parses a query. <paramref name="experimental"/> admits the functions and aggregations Prometheus keeps behind
    /// <c>--enable-feature=promql-experimental-functions</c>; without it they are refused with Prometheus' message.
    /// </summary>
    public static Expr ParseExpr(string input, bool experimental = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var parser = new Parser(input, experimental);
        if (parser.Current.Kind == TokenKind.Eof)
        {
            throw parser.Error(0, "no expression found in input");
        }
        var expr = parser.ParseBinary(0);
        if (parser.Current.Kind != TokenKind.Eof)
        {
            throw parser.Unexpected(parser.Current);
        }
        parser.CheckHeight(expr);
        return expr;
    }

    /// <summary>Refuses a tree taller than <see cref="MaxHeight"/>, walking it without recursion.</summary>
    private void CheckHeight(Expr root)
    {
        var pending = new Stack<(Expr Expr, int Level)>();
        pending.Push((root, 1));
        while (pending.TryPop(out var item))
        {
            var (expr, level) = item;
            if (level > MaxHeight)
            {
                throw Error(expr.Position, $"expression is too deep: more than {MaxHeight} levels of operators, calls and parentheses");
            }
            switch (expr)
            {
                case BinaryExpr b:
                    // Left last, so it is looked at first: the error points at the leftmost too-deep term.
                    pending.Push((b.Rhs, level + 1));
                    pending.Push((b.Lhs, level + 1));
                    break;
                case UnaryExpr u:
                    pending.Push((u.Operand, level + 1));
                    break;
                case ParenExpr p:
                    pending.Push((p.Inner, level + 1));
                    break;
                case Call c:
                    foreach (var arg in c.Args)
                    {
                        pending.Push((arg, level + 1));
                    }
                    break;
                case AggregateExpr a:
                    pending.Push((a.Inner, level + 1));
                    if (a.Parameter is { } parameter)
                    {
                        pending.Push((parameter, level + 1));
                    }
                    break;
                case SubqueryExpr sq:
                    pending.Push((sq.Inner, level + 1));
                    break;
            }
        }
    }

    /// <summary>Parses a bare series selector (<c>match[]</c>): a metric name and/or matchers, nothing else.</summary>
    public static VectorSelector ParseSelector(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var parser = new Parser(input);
        var token = parser.Current;
        if (token.Kind is not (TokenKind.Identifier or TokenKind.MetricIdentifier or TokenKind.LeftBrace))
        {
            throw parser.Unexpected(token, "expected a series selector");
        }
        var selector = parser.ParseVectorSelector();
        if (parser.Current.Kind != TokenKind.Eof)
        {
            throw parser.Unexpected(parser.Current);
        }
        return selector;
    }

    private Token Current
    {
        get
        {
            var token = _tokens[_index];
            if (token.Kind == TokenKind.Error)
            {
                throw new PromQLException(PromQLErrorType.BadData, token.Text);
            }
            return token;
        }
    }

    private Token PeekAt(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    /// <summary>Consumes the current token; at the end it stays on the end-of-input token.</summary>
    private Token Next()
    {
        var token = Current;
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }
        return token;
    }

    private Token Expect(TokenKind kind, string context)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            throw Unexpected(token, context);
        }
        return Next();
    }

    private PromQLException Error(int position, string message) => Lexer.Error(_input, position, message);

    private PromQLException Unexpected(Token token, string? expected = null)
    {
        var message = "unexpected " + token.Describe();
        if (expected is not null)
        {
            message += (expected.StartsWith("in ", StringComparison.Ordinal) ? " " : ", ") + expected;
        }
        return Error(token.Position, message);
    }

    private void Enter(int position)
    {
        if (++_depth > MaxDepth)
        {
            throw Error(position, $"expression nests deeper than {MaxDepth} levels");
        }
    }

    private static bool TryBinaryOp(TokenKind kind, out BinaryOp op)
    {
        op = kind switch
        {
            TokenKind.Add => BinaryOp.Add,
            TokenKind.Sub => BinaryOp.Sub,
            TokenKind.Mul => BinaryOp.Mul,
            TokenKind.Div => BinaryOp.Div,
            TokenKind.Mod => BinaryOp.Mod,
            TokenKind.Pow => BinaryOp.Pow,
            TokenKind.Atan2 => BinaryOp.Atan2,
            TokenKind.Eql => BinaryOp.Eql,
            TokenKind.Neq => BinaryOp.Neq,
            TokenKind.Gtr => BinaryOp.Gtr,
            TokenKind.Lss => BinaryOp.Lss,
            TokenKind.Gte => BinaryOp.Gte,
            TokenKind.Lte => BinaryOp.Lte,
            TokenKind.And => BinaryOp.And,
            TokenKind.Or => BinaryOp.Or,
            TokenKind.Unless => BinaryOp.Unless,
            _ => (BinaryOp)(-1),
        };
        return (int)op >= 0;
    }

    public static double ParseNumber(string text)
    {
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }
        if (text.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }
        if (text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X')
        {
            // Hex literals of any length: accumulate as a double, as Go's ParseFloat does for huge values.
            double hex = 0;
            foreach (var c in text.AsSpan(2))
            {
                hex = (hex * 16) + Convert.ToInt32(c.ToString(), 16);
            }
            return hex;
        }
        // Like Go's ParseInt with base 0, which Prometheus tries first: a leading zero means octal ("0755" = 493).
        if (text.Length > 1 && text[0] == '0' && text.AsSpan(1).IndexOfAnyExceptInRange('0', '7') < 0)
        {
            double octal = 0;
            foreach (var c in text.AsSpan(1))
            {
                octal = (octal * 8) + (c - '0');
            }
            return octal;
        }
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>A PromQL duration (<c>1h30m</c>, <c>500ms</c>) in milliseconds.</summary>
    public static bool TryParseDuration(string text, out long milliseconds)
    {
        milliseconds = 0;
        var i = 0;
        if (text.Length == 0)
        {
            return false;
        }
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == start || i >= text.Length)
            {
                return false;
            }
            if (!long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }
            long unit;
            if (text[i] == 'm' && i + 1 < text.Length && text[i + 1] == 's')
            {
                unit = 1;
                i += 2;
            }
            else
            {
                unit = text[i] switch
                {
                    's' => 1000,
                    'm' => 60_000,
                    'h' => 3_600_000,
                    'd' => 86_400_000,
                    'w' => 7 * 86_400_000L,
                    'y' => 365 * 86_400_000L,
                    _ => 0,
                };
                if (unit == 0)
                {
                    return false;
                }
                i++;
            }
            if (value > (long.MaxValue - milliseconds) / unit)
            {
                return false;
            }
            milliseconds += value * unit;
        }
        return true;
    }
}
