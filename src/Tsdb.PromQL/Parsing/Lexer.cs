using System.Globalization;
using System.Text;

namespace Tsdb.PromQL.Parsing;

/// <summary>
/// Turns a PromQL query into tokens. Inside <c>[…]</c> a colon separates a subquery's range and step; elsewhere
/// it is part of a metric name (recording rules use names like <c>job:rate5m</c>).
/// </summary>
internal static class Lexer
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["unless"] = TokenKind.Unless,
        ["atan2"] = TokenKind.Atan2,
        ["bool"] = TokenKind.Bool,
        ["by"] = TokenKind.By,
        ["without"] = TokenKind.Without,
        ["on"] = TokenKind.On,
        ["ignoring"] = TokenKind.Ignoring,
        ["group_left"] = TokenKind.GroupLeft,
        ["group_right"] = TokenKind.GroupRight,
        ["offset"] = TokenKind.Offset,
        ["start"] = TokenKind.Start,
        ["end"] = TokenKind.End,
    };

    /// <summary>
    /// The tokens of <paramref name="input"/>. A lexical error becomes an <see cref="TokenKind.Error"/> token where it
    /// occurs, so the parser reports whichever problem comes first in the text, as Prometheus' lazy lexer does.
    /// </summary>
    public static List<Token> Tokenize(string input)
    {
        var tokens = new List<Token>();
        try
        {
            TokenizeInto(input, tokens);
        }
        catch (PromQLException e)
        {
            tokens.Add(new Token(TokenKind.Error, e.Message, tokens.Count > 0 ? tokens[^1].Position : 0));
            tokens.Add(new Token(TokenKind.Eof, "", input.Length));
        }
        return tokens;
    }

    private static void TokenizeInto(string input, List<Token> tokens)
    {
        var bracketDepth = 0;
        var braceDepth = 0;
        var parenDepth = 0;
        var i = 0;
        while (true)
        {
            while (i < input.Length && char.IsWhiteSpace(input[i]))
            {
                i++;
            }
            if (i < input.Length && input[i] == '#')
            {
                while (i < input.Length && input[i] != '\n')
                {
                    i++;
                }
                continue;
            }
            if (i >= input.Length)
            {
                if (braceDepth > 0)
                {
                    throw Error(input, input.Length, "unexpected end of input inside braces");
                }
                if (bracketDepth > 0)
                {
                    throw Error(input, input.Length, "unexpected end of input in duration expression");
                }
                if (parenDepth > 0)
                {
                    throw Error(input, input.Length, "unclosed left parenthesis");
                }
                tokens.Add(new Token(TokenKind.Eof, "", input.Length));
                return;
            }
            var start = i;
            var c = input[i];
            if (braceDepth > 0 && !IsAllowedInBraces(input, i))
            {
                throw Error(input, i, "unexpected character inside braces: " + QuoteChar(c));
            }
            if (bracketDepth > 0 && braceDepth == 0 && !(char.IsAsciiLetterOrDigit(c) || c is ':' or ']' or '.' or '+' or '-' or '_' or '(' or ')'))
            {
                throw Error(input, i, "unexpected character in duration expression: " + QuoteChar(c));
            }
            switch (c)
            {
                case '(':
                    parenDepth++;
                    tokens.Add(new Token(TokenKind.LeftParen, "(", i++));
                    continue;
                case ')':
                    if (--parenDepth < 0)
                    {
                        throw Error(input, i + 1, "unexpected right parenthesis ')'");
                    }
                    tokens.Add(new Token(TokenKind.RightParen, ")", i++));
                    continue;
                case '{':
                    braceDepth++;
                    tokens.Add(new Token(TokenKind.LeftBrace, "{", i++));
                    continue;
                case '}':
                    if (braceDepth == 0)
                    {
                        throw Error(input, i, "unexpected character: '}'");
                    }
                    braceDepth--;
                    tokens.Add(new Token(TokenKind.RightBrace, "}", i++));
                    continue;
                case '[':
                    bracketDepth++;
                    tokens.Add(new Token(TokenKind.LeftBracket, "[", i++));
                    continue;
                case ']':
                    bracketDepth = Math.Max(0, bracketDepth - 1);
                    tokens.Add(new Token(TokenKind.RightBracket, "]", i++));
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", i++));
                    continue;
                case '@':
                    tokens.Add(new Token(TokenKind.At, "@", i++));
                    continue;
                case '+':
                    tokens.Add(new Token(TokenKind.Add, "+", i++));
                    continue;
                case '-':
                    tokens.Add(new Token(TokenKind.Sub, "-", i++));
                    continue;
                case '*':
                    tokens.Add(new Token(TokenKind.Mul, "*", i++));
                    continue;
                case '/':
                    tokens.Add(new Token(TokenKind.Div, "/", i++));
                    continue;
                case '%':
                    tokens.Add(new Token(TokenKind.Mod, "%", i++));
                    continue;
                case '^':
                    tokens.Add(new Token(TokenKind.Pow, "^", i++));
                    continue;
                case '=':
                    if (Peek(input, i + 1) == '=' && braceDepth == 0)
                    {
                        tokens.Add(new Token(TokenKind.Eql, "==", i));
                        i += 2;
                    }
                    else if (Peek(input, i + 1) == '~')
                    {
                        if (braceDepth == 0)
                        {
                            throw Error(input, i, "unexpected character after '=': '~'");
                        }
                        tokens.Add(new Token(TokenKind.EqlRegex, "=~", i));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Assign, "=", i++));
                    }
                    continue;
                case '!':
                    if (Peek(input, i + 1) == '=')
                    {
                        tokens.Add(new Token(TokenKind.Neq, "!=", i));
                        i += 2;
                        continue;
                    }
                    if (Peek(input, i + 1) == '~')
                    {
                        if (braceDepth == 0)
                        {
                            throw Error(input, i, "unexpected character after '!': '~'");
                        }
                        tokens.Add(new Token(TokenKind.NeqRegex, "!~", i));
                        i += 2;
                        continue;
                    }
                    throw Error(input, i, "unexpected character after '!': " + QuoteChar(Peek(input, i + 1)));
                case '<':
                    if (Peek(input, i + 1) == '=')
                    {
                        tokens.Add(new Token(TokenKind.Lte, "<=", i));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Lss, "<", i++));
                    }
                    continue;
                case '>':
                    if (Peek(input, i + 1) == '=')
                    {
                        tokens.Add(new Token(TokenKind.Gte, ">=", i));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Gtr, ">", i++));
                    }
                    continue;
                case '"' or '\'' or '`':
                    tokens.Add(new Token(TokenKind.String, ReadString(input, ref i), start));
                    continue;
                case ':' when bracketDepth > 0:
                    tokens.Add(new Token(TokenKind.Colon, ":", i++));
                    continue;
                default:
                    break;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(input, i + 1))))
            {
                tokens.Add(ReadNumberOrDuration(input, ref i));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_' || c == ':')
            {
                // Label names (inside braces) cannot contain colons; metric names can.
                while (i < input.Length && (char.IsAsciiLetterOrDigit(input[i]) || input[i] == '_' || (input[i] == ':' && braceDepth == 0)))
                {
                    i++;
                }
                var text = input[start..i];
                if (Keywords.TryGetValue(text, out var keyword))
                {
                    tokens.Add(new Token(keyword, text, start));
                }
                else if (text.Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Equals("nan", StringComparison.OrdinalIgnoreCase))
                {
                    tokens.Add(new Token(TokenKind.Number, text, start));
                }
                else
                {
                    tokens.Add(new Token(text.Contains(':', StringComparison.Ordinal) ? TokenKind.MetricIdentifier : TokenKind.Identifier, text, start));
                }
                continue;
            }
            throw Error(input, i, "unexpected character: " + QuoteChar(c));
        }
    }

    private static char Peek(string input, int i) => i < input.Length ? input[i] : '\0';

    /// <summary>Inside <c>{…}</c> only label names, strings, matching operators, commas and the closing brace may appear.</summary>
    private static bool IsAllowedInBraces(string input, int i)
    {
        var c = input[i];
        return char.IsAsciiLetter(c) || c is '_' or '"' or '\'' or '`' or '=' or ',' or '}' or '#'
            || (c == '!' && Peek(input, i + 1) is '=' or '~');
    }

    private static Token ReadNumberOrDuration(string input, ref int i)
    {
        var start = i;
        if (input[i] == '0' && (Peek(input, i + 1) is 'x' or 'X'))
        {
            i += 2;
            while (i < input.Length && char.IsAsciiHexDigit(input[i]))
            {
                i++;
            }
            if (i == start + 2 || (i < input.Length && (char.IsAsciiLetterOrDigit(input[i]) || input[i] is '_' or '.')))
            {
                throw Error(input, start, $"bad number or duration syntax: \"{input[start..Math.Min(input.Length, i + 1)]}\"");
            }
            return new Token(TokenKind.Number, input[start..i], start);
        }
        while (i < input.Length && char.IsAsciiDigit(input[i]))
        {
            i++;
        }
        // A duration: digits followed by a unit, repeated (1h30m).
        if (i < input.Length && IsUnitStart(input, i))
        {
            i = start;
            while (i < input.Length && char.IsAsciiDigit(input[i]))
            {
                while (i < input.Length && char.IsAsciiDigit(input[i]))
                {
                    i++;
                }
                if (!IsUnitStart(input, i))
                {
                    throw Error(input, start, $"bad number or duration syntax: \"{input[start..i]}\"");
                }
                i += input[i] == 'm' && Peek(input, i + 1) == 's' ? 2 : 1;
            }
            if (i < input.Length && (char.IsAsciiLetterOrDigit(input[i]) || input[i] == '_' || input[i] == '.'))
            {
                throw Error(input, start, $"bad number or duration syntax: \"{input[start..(i + 1)]}\"");
            }
            return new Token(TokenKind.Duration, input[start..i], start);
        }
        if (i < input.Length && input[i] == '.')
        {
            i++;
            while (i < input.Length && char.IsAsciiDigit(input[i]))
            {
                i++;
            }
        }
        if (i < input.Length && input[i] is 'e' or 'E')
        {
            var save = i;
            i++;
            if (i < input.Length && input[i] is '+' or '-')
            {
                i++;
            }
            if (i < input.Length && char.IsAsciiDigit(input[i]))
            {
                while (i < input.Length && char.IsAsciiDigit(input[i]))
                {
                    i++;
                }
            }
            else
            {
                i = save;
            }
        }
        if (i < input.Length && (char.IsAsciiLetterOrDigit(input[i]) || input[i] == '_' || input[i] == '.'))
        {
            throw Error(input, start, $"bad number or duration syntax: \"{input[start..(i + 1)]}\"");
        }
        return new Token(TokenKind.Number, input[start..i], start);
    }

    private static bool IsUnitStart(string input, int i) =>
        i < input.Length && input[i] is 's' or 'm' or 'h' or 'd' or 'w' or 'y';

    private static string ReadString(string input, ref int i)
    {
        var quote = input[i];
        var start = i;
        i++;
        if (quote == '`')
        {
            var end = input.IndexOf('`', i);
            if (end < 0)
            {
                throw Error(input, start, "unterminated raw string");
            }
            var raw = input[i..end];
            i = end + 1;
            return raw;
        }
        var bytes = new List<byte>();
        Span<byte> utf8 = stackalloc byte[4];
        while (true)
        {
            if (i >= input.Length || input[i] == '\n')
            {
                throw Error(input, start, "unterminated quoted string");
            }
            var c = input[i];
            if (c == quote)
            {
                i++;
                return DecodeBytes(bytes);
            }
            if (c != '\\')
            {
                var rune = Rune.GetRuneAt(input, i);
                var n = rune.EncodeToUtf8(utf8);
                for (var k = 0; k < n; k++)
                {
                    bytes.Add(utf8[k]);
                }
                i += rune.Utf16SequenceLength;
                continue;
            }
            i++;
            if (i >= input.Length)
            {
                throw Error(input, start, "escape sequence not terminated");
            }
            var e = Peek(input, i);
            i++;
            switch (e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '\'' or '"' when e == quote: bytes.Add((byte)e); break;
                case 'x':
                    bytes.Add((byte)ParseDigits(input, ref i, 2, 16, start));
                    break;
                case >= '0' and <= '7':
                    i--;
                    var octal = ParseDigits(input, ref i, 3, 8, start);
                    if (octal > 255)
                    {
                        throw Error(input, start, "octal escape value > 255");
                    }
                    bytes.Add((byte)octal);
                    break;
                case 'u' or 'U':
                    var code = ParseDigits(input, ref i, e == 'u' ? 4 : 8, 16, start);
                    if (code > 0x10FFFF || (code is >= 0xD800 and <= 0xDFFF))
                    {
                        throw Error(input, start, "escape sequence is an invalid Unicode code point");
                    }
                    var n = new Rune(code).EncodeToUtf8(utf8);
                    for (var k = 0; k < n; k++)
                    {
                        bytes.Add(utf8[k]);
                    }
                    break;
                default:
                    throw Error(input, start, "unknown escape sequence " + GoRune(e));
            }
        }
    }

    private static int ParseDigits(string input, ref int i, int count, int radix, int start)
    {
        var value = 0;
        for (var k = 0; k < count; k++)
        {
            var c = Peek(input, i);
            var digit = radix == 16 && char.IsAsciiHexDigit(c) ? Convert.ToInt32(c.ToString(), 16)
                : radix == 8 && c is >= '0' and <= '7' ? c - '0' : -1;
            if (digit < 0)
            {
                throw Error(input, start, "illegal character " + GoRune(c) + " in escape sequence");
            }
            value = (value * radix) + digit;
            i++;
        }
        return value;
    }

    /// <summary>
    /// UTF-8 decode; a byte that is not valid UTF-8 becomes the lone surrogate U+DC00+byte so that it can be
    /// reported back as <c>\xNN</c> (Go strings are bytes; label names must be valid UTF-8).
    /// </summary>
    private static string DecodeBytes(List<byte> bytes)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        var builder = new StringBuilder(span.Length);
        while (span.Length > 0)
        {
            if (Rune.DecodeFromUtf8(span, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
                span = span[consumed..];
            }
            else
            {
                builder.Append((char)(0xDC00 + span[0]));
                span = span[1..];
            }
        }
        return builder.ToString();
    }

    /// <summary>True when <paramref name="s"/> holds only valid Unicode (no undecodable bytes).</summary>
    public static bool IsValidUtf8(string s)
    {
        foreach (var c in s)
        {
            if (char.IsSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Go's %q: double quotes, escapes, undecodable bytes as \xNN.</summary>
    public static string Quote(string s)
    {
        var builder = new StringBuilder(s.Length + 2);
        builder.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                case '\r': builder.Append("\\r"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        builder.Append(c).Append(s[i + 1]);
                        i++;
                    }
                    else if (c is >= (char)0xDC80 and <= (char)0xDCFF)
                    {
                        builder.Append("\\x").Append(((int)c - 0xDC00).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (c < ' ' || c == 0x7f)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                    {
                        // Not printable: Go writes \u plus four hex digits.
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        builder.Append('"');
        return builder.ToString();
    }

    /// <summary>Go's %#U: <c>U+0063 'c'</c>.</summary>
    private static string GoRune(char c) => $"U+{(int)c:X4} '{c}'";

    private static string QuoteChar(char c) => c == '\0' ? "end of input" : "'" + c + "'";

    public static PromQLException Error(string input, int position, string message)
    {
        var (line, column) = LineColumn(input, position);
        return new PromQLException(PromQLErrorType.BadData, $"{line}:{column}: parse error: {message}");
    }

    public static (int Line, int Column) LineColumn(string input, int position)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < position && i < input.Length; i++)
        {
            if (input[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, position - lineStart + 1);
    }
}
