namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>Case-insensitive keyword lookup, and the upper-case spelling 1.x prints in "found X, expected Y".</summary>
internal static class Keywords
{
    private static readonly Dictionary<string, Keyword> Table = Build();

    private static Dictionary<string, Keyword> Build()
    {
        var table = new Dictionary<string, Keyword>(StringComparer.OrdinalIgnoreCase);
        foreach (var keyword in Enum.GetValues<Keyword>())
        {
            if (keyword != Keyword.None)
            {
                table[keyword.ToString()] = keyword;
            }
        }

        return table;
    }

    public static Keyword Lookup(string word) => Table.GetValueOrDefault(word, Keyword.None);

    public static bool IsKeyword(string word) => Table.ContainsKey(word);

    public static string Text(Keyword keyword) => keyword.ToString().ToUpperInvariant();
}
