namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>The valid statements of corpus.influxql (one per line), shared by the round-trip and fuzz tests.</summary>
internal static class Corpus
{
    private static readonly Lazy<string[]> Lines = new(() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Parsing", "corpus.influxql"))
            .Where(l => l.Length > 0)
            .ToArray());

    public static string[] Valid => Lines.Value;
}
