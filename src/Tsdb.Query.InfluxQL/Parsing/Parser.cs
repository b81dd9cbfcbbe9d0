using System.Globalization;
using System.Text;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>
/// Recursive-descent parser for InfluxQL, following InfluxDB 1.x's parser clause by clause so that what 1.x accepts
/// parses here and what it refuses fails with its words. Parentheses, calls, subqueries and every link of an
/// operator chain other than AND and OR count against <see cref="MaxDepth"/>, so neither the parser nor a walk of
/// the tree can overflow the stack. AND/OR chains are parsed in a loop and are length, not nesting: walk them
/// iteratively (the printer does).
/// </summary>
internal sealed partial class Parser
{
    public const int MaxDepth = 200;

    private static readonly string[] ExpectedOperand = ["identifier", "string", "number", "bool"];

    private readonly Lexer _lexer;
    private Token _current;
    private int _previousEnd;
    private int _depth;

    public Parser(string text)
    {
        _lexer = new Lexer(text);
        _current = _lexer.Scan(0);
    }

    private Token Current => _current;

    private Token Advance()
    {
        var t = _current;
        _previousEnd = t.End;
        _current = _lexer.Scan(t.End);
        return t;
    }

    private Token PeekNext() => _lexer.Scan(_current.End);

    private bool At(TokenKind kind) => _current.Kind == kind;

    private bool AtKeyword(Keyword keyword) => _current.IsKeyword(keyword);

    /// <summary>Whether the current token follows the previous one with nothing between (1.x reads some tokens without skipping whitespace).</summary>
    private bool CurrentIsAdjacent => _current.Start == _previousEnd;

    private bool AcceptKeyword(Keyword keyword)
    {
        if (!AtKeyword(keyword))
        {
            return false;
        }

        Advance();
        return true;
    }

    private void ExpectKeyword(Keyword keyword)
    {
        if (!AtKeyword(keyword))
        {
            throw Expected(_current, Keywords.Text(keyword));
        }

        Advance();
    }

    private Token Expect(TokenKind kind, string shown)
    {
        if (!At(kind))
        {
            throw Expected(_current, shown);
        }

        return Advance();
    }

    private string ParseIdent()
    {
        if (!At(TokenKind.Identifier))
        {
            throw Expected(_current, "identifier");
        }

        return Advance().Value!;
    }

    /// <summary>The text 1.x shows for a token after "found": its literal, else the token's name.</summary>
    private static string Found(Token t)
    {
        switch (t.Kind)
        {
            case TokenKind.EndOfInput:
                return "EOF";
            case TokenKind.Keyword:
                return Keywords.Text(t.Keyword);
            case TokenKind.BoundParameter:
                return "$" + t.Value;
            case TokenKind.Illegal when t.Value is null:
                return "ILLEGAL";
            case TokenKind.Identifier or TokenKind.String or TokenKind.BadString or TokenKind.BadEscape or TokenKind.Illegal
                or TokenKind.Number or TokenKind.Integer or TokenKind.Duration:
                if (string.IsNullOrEmpty(t.Value))
                {
                    return t.Kind switch
                    {
                        TokenKind.Identifier => "IDENT",
                        TokenKind.String => "STRING",
                        TokenKind.BadString => "BADSTRING",
                        _ => "ILLEGAL",
                    };
                }

                return t.Value;
            default:
                return OperatorText(t.Kind);
        }
    }

    private static string OperatorText(TokenKind kind) => kind switch
    {
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        TokenKind.Slash => "/",
        TokenKind.Percent => "%",
        TokenKind.Ampersand => "&",
        TokenKind.Pipe => "|",
        TokenKind.Caret => "^",
        TokenKind.Equal => "=",
        TokenKind.NotEqual => "!=",
        TokenKind.RegexMatch => "=~",
        TokenKind.RegexNotMatch => "!~",
        TokenKind.Less => "<",
        TokenKind.LessOrEqual => "<=",
        TokenKind.Greater => ">",
        TokenKind.GreaterOrEqual => ">=",
        TokenKind.LeftParen => "(",
        TokenKind.RightParen => ")",
        TokenKind.Comma => ",",
        TokenKind.Colon => ":",
        TokenKind.DoubleColon => "::",
        TokenKind.Semicolon => ";",
        TokenKind.Dot => ".",
        TokenKind.Regex or TokenKind.BadRegex => "REGEX",
        _ => kind.ToString().ToUpperInvariant(),
    };

    /// <summary>1.x's generic error: "found X, expected A, B at line L, char C".</summary>
    private InfluxQLParseException Expected(Token found, params string[] expected) => Expected(found, 0, expected);

    private InfluxQLParseException Expected(Token found, int charAdjust, params string[] expected)
    {
        var (line, ch) = LineAndChar(found);
        ch += charAdjust;
        return new InfluxQLParseException(
            string.Create(CultureInfo.InvariantCulture, $"found {Found(found)}, expected {string.Join(", ", expected)} at line {line}, char {ch}"),
            found.Start,
            line,
            ch);
    }

