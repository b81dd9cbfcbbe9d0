namespace Tsdb.Cli.Writing;

/// <summary>What CSV and Parquet conversion needs: the table name, which columns are tags, and the write precision.</summary>
internal sealed record WriteSourceOptions(string? Measurement, IReadOnlySet<string>? Tags, long NanosecondsPerUnit);
