namespace Tsdb.Query.Sql;

/// <summary>
/// Recursive-descent parser over the token list. One method per precedence level; every recursive path counts
/// against <see cref="SqlParser.MaxDepth"/>, and so does every link of an operator chain other than AND and OR, so
/// neither the parser nor anyone walking the tree later can overflow the stack. AND/OR chains are parsed in a loop
/// and walked iteratively (printer, binder), so their length is not nesting.
/// </summary>
internal sealed partial class Parser
{
    private const int MaxShownTokenLength = 40;

    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _pos;
    private int _depth;

    public Parser(string text, List<Token> tokens)
    {
        _text = text;
        _tokens = tokens;
    }

    private Token Current => _tokens[_pos];

    private Token PeekToken(int ahead) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private int PreviousEnd => _pos == 0 ? 0 : _tokens[_pos - 1].End;

    private TextSpan SpanFrom(int start) => new(start, Math.Max(0, PreviousEnd - start));

    private Token Advance()
    {
        var t = _tokens[_pos];
        if (t.Kind != TokenKind.EndOfInput)
        {
            _pos++;
        }

        return t;
    }

    private bool At(TokenKind kind) => Current.Kind == kind;

    private bool AtKeyword(Keyword keyword) => IsKeyword(Current, keyword);

    private static bool IsKeyword(Token t, Keyword keyword) => t.Kind == TokenKind.Identifier && t.Keyword == keyword;

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        _pos++;
        return true;
    }

    private bool AcceptKeyword(Keyword keyword)
    {
        if (!AtKeyword(keyword))
        {
            return false;
        }

        _pos++;
        return true;
    }

    private Token Expect(TokenKind kind, string shown)
    {
        if (Current.Kind != kind)
        {
            throw Expected(shown);
        }

        return Advance();
    }

    private Token ExpectKeyword(Keyword keyword)
    {
        if (!AtKeyword(keyword))
        {
            throw Expected(KeywordText(keyword));
        }

        return Advance();
    }

    private static string KeywordText(Keyword keyword) => keyword.ToString().ToUpperInvariant();

    private SqlParseException Expected(string what) => ErrorAt(Current, $"expected {what}, found {Describe(Current)}");

    private static SqlParseException ErrorAt(Token token, string detail) =>
        new(detail, token.Start, token.Line, token.Column);

    private string Describe(Token token)
    {
        switch (token.Kind)
        {
            case TokenKind.EndOfInput:
                return "end of input";
            case TokenKind.String:
                return "a string literal";
            default:
                var text = _text.Substring(token.Start, token.Length);
                return text.Length > MaxShownTokenLength ? $"'{text[..MaxShownTokenLength]}…'" : $"'{text}'";
        }
    }

    /// <summary>Counts one level of nesting; past the limit the query is refused rather than risk the stack.</summary>
    private void Enter()
    {
        if (++_depth > SqlParser.MaxDepth)
        {
            throw ErrorAt(Current, "expression nested too deeply");
        }
    }

    private void Leave(int levels = 1) => _depth -= levels;

    private bool AtIdentifier =>
        Current.Kind == TokenKind.QuotedIdentifier
        || (Current.Kind == TokenKind.Identifier && !Keywords.IsReserved(Current.Keyword));

    private Identifier ParseIdentifier(string what = "an identifier")
    {
        if (!AtIdentifier)
        {
            throw Expected(what);
        }

        var t = Advance();
        return new Identifier(t.Value!, t.Kind == TokenKind.QuotedIdentifier, t.Span);
    }

    private ObjectName ParseObjectName(string what)
    {
        var start = Current.Start;
        var parts = new List<Identifier> { ParseIdentifier(what) };
        while (Accept(TokenKind.Dot))
        {
            parts.Add(ParseIdentifier());
        }

        return new ObjectName(parts, SpanFrom(start));
    }

    /// <summary>An alias after AS, or a bare non-reserved word; null when there is none.</summary>
    private Identifier? ParseOptionalAlias()
    {
        if (AcceptKeyword(Keyword.As))
        {
            return ParseIdentifier("an alias");
        }

        return AtIdentifier ? ParseIdentifier() : null;
    }
}