    /// <summary>A 1.x error with a message and a position: "message at line L, char C".</summary>
    private InfluxQLParseException ErrorAt(Token at, string message)
    {
        var (line, ch) = LineAndChar(at);
        return new InfluxQLParseException(
            string.Create(CultureInfo.InvariantCulture, $"{message} at line {line}, char {ch}"), at.Start, line, ch);
    }

    /// <summary>An error 1.x raises without a position (a plain Go error): the text alone, the position still recorded.</summary>
    private InfluxQLParseException Bare(int offset, string message)
    {
        var (line, ch) = LineAndChar(offset, atEnd: false);
        return new InfluxQLParseException(message, offset, line, ch);
    }

    private (int Line, int Char) LineAndChar(Token t) => LineAndChar(t.Start, t.Kind == TokenKind.EndOfInput);

    /// <summary>1-based line and char as 1.x's reader counts them: CR, LF and CRLF each end a line; chars are code points.</summary>
    private (int Line, int Char) LineAndChar(int offset, bool atEnd)
    {
        var text = _lexer.Text;
        offset = Math.Clamp(offset, 0, text.Length);
        int line = 1, lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            var c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        var ch = 1;
        for (var i = lineStart; i < offset; i++)
        {
            if (!char.IsLowSurrogate(text[i]) && text[i] != '\r')
            {
                ch++;
            }
        }

        if (atEnd && _lexer.EndConsumed)
        {
            ch++;
        }

        return (line, ch);
    }

    /// <summary>Counts one level of nesting; past the limit the query is refused rather than risk the stack.</summary>
    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw ErrorAt(_current, "expression nested too deeply");
        }
    }

    private void Leave(int levels = 1) => _depth -= levels;

    /// <summary>
    /// "found X, expected regex". After probing for a regex across whitespace, 1.x's reader reports the next token
    /// one char early (its parser_test.go: <c>WHERE host =~ 'asd'</c> gives char 42 for the quote at char 43).
    /// </summary>
    private InfluxQLParseException ExpectedRegex() =>
        Expected(_current, _current.Start > _previousEnd && _current.Kind != TokenKind.EndOfInput ? -1 : 0, "regex");

    /// <summary>At a <c>/</c> where a regex may stand (1.x only scans a regex where its grammar allows one).</summary>
    private bool AtRegex => At(TokenKind.Slash);

    private RegexLiteral TakeRegex()
    {
        var t = _lexer.ScanRegex(_current.Start);
        if (t.Kind != TokenKind.Regex)
        {
            // 1.x's text, which leaves the literal empty.
            throw ErrorAt(t, "bad regex: ");
        }

        _previousEnd = t.End;
        _current = _lexer.Scan(t.End);
        return new RegexLiteral(t.Value!) { Position = t.Start };
    }

    /// <summary>
    /// <c>a.b.c</c>, <c>db..m</c>: up to three segments, joined by dots with no space before a dot. Stops after a dot
    /// that a regex (<c>db.rp./re/</c>) or <c>:MEASUREMENT</c> follows, reporting that in <paramref name="endsWithDot"/>.
    /// </summary>
    private List<string> ParseSegmentedIdents(out bool endsWithDot)
    {
        var start = _current.Start;
        endsWithDot = false;
        var idents = new List<string> { ParseIdent() };
        while (At(TokenKind.Dot) && CurrentIsAdjacent)
        {
            var dot = Advance();
            var next = dot.End < _lexer.Text.Length ? _lexer.Text[dot.End] : '\0';
            if (next is '/' or ':')
            {
                endsWithDot = true;
                break;
            }

            if (next == '.')
            {
                idents.Add(string.Empty);
                continue;
            }

            idents.Add(ParseIdent());
        }

        if (idents.Count > 3)
        {
            throw Bare(start, "too many segments in " + GoQuoteIdent(idents));
        }

        return idents;
    }

    /// <summary>1.x's QuoteIdent over segments (every segment but an empty middle one quoted), for its error text.</summary>
    private static string GoQuoteIdent(List<string> segments)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            var last = i == segments.Count - 1;
            var quote = (s.Length > 0 && InfluxQLPrinter.NeedsQuotes(s)) || (!last && s.Length > 0) || ((i == 0 || last) && s.Length == 0);
            sb.Append(quote ? "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : s);
            if (!last)
            {
                sb.Append('.');
            }
        }

        return sb.ToString();
    }

    private long? ParseOptionalInt(Keyword keyword)
    {
        if (!AcceptKeyword(keyword))
        {
            return null;
        }

        var t = Expect(TokenKind.Integer, "integer");

        // 1.x ignores the overflow error and keeps the saturated value.
        return long.TryParse(t.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
    }
}
