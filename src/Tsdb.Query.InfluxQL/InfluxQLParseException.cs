namespace Tsdb.Query.InfluxQL;

/// <summary>
/// The one exception the InfluxQL parser raises. <see cref="Exception.Message"/> is worded as InfluxDB 1.x words
/// the error (e.g. "found EOF, expected identifier, string, number, bool at line 1, char 8"), so clients that match
/// on 1.x's text keep working; the HTTP layer prefixes "error parsing query: " as 1.x does.
/// </summary>
public sealed class InfluxQLParseException : Exception
{
    public InfluxQLParseException(string message, int position, int line, int @char)
        : base(message)
    {
        Position = position;
        Line = line;
        Char = @char;
    }

    /// <summary>The same text as <see cref="Exception.Message"/> (1.x's wording, position included where 1.x includes it).</summary>
    public string Detail => Message;

    /// <summary>Offset of the error in the query text (UTF-16 code units, 0-based).</summary>
    public int Position { get; }

    /// <summary>1-based line, as 1.x counts it.</summary>
    public int Line { get; }

    /// <summary>1-based character within the line, as 1.x counts it (code points; one more at EOF after a word).</summary>
    public int Char { get; }
}
