namespace Tsdb.Cli.Writing;

/// <summary>A row that was not written: where it came from, why (the server's message, or the converter's), and the row itself.</summary>
internal sealed record Rejection(string Source, long Line, string Message, string Original);
