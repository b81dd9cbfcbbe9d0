namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>
/// One token: <see cref="Value"/> is the decoded text of identifiers, strings and regexes, the literal text of
/// numbers and durations, the name of a <c>$param</c>, or the stray character; operators have none.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, string? Value, Keyword Keyword = Keyword.None)
{
    public bool IsKeyword(Keyword keyword) => Kind == TokenKind.Keyword && Keyword == keyword;
}
