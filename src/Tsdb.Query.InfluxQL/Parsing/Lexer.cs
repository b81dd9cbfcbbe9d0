using System.Text;

namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>
/// Scans one token at a given offset, on demand: whether <c>/</c> opens a regex depends on where the parser is (as
/// in 1.x, whose parser asks its scanner for a regex only where one may appear), so the parser drives the lexer.
/// Lexical trouble is not thrown here: like 1.x's scanner it becomes a token (bad string, bad escape, stray
/// character) that the parser reports as "found X, expected Y".
/// </summary>
internal sealed class Lexer(string text)
{
    private readonly string _text = text;

    /// <summary>
    /// Set once a scan ran into the end of the text (a bare word, whitespace or a comment reaching it). 1.x's reader
    /// counts that read as one more character, so its errors at EOF then say one char further; we match them.
    /// </summary>
    public bool EndConsumed { get; private set; }

    public string Text => _text;

    private char At(int i) => i < _text.Length ? _text[i] : '\0';

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r';

    private static bool IsLetter(char c) => char.IsAsciiLetter(c);

    private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Skips whitespace and comments; an unterminated block comment is returned as an illegal token.</summary>
    private int SkipTrivia(int i, out Token? illegal)
    {
        illegal = null;
        while (i < _text.Length)
        {
            var c = _text[i];
            if (IsWhitespace(c))
            {
                i++;
                if (i == _text.Length)
                {
                    EndConsumed = true;
                }
            }
            else if (c == '-' && At(i + 1) == '-')
            {
                var newline = _text.IndexOfAny(['\n', '\r'], i);
                if (newline < 0)
                {
                    EndConsumed = true;
                    return _text.Length;
                }

                i = newline;
            }
            else if (c == '/' && At(i + 1) == '*')
            {
                var close = _text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    EndConsumed = true;
                    illegal = new Token(TokenKind.Illegal, i, _text.Length, null);
                    return _text.Length;
                }

                i = close + 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    public Token Scan(int offset)
    {
        var i = SkipTrivia(offset, out var illegal);
        if (illegal is { } bad)
        {
            return bad;
        }

        if (i >= _text.Length)
        {
            return new Token(TokenKind.EndOfInput, _text.Length, _text.Length, null);
        }

        var c = _text[i];
        if (IsLetter(c) || c == '_')
        {
            return ScanWord(i);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(i + 1))))
        {
            return ScanNumber(i);
        }

        switch (c)
        {
            case '"':
                return ScanQuoted(i, TokenKind.Identifier);
            case '\'':
                return ScanQuoted(i, TokenKind.String);
            case '$':
                return ScanParameter(i);
        }

        var next = At(i + 1);
        (TokenKind kind, int length) = c switch
        {
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '&' => (TokenKind.Ampersand, 1),
            '|' => (TokenKind.Pipe, 1),
            '^' => (TokenKind.Caret, 1),
            '=' when next == '~' => (TokenKind.RegexMatch, 2),
            '=' => (TokenKind.Equal, 1),
            '!' when next == '=' => (TokenKind.NotEqual, 2),
            '!' when next == '~' => (TokenKind.RegexNotMatch, 2),
            '<' when next == '=' => (TokenKind.LessOrEqual, 2),
            '<' when next == '>' => (TokenKind.NotEqual, 2),
            '<' => (TokenKind.Less, 1),
            '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
            '>' => (TokenKind.Greater, 1),
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            ',' => (TokenKind.Comma, 1),
            ';' => (TokenKind.Semicolon, 1),
            ':' when next == ':' => (TokenKind.DoubleColon, 2),
            ':' => (TokenKind.Colon, 1),
            '.' => (TokenKind.Dot, 1),
            _ => (TokenKind.Illegal, 0),
        };

        if (kind == TokenKind.Illegal)
        {
            // A whole code point, so a stray emoji is shown as itself rather than half a surrogate pair.
            var width = char.IsHighSurrogate(c) && char.IsLowSurrogate(At(i + 1)) ? 2 : 1;
            return new Token(TokenKind.Illegal, i, i + width, _text.Substring(i, width));
        }

        return new Token(kind, i, i + length, null);
    }

    /// <summary>Scans a <c>/regex/</c> at <paramref name="offset"/> (after trivia), where the parser allows one.</summary>
    public Token ScanRegex(int offset)
    {
        var start = SkipTrivia(offset, out _);
        if (At(start) != '/')
        {
            return Scan(offset);
        }

        var sb = new StringBuilder();
        var i = start + 1;
        while (true)
        {
            if (i >= _text.Length)
            {
                EndConsumed = true;
                return new Token(TokenKind.BadRegex, start, _text.Length, string.Empty);
            }

            var c = _text[i];
            if (c == '/')
            {
                return new Token(TokenKind.Regex, start, i + 1, sb.ToString());
            }

            if (c is '\n' or '\r')
            {
                return new Token(TokenKind.BadRegex, start, i, string.Empty);
            }

            // Only \/ is an escape; any other backslash stays, for the regex engine to read.
            if (c == '\\' && At(i + 1) == '/')
            {
                sb.Append('/');
                i += 2;
                continue;
            }

            sb.Append(c);
            i++;
        }
    }

