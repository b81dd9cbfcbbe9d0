namespace Tsdb.Cli.Output;

/// <summary>
/// Rows the CLI builds itself (PromQL answers, SHOW lists, CSV read back for pretty tables): column names and
/// values; a value is a string, a double, a bool, or null. Numbers print in JSON as numbers.
/// </summary>
internal sealed record RowSet(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);
