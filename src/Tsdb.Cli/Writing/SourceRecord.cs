namespace Tsdb.Cli.Writing;

/// <summary>
/// One input row: its line-protocol <paramref name="Line"/>, or the <paramref name="Error"/> that kept it from being
/// converted. <paramref name="Number"/> is the line in the input file (the row, for Parquet), for the summary.
/// </summary>
internal readonly record struct SourceRecord(long Number, string? Line, string? Error, string Original);
