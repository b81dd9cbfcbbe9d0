namespace Tsdb.LineProtocol;

/// <summary>
/// A line that could not be parsed. <see cref="LineNumber"/> is 1-based (counting blank and comment lines),
/// <see cref="Column"/> is the 1-based byte column of the offending byte within the line (one past the end when
/// something is missing at the end), and <see cref="OriginalLine"/> is the line without its line break.
/// </summary>
public readonly record struct LineError(int LineNumber, int Column, string Message, string OriginalLine)
{
    public override string ToString() => $"line {LineNumber}, column {Column}: {Message}: {OriginalLine}";
}