    private Token ScanWord(int start)
    {
        var i = start;
        while (i < _text.Length && IsIdentChar(_text[i]))
        {
            i++;
        }

        if (i == _text.Length)
        {
            EndConsumed = true;
        }

        var word = _text[start..i];
        var keyword = Keywords.Lookup(word);
        return keyword == Keyword.None
            ? new Token(TokenKind.Identifier, start, i, word)
            : new Token(TokenKind.Keyword, start, i, word, keyword);
    }

    private Token ScanParameter(int start)
    {
        var i = start + 1;
        string name;
        if (At(i) == '"')
        {
            var quoted = ScanQuoted(i, TokenKind.Identifier);
            if (quoted.Kind != TokenKind.Identifier)
            {
                return quoted;
            }

            name = quoted.Value!;
            i = quoted.End;
        }
        else
        {
            while (i < _text.Length && IsIdentChar(_text[i]))
            {
                i++;
            }

            if (i == _text.Length)
            {
                EndConsumed = true;
            }

            name = _text[(start + 1)..i];
        }

        return new Token(TokenKind.BoundParameter, start, i, name);
    }

    /// <summary>
    /// 1.x's number scan: digits with an optional fraction; digits followed by a letter (no fraction) start a
    /// duration, which runs on over letters and digits (so <c>1h30m</c> is one token and <c>1e3</c> an invalid
    /// duration); <c>10.5h</c> is the number 10.5 and then the identifier h.
    /// </summary>
    private Token ScanNumber(int start)
    {
        var i = start;
        while (char.IsAsciiDigit(At(i)))
        {
            i++;
        }

        if (At(i) == '.')
        {
            i++;
            while (char.IsAsciiDigit(At(i)))
            {
                i++;
            }

            // "1." is the number 1 (1.x drops the dot with it).
            var text = _text[start..i];
            return new Token(TokenKind.Number, start, i, text.EndsWith('.') ? text[..^1] : text);
        }

        if (IsLetter(At(i)) || At(i) == 'µ')
        {
            while (i < _text.Length && (IsIdentChar(_text[i]) && _text[i] != '_' || _text[i] == 'µ'))
            {
                i++;
            }

            return new Token(TokenKind.Duration, start, i, _text[start..i]);
        }

        return new Token(TokenKind.Integer, start, i, _text[start..i]);
    }

    /// <summary>
    /// A single-quoted string or double-quoted identifier. Escapes are <c>\n \\ \" \'</c>; any other is a bad escape
    /// (reported at the escape), and a newline or the end of the text before the closing quote a bad string.
    /// </summary>
    /// <summary>Just past the closing quote (or at the newline or end that cuts the text short), escapes stepped over.</summary>
    private int EndOfQuoted(int i, char quote)
    {
        while (i < _text.Length && _text[i] is not ('\n' or '\r'))
        {
            if (_text[i] == quote)
            {
                return i + 1;
            }

            i += _text[i] == '\\' ? 2 : 1;
        }

        return Math.Min(i, _text.Length);
    }

    private Token ScanQuoted(int start, TokenKind kind)
    {
        var quote = _text[start];
        var sb = new StringBuilder();
        var i = start + 1;
        while (true)
        {
            if (i >= _text.Length)
            {
                EndConsumed = true;
                return new Token(TokenKind.BadString, start, _text.Length, sb.ToString());
            }

            var c = _text[i];
            if (c == quote)
            {
                return new Token(kind, start, i + 1, sb.ToString());
            }

            if (c is '\n' or '\r')
            {
                return new Token(TokenKind.BadString, start, i, sb.ToString());
            }

            if (c == '\\')
            {
                var e = At(i + 1);
                switch (e)
                {
                    case 'n':
                        sb.Append('\n');
                        break;
                    case '\\' or '"' or '\'':
                        sb.Append(e);
                        break;
                    default:
                        // 1.x places a bad escape at the character after the backslash.
                        // The token still spans the rest of the string, so skipping it does not lex the string's inside.
                        var shown = i + 1 < _text.Length ? _text.Substring(i, 2) : "\\";
                        return new Token(TokenKind.BadEscape, i + 1, EndOfQuoted(i + 2, quote), shown);
                }

                i += 2;
                continue;
            }

            sb.Append(c);
            i++;
        }
    }
}
