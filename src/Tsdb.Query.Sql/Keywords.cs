namespace Tsdb.Query.Sql;

internal static class Keywords
{
    private static readonly Dictionary<string, Keyword> ByName = Build();

    private static Dictionary<string, Keyword> Build()
    {
        var map = new Dictionary<string, Keyword>(StringComparer.OrdinalIgnoreCase);
        foreach (var k in Enum.GetValues<Keyword>())
        {
            if (k != Keyword.None)
            {
                map.Add(k.ToString(), k);
            }
        }

        return map;
    }

    public static Keyword Lookup(string word) => ByName.TryGetValue(word, out var k) ? k : Keyword.None;

    /// <summary>
    /// Words that end a clause or start an operator, so they cannot be bare identifiers or aliases. The rest
    /// (ASC, FIRST, TABLES, …) stay usable as column names.
    /// </summary>
    public static bool IsReserved(Keyword k) => k switch
    {
        Keyword.None or Keyword.Analyze or Keyword.Asc or Keyword.Columns or Keyword.Delete or Keyword.Desc or Keyword.Explain
            or Keyword.First or Keyword.Last or Keyword.Nulls or Keyword.Show or Keyword.Tables
            or Keyword.Verbose or Keyword.Partition or Keyword.Rows or Keyword.Range or Keyword.Groups
            or Keyword.Unbounded or Keyword.Preceding or Keyword.Following or Keyword.Current or Keyword.Row => false,
        _ => true,
    };

    public static bool IsReserved(string word) => IsReserved(Lookup(word));
}
