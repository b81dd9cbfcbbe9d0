using System.Globalization;

namespace Tsdb.Query.Sql;

/// <summary>
/// The one exception type the parser raises: for lexical errors, syntax errors and queries nested too deeply.
/// The message reads "line L, column C: detail"; <see cref="Position"/> is the offset in the query text.
/// </summary>
public sealed class SqlParseException : Exception
{
    public SqlParseException(string detail, int position, int line, int column)
        : base(string.Create(CultureInfo.InvariantCulture, $"line {line}, column {column}: {detail}"))
    {
        Detail = detail;
        Position = position;
        Line = line;
        Column = column;
    }

    /// <summary>The message without its position prefix.</summary>
    public string Detail { get; }

    /// <summary>Offset of the error in the query text (UTF-16 code units, 0-based).</summary>
    public int Position { get; }

    /// <summary>1-based line of the error.</summary>
    public int Line { get; }

    /// <summary>1-based column of the error (UTF-16 code units).</summary>
    public int Column { get; }
}
