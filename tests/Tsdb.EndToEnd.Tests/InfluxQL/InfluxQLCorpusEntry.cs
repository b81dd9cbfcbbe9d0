namespace Tsdb.EndToEnd.Tests.InfluxQL;

/// <summary>One line of corpus.txt.</summary>
public sealed record InfluxQLCorpusEntry(string Query, string Group, int Line, bool ExpectError, bool ExpectEmpty, bool AnySeriesOrder = false);
