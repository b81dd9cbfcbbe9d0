using System.Globalization;
using System.Text;

namespace Tsdb.Query.Sql;

/// <summary>
/// Turns query text into tokens, all at once (queries are small; a token is a small struct). Every token carries
/// its offset, length, line and column; lexical errors raise <see cref="SqlParseException"/> at the offending
/// character.
/// </summary>
internal sealed class Lexer
{
    private readonly string _text;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string text) => _text = text;

    public static List<Token> Tokenize(string text)
    {
        var lexer = new Lexer(text);
        lexer.Run();
        return lexer._tokens;
    }

    private int Column(int offset) => offset - _lineStart + 1;

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private void Run()
    {
        while (true)
        {
            SkipTrivia();
            if (_pos >= _text.Length)
            {
                _tokens.Add(new Token(TokenKind.EndOfInput, _text.Length, 0, _line, Column(_text.Length), null, Keyword.None));
                return;
            }

            var c = _text[_pos];
            if (IsIdentifierStart(c))
            {
                LexWord();
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
            {
                LexNumber();
            }
            else if (c == '\'')
            {
                LexString();
            }
            else if (c == '"')
            {
                LexQuotedIdentifier();
            }
            else if (c == '$')
            {
                LexParameter();
            }
            else
            {
                LexOperator(c);
            }
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';

    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '-' && Peek(1) == '-')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                SkipBlockComment();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipBlockComment()
    {
        int start = _pos, line = _line, column = Column(_pos);
        _pos += 2;
        var depth = 1;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '*' && Peek(1) == '/')
            {
                _pos += 2;
                if (--depth == 0)
                {
                    return;
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                _pos += 2;
                depth++;
            }
            else
            {
                Advance();
            }
        }

        throw new SqlParseException("unterminated /* comment", start, line, column);
    }

    /// <summary>Steps over one character, keeping line and column right across newlines.</summary>
    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }

        _pos++;
    }

    private void Add(TokenKind kind, int start, int line, int column, string? value, Keyword keyword = Keyword.None) =>
        _tokens.Add(new Token(kind, start, _pos - start, line, column, value, keyword));

    private void LexWord()
    {
        var start = _pos;
        while (_pos < _text.Length && IsIdentifierPart(_text[_pos]))
        {
            _pos++;
        }

        var raw = _text[start.._pos];
        Add(TokenKind.Identifier, start, _line, Column(start), raw.ToLowerInvariant(), Keywords.Lookup(raw));
    }

    private void LexNumber()
    {
        var start = _pos;
        var isFloat = false;
        while (char.IsAsciiDigit(Peek()))
        {
            _pos++;
        }

        if (Peek() == '.')
        {
            isFloat = true;
            _pos++;
            while (char.IsAsciiDigit(Peek()))
            {
                _pos++;
            }
        }

        if (Peek() is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (Peek() is '+' or '-')
            {
                _pos++;
            }

            if (char.IsAsciiDigit(Peek()))
            {
                isFloat = true;
                while (char.IsAsciiDigit(Peek()))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        if (_pos < _text.Length && IsIdentifierPart(_text[_pos]))
        {
            throw new SqlParseException("invalid numeric literal", start, _line, Column(start));
        }

        var text = _text[start.._pos];
        Add(isFloat ? TokenKind.Float : TokenKind.Integer, start, _line, Column(start), text);
    }

    private void LexString()
    {
        int start = _pos, line = _line, column = Column(_pos);
        var value = ReadDelimited('\'');
        if (value is null)
        {
            throw new SqlParseException("unterminated string literal", start, line, column);
        }

        Add(TokenKind.String, start, line, column, value);
    }

    private void LexQuotedIdentifier()
    {
        int start = _pos, line = _line, column = Column(_pos);
        var value = ReadDelimited('"');
        if (value is null)
        {
            throw new SqlParseException("unterminated quoted identifier", start, line, column);
        }

        if (value.Length == 0)
        {
            throw new SqlParseException("zero-length quoted identifier", start, line, column);
        }

        Add(TokenKind.QuotedIdentifier, start, line, column, value);
    }

    /// <summary>Reads a quote-delimited text where a doubled quote stands for one; null when unterminated.</summary>
    private string? ReadDelimited(char quote)
    {
        _pos++;
        var segment = _pos;
        StringBuilder? sb = null;
        while (_pos < _text.Length)
        {
            if (_text[_pos] == quote)
            {
                if (Peek(1) == quote)
                {
                    sb ??= new StringBuilder();
                    sb.Append(_text, segment, _pos - segment + 1);
                    _pos += 2;
                    segment = _pos;
                    continue;
                }

                var last = _text[segment.._pos];
                _pos++;
                return sb is null ? last : sb.Append(last).ToString();
            }

            Advance();
        }

        return null;
    }

    private void LexParameter()
    {
        var start = _pos;
        _pos++;
        while (_pos < _text.Length && IsIdentifierPart(_text[_pos]) && _text[_pos] != '$')
        {
            _pos++;
        }

        if (_pos == start + 1)
        {
            throw new SqlParseException("expected a parameter name after '$'", start, _line, Column(start));
        }

        Add(TokenKind.Parameter, start, _line, Column(start), _text[(start + 1).._pos]);
    }

    private void LexOperator(char c)
    {
        var start = _pos;
        var next = Peek(1);
        (TokenKind kind, int length) = c switch
        {
            '=' => (TokenKind.Equal, 1),
            '!' when next == '=' => (TokenKind.NotEqual, 2),
            '!' when next == '~' && Peek(2) == '*' => (TokenKind.RegexNotIMatch, 3),
            '!' when next == '~' => (TokenKind.RegexNotMatch, 2),
            '<' when next == '>' => (TokenKind.NotEqual, 2),
            '<' when next == '=' => (TokenKind.LessOrEqual, 2),
            '<' => (TokenKind.Less, 1),
            '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
            '>' => (TokenKind.Greater, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '|' when next == '|' => (TokenKind.Concat, 2),
            '~' when next == '*' => (TokenKind.RegexIMatch, 2),
            '~' => (TokenKind.RegexMatch, 1),
            ':' when next == ':' => (TokenKind.DoubleColon, 2),
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            ',' => (TokenKind.Comma, 1),
            '.' => (TokenKind.Dot, 1),
            ';' => (TokenKind.Semicolon, 1),
            '[' => (TokenKind.LeftBracket, 1),
            ']' => (TokenKind.RightBracket, 1),
            _ => (TokenKind.EndOfInput, 0),
        };

        if (length == 0)
        {
            var shown = char.IsControl(c) || char.IsSurrogate(c)
                ? string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}")
                : $"'{c}'";
            throw new SqlParseException($"unexpected character {shown}", start, _line, Column(start));
        }

        _pos += length;
        Add(kind, start, _line, Column(start), null);
    }
}
