namespace Tsdb.EndToEnd.Tests.InfluxQL;

/// <summary>One line of corpus.txt; <paramref name="Epoch"/> is the <c>epoch</c> parameter to send (null: none, RFC3339 times).</summary>
public sealed record InfluxQLCorpusEntry(string Query, string Group, int Line, bool ExpectError, bool ExpectEmpty, bool AnySeriesOrder = false, string? Epoch = "ns");
