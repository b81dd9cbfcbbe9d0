using Tsdb.Query.InfluxQL.Parsing;

namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>The scanner on its own: token kinds and values as 1.x's scanner produces them.</summary>
public sealed class LexerTests
{
    private static List<Token> Tokens(string text)
    {
        var lexer = new Lexer(text);
        var tokens = new List<Token>();
        var offset = 0;
        while (true)
        {
            var t = lexer.Scan(offset);
            if (t.Kind == TokenKind.EndOfInput)
            {
                return tokens;
            }

            tokens.Add(t);
            offset = t.End;
        }
    }

    private static Token Single(string text) => Assert.Single(Tokens(text));

    [Theory]
    [InlineData("10ns")]
    [InlineData("5u")]
    [InlineData("5µ")]
    [InlineData("100ms")]
    [InlineData("1h30m")]
    [InlineData("1e3")]
    [InlineData("2w")]
    public void DurationsAreOneToken(string text)
    {
        var t = Single(text);
        Assert.Equal(TokenKind.Duration, t.Kind);
        Assert.Equal(text, t.Value);
    }

    [Theory]
    [InlineData("1", "Integer", "1")]
    [InlineData("18446744073709551616", "Integer", "18446744073709551616")]
    [InlineData("1.5", "Number", "1.5")]
    [InlineData(".5", "Number", ".5")]
    [InlineData("1.", "Number", "1")]
    [InlineData("'a\\'b\\\\c\\nd\\\"e'", "String", "a'b\\c\nd\"e")]
    [InlineData("\"a \\\"b\\\"\"", "Identifier", "a \"b\"")]
    [InlineData("_cpu_1", "Identifier", "_cpu_1")]
    [InlineData("$host", "BoundParameter", "host")]
    [InlineData("$\"my param\"", "BoundParameter", "my param")]
    [InlineData("$1", "BoundParameter", "1")]
    [InlineData("'abc", "BadString", "abc")]
    [InlineData("'a\\qb'", "BadEscape", "\\q")]
    [InlineData("#", "Illegal", "#")]
    [InlineData("é", "Illegal", "é")]
    [InlineData("/* open", "Illegal", null)]
    public void Literals(string text, string kind, string? value)
    {
        var t = Single(text);
        Assert.Equal(Enum.Parse<TokenKind>(kind), t.Kind);
        Assert.Equal(value, t.Value);
    }

    [Fact]
    public void AFractionBeforeAUnitIsANumberThenAnIdentifier() =>
        Assert.Equal([TokenKind.Number, TokenKind.Identifier], Tokens("10.5h").Select(t => t.Kind));

    [Theory]
    [InlineData("select", "Select")]
    [InlineData("SeLeCt", "Select")]
    [InlineData("TRUE", "True")]
    [InlineData("and", "And")]
    [InlineData("cardinality", "Cardinality")]
    public void KeywordsAreCaseInsensitive(string text, string keyword)
    {
        var t = Single(text);
        Assert.Equal(TokenKind.Keyword, t.Kind);
        Assert.Equal(Enum.Parse<Keyword>(keyword), t.Keyword);
    }

    [Fact]
    public void OperatorsAndPunctuation() =>
        Assert.Equal(
            [
                TokenKind.Plus, TokenKind.Minus, TokenKind.Star, TokenKind.Slash, TokenKind.Percent, TokenKind.Ampersand,
                TokenKind.Pipe, TokenKind.Caret, TokenKind.Equal, TokenKind.NotEqual, TokenKind.NotEqual, TokenKind.Less,
                TokenKind.LessOrEqual, TokenKind.Greater, TokenKind.GreaterOrEqual, TokenKind.RegexMatch, TokenKind.RegexNotMatch,
                TokenKind.LeftParen, TokenKind.RightParen, TokenKind.Comma, TokenKind.Semicolon, TokenKind.Dot, TokenKind.DoubleColon,
                TokenKind.Colon, TokenKind.Illegal,
            ],
            Tokens("+ - * / % & | ^ = != <> < <= > >= =~ !~ ( ) , ; . :: : !").Select(t => t.Kind));

    [Fact]
    public void CommentsAndWhitespaceAreSkipped() =>
        Assert.Equal(["a", "b", "c"], Tokens("a -- one\n\t/* two\n */ b\r\nc -- end").Select(t => t.Value));

    [Fact]
    public void RegexesAreScannedOnlyWhenAsked()
    {
        var lexer = new Lexer(@" /a\/b\d/ x");
        Assert.Equal(TokenKind.Slash, lexer.Scan(0).Kind);
        var re = lexer.ScanRegex(0);
        Assert.Equal(TokenKind.Regex, re.Kind);
        Assert.Equal(@"a/b\d", re.Value);
        Assert.Equal(TokenKind.BadRegex, new Lexer("/abc").ScanRegex(0).Kind);
        Assert.Equal(TokenKind.BadRegex, new Lexer("/a\nb/").ScanRegex(0).Kind);
    }

    [Fact]
    public void ABadEscapeIsPlacedAfterTheBackslashAndSpansTheString()
    {
        var t = Tokens("'a\\qb;c' x");
        Assert.Equal(TokenKind.BadEscape, t[0].Kind);
        Assert.Equal(3, t[0].Start);
        Assert.Equal("x", t[1].Value);
    }
}
