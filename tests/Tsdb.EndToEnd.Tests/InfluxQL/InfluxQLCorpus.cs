using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests.InfluxQL;

/// <summary>
/// The queries of <c>corpus.txt</c>: one per line, <c>#</c> lines are comments naming the group the following lines
/// belong to. A line may start with markers: <c>[error]</c> (1.6.7 must answer an error, top-level or for a
/// statement), <c>[empty]</c> (1.6.7 answers without series; every other query must return data, so that a query
/// cannot silently compare nothing with nothing), <c>[any-series-order]</c> (1.6.7 returns the series in a random
/// order, so only the set of series is compared), <c>[epoch=ms]</c> (or s, u, …; <c>[epoch=none]</c> asks without
/// <c>epoch</c>, so times come back as RFC3339 strings, shifted by tz()) instead of the default <c>epoch=ns</c>.
/// </summary>
public static class InfluxQLCorpus
{
    private const string ErrorMarker = "[error]";
    private const string EmptyMarker = "[empty]";
    private const string AnySeriesOrderMarker = "[any-series-order]";

    private static readonly Lazy<IReadOnlyList<InfluxQLCorpusEntry>> Loaded = new(() => Parse(File.ReadAllLines(PathOnDisk)));

    public static string PathOnDisk => Path.Combine(RepoPaths.Root, "tests", "Tsdb.EndToEnd.Tests", "InfluxQL", "corpus.txt");

    public static IReadOnlyList<InfluxQLCorpusEntry> Entries => Loaded.Value;

    public static InfluxQLCorpusEntry Get(string query) => Entries.First(e => e.Query == query);

    /// <summary>Every query, for <c>[MemberData]</c>: each one is its own test case.</summary>
    public static TheoryData<string> Queries
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var entry in Entries)
            {
                data.Add(entry.Query);
            }
            return data;
        }
    }

    public static IReadOnlyList<InfluxQLCorpusEntry> Parse(IEnumerable<string> lines)
    {
        var entries = new List<InfluxQLCorpusEntry>();
        var group = "";
        var lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                // "## group" starts a group; single "#" lines are notes inside it.
                if (line.StartsWith("##", StringComparison.Ordinal))
                {
                    group = line.TrimStart('#').Trim();
                }
                continue;
            }
            bool error = false, empty = false, anyOrder = false;
            string? epoch = "ns";
            while (line.StartsWith('['))
            {
                var marker = line[..(line.IndexOf(']', StringComparison.Ordinal) + 1)];
                switch (marker)
                {
                    case ErrorMarker: error = true; break;
                    case EmptyMarker: empty = true; break;
                    case AnySeriesOrderMarker: anyOrder = true; break;
                    case "[epoch=none]": epoch = null; break;
                    case ['[', 'e', 'p', 'o', 'c', 'h', '=', .., ']']: epoch = marker[7..^1]; break;
                    default: throw new FormatException($"corpus.txt line {lineNumber}: unknown marker {marker}");
                }
                line = line[marker.Length..].TrimStart();
            }
            entries.Add(new InfluxQLCorpusEntry(line, group, lineNumber, error, empty, anyOrder, epoch));
        }
        return entries;
    }
}
