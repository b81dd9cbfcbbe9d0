namespace Tsdb.Query.Sql.Tests;

public sealed class LexerTests
{
    [Fact]
    public void TokensCarrySpanLineAndColumn()
    {
        var tokens = Lexer.Tokenize("SELECT a,\n  \"B\"\"c\" -- x\n<> 'it''s' /* y */ $p");
        Assert.Equal(
            [
                (TokenKind.Identifier, 0, 6, 1, 1, "select"),
                (TokenKind.Identifier, 7, 1, 1, 8, "a"),
                (TokenKind.Comma, 8, 1, 1, 9, null),
                (TokenKind.QuotedIdentifier, 12, 6, 2, 3, "B\"c"),
                (TokenKind.NotEqual, 24, 2, 3, 1, null),
                (TokenKind.String, 27, 7, 3, 4, "it's"),
                (TokenKind.Parameter, 43, 2, 3, 20, "p"),
                (TokenKind.EndOfInput, 45, 0, 3, 22, null),
            ],
            tokens.Select(t => (t.Kind, t.Start, t.Length, t.Line, t.Column, t.Value)));
        Assert.Equal(Keyword.Select, tokens[0].Keyword);
        Assert.Equal(Keyword.None, tokens[1].Keyword);
    }

    [Theory]
    [InlineData("=", "Equal")]
    [InlineData("!=", "NotEqual")]
    [InlineData("<>", "NotEqual")]
    [InlineData("<", "Less")]
    [InlineData("<=", "LessOrEqual")]
    [InlineData(">", "Greater")]
    [InlineData(">=", "GreaterOrEqual")]
    [InlineData("+", "Plus")]
    [InlineData("-", "Minus")]
    [InlineData("*", "Star")]
    [InlineData("/", "Slash")]
    [InlineData("%", "Percent")]
    [InlineData("||", "Concat")]
    [InlineData("~", "RegexMatch")]
    [InlineData("!~", "RegexNotMatch")]
    [InlineData("~*", "RegexIMatch")]
    [InlineData("!~*", "RegexNotIMatch")]
    [InlineData("::", "DoubleColon")]
    [InlineData("(", "LeftParen")]
    [InlineData(")", "RightParen")]
    [InlineData(",", "Comma")]
    [InlineData(".", "Dot")]
    [InlineData(";", "Semicolon")]
    [InlineData("42", "Integer")]
    [InlineData("4.2", "Float")]
    [InlineData(".5", "Float")]
    [InlineData("5.", "Float")]
    [InlineData("1e6", "Float")]
    [InlineData("1E-6", "Float")]
    [InlineData("'x'", "String")]
    [InlineData("\"x\"", "QuotedIdentifier")]
    [InlineData("$x", "Parameter")]
    [InlineData("_x1$", "Identifier")]
    public void SingleTokens(string text, string kind)
    {
        var tokens = Lexer.Tokenize(text);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(kind, tokens[0].Kind.ToString());
        Assert.Equal(text.Length, tokens[0].Length);
    }

    [Fact]
    public void UnquotedIdentifiersFoldToLowerCaseQuotedKeepCase()
    {
        var tokens = Lexer.Tokenize("HostName \"HostName\" sElEcT");
        Assert.Equal("hostname", tokens[0].Value);
        Assert.Equal("HostName", tokens[1].Value);
        Assert.Equal(Keyword.None, tokens[1].Keyword);
        Assert.Equal(Keyword.Select, tokens[2].Keyword);
    }
}
