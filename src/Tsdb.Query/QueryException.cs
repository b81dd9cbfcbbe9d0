using System.Globalization;

namespace Tsdb.Query;

/// <summary>
/// A query the engine cannot answer: unknown names, wrong types, unsupported constructs. The message reads
/// "line L, column C: detail" when the position is known.
/// </summary>
public sealed class QueryException : Exception
{
    public QueryException(string message) : base(message) => Detail = message;

    public QueryException(string detail, int line, int column)
        : base(string.Create(CultureInfo.InvariantCulture, $"line {line}, column {column}: {detail}"))
    {
        Detail = detail;
        Line = line;
        Column = column;
    }

    public string Detail { get; }

    public int? Line { get; }

    public int? Column { get; }
}
