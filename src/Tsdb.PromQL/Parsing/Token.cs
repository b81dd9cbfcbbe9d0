namespace Tsdb.PromQL.Parsing;

/// <summary>One lexed token: kind, text and its byte offset in the query.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool IsOperator => Kind is >= TokenKind.Add and <= TokenKind.Atan2;

    /// <summary>How Prometheus names a token in "unexpected …" messages.</summary>
    public string Describe()
    {
        if (Kind == TokenKind.Eof)
        {
            return "end of input";
        }
        if (Kind is TokenKind.Identifier or TokenKind.MetricIdentifier)
        {
            return Lexer.Quote(Text);
        }
        if (IsOperator || Kind is TokenKind.Assign)
        {
            return $"<op:{Text}>";
        }
        if (Kind is >= TokenKind.Bool and <= TokenKind.End)
        {
            return $"<{Text}>";
        }
        return Kind switch
        {
            TokenKind.LeftParen => "(",
            TokenKind.RightParen => ")",
            TokenKind.LeftBrace => "{",
            TokenKind.RightBrace => "}",
            TokenKind.LeftBracket => "[",
            TokenKind.RightBracket => "]",
            TokenKind.Comma => ",",
            TokenKind.Colon => ":",
            TokenKind.At => "@",
            TokenKind.Number => $"number \"{Text}\"",
            TokenKind.Duration => $"duration \"{Text}\"",
            TokenKind.String => $"string {Text}",
            _ => Lexer.Quote(Text),
        };
    }
}
