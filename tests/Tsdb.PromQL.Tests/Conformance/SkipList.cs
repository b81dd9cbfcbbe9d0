namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>skip-list.txt: <c>file:line  reason</c> per line; <c>#</c> starts a comment.</summary>
internal static class SkipList
{
    private static readonly Lazy<Dictionary<string, string>> Loaded = new(() =>
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "skip-list.txt");
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var split = line.IndexOfAny([' ', '\t']);
            if (split < 0)
            {
                throw new FormatException($"skip-list.txt: no reason given for {line}");
            }
            entries[line[..split]] = line[split..].Trim();
        }
        return entries;
    });

    public static IReadOnlyDictionary<string, string> Entries => Loaded.Value;

    public static string? Reason(string id) => Loaded.Value.GetValueOrDefault(id);
}
