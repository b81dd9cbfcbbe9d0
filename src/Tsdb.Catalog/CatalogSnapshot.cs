namespace Tsdb.Catalog;

/// <summary>One immutable version of the catalog. Readers hold a snapshot; writers publish a new one.</summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, DatabaseDefinition> _databases;
    private readonly Dictionary<string, DatabaseDefinition>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly Dictionary<string, TokenDefinition> _tokensByHash;

    public CatalogSnapshot(long version, IEnumerable<DatabaseDefinition> databases, IEnumerable<TokenDefinition> tokens)
    {
        Version = version;
        _databases = databases.ToDictionary(d => d.Name, StringComparer.Ordinal);
        _byChars = _databases.GetAlternateLookup<ReadOnlySpan<char>>();
        Tokens = [.. tokens];
        _tokensByHash = Tokens.ToDictionary(t => t.Sha256Hex, StringComparer.Ordinal);
    }

    public static CatalogSnapshot Empty { get; } = new(0, [], []);

    public long Version { get; }

    public IReadOnlyCollection<DatabaseDefinition> Databases => _databases.Values;

    public IReadOnlyList<TokenDefinition> Tokens { get; }

    public DatabaseDefinition? FindDatabase(string name) => _databases.GetValueOrDefault(name);

    public DatabaseDefinition? FindDatabase(ReadOnlySpan<char> name) => _byChars.TryGetValue(name, out var d) ? d : null;

    public TokenDefinition? FindTokenByHash(string sha256Hex) => _tokensByHash.GetValueOrDefault(sha256Hex);
}
