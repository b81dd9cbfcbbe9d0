namespace Tsdb.Query.Sql;

/// <summary>
/// One token. <see cref="Value"/> holds the decoded text of identifiers (lower-cased unless quoted), strings,
/// numbers and parameter names; punctuation has none.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length, int Line, int Column, string? Value, Keyword Keyword)
{
    public TextSpan Span => new(Start, Length);

    public int End => Start + Length;
}
