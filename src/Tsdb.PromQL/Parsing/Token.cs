namespace Tsdb.PromQL.Parsing;

/// <summary>One lexed token: kind, text and its byte offset in the query.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool IsOperator => Kind is >= TokenKind.Add and <= TokenKind.Atan2;

    /// <summary>How Prometheus names a token in "unexpected …" messages (lex.go: Item.desc).</summary>
    public string Describe()
    {
        if (Kind == TokenKind.Eof)
        {
            return "end of input";
        }
        if (Kind == TokenKind.Error)
        {
            return Text;
        }
        if (Kind == TokenKind.Identifier)
        {
            return IsAggregatorName(Text) ? $"<aggr:{Text}>" : "identifier " + Lexer.Quote(Text);
        }
        if (Kind == TokenKind.MetricIdentifier)
        {
            return "metric identifier " + Lexer.Quote(Text);
        }
        if (IsOperator || Kind is TokenKind.EqlRegex or TokenKind.NeqRegex or TokenKind.At)
        {
            return $"<op:{Text}>";
        }
        if (Kind is >= TokenKind.Bool and <= TokenKind.End)
        {
            return $"<{Text}>";
        }
        return Kind switch
        {
            TokenKind.Number => "number " + Lexer.Quote(Text),
            TokenKind.Duration => "duration " + Lexer.Quote(Text),
            TokenKind.String => "string " + Lexer.Quote("\"" + Text + "\""),
            _ => Lexer.Quote(Text),
        };
    }

    private static bool IsAggregatorName(string text) => text.ToLowerInvariant() is "sum" or "avg" or "count" or "min" or "max"
        or "group" or "stddev" or "stdvar" or "topk" or "bottomk" or "count_values" or "quantile" or "limitk" or "limit_ratio";
}
