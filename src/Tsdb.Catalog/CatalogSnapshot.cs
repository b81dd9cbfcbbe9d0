namespace Tsdb.Catalog;

/// <summary>One immutable version of the catalog. Readers hold a snapshot; writers publish a new one.</summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, DatabaseDefinition> _databases;
    private readonly Dictionary<string, DatabaseDefinition>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly Dictionary<string, TokenDefinition> _tokensByHash;

    public CatalogSnapshot(long version, IEnumerable<DatabaseDefinition> databases, IEnumerable<TokenDefinition> tokens)
        : this(version, databases, tokens, [], 0, 1, [])
    {
    }

    public CatalogSnapshot(
        long version,
        IEnumerable<DatabaseDefinition> databases,
        IEnumerable<TokenDefinition> tokens,
        IEnumerable<ParquetFileEntry> files,
        long persistedSequence,
        long nextFileId,
        IEnumerable<PendingDelete> pendingDeletes)
    {
        Version = version;
        Files = [.. files];
        PersistedSequence = persistedSequence;
        NextFileId = nextFileId;
        PendingDeletes = [.. pendingDeletes];
        _databases = new Dictionary<string, DatabaseDefinition>(StringComparer.Ordinal);
        foreach (var database in databases)
        {
            // A checkpoint or log record read at start-up may name one twice; that is a corrupt catalog, which the
            // loaders handle as InvalidDataException, not an ArgumentException out of a dictionary.
            if (!_databases.TryAdd(database.Name, database))
            {
                throw new InvalidDataException($"the catalog holds database '{database.Name}' twice");
            }
        }
        _byChars = _databases.GetAlternateLookup<ReadOnlySpan<char>>();
        Tokens = [.. tokens];
        _tokensByHash = new Dictionary<string, TokenDefinition>(StringComparer.Ordinal);
        foreach (var token in Tokens)
        {
            if (!_tokensByHash.TryAdd(token.Sha256Hex, token))
            {
                throw new InvalidDataException($"the catalog holds tokens '{_tokensByHash[token.Sha256Hex].Name}' and '{token.Name}' with the same hash");
            }
        }
    }

    public static CatalogSnapshot Empty { get; } = new(0, [], []);

    /// <summary>Every Parquet file the database consists of (besides rows still in the write buffer and WAL).</summary>
    public IReadOnlyList<ParquetFileEntry> Files { get; }

    /// <summary>Every WAL record with a sequence up to this one is in <see cref="Files"/>; replay skips them.</summary>
    /// <remarks>The single server's WAL (mode <c>all</c>); each ingest node of a cluster has its own, in <see cref="NodeSequences"/>.</remarks>
    public long PersistedSequence { get; }

    /// <summary>Per ingest node of a cluster (by node id): the sequence its WAL is persisted through.</summary>
    public IReadOnlyDictionary<string, long> NodeSequences { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>The sequence the WAL of <paramref name="node"/> (null: the single server's) is persisted through.</summary>
    public long PersistedSequenceOf(string? node) => node is null ? PersistedSequence : NodeSequences.GetValueOrDefault(node);

    public long NextFileId { get; }

    /// <summary>Objects no longer referenced, to delete once no reader can still hold an older catalog.</summary>
    public IReadOnlyList<PendingDelete> PendingDeletes { get; }

    /// <summary>Row deletes not yet folded into every file and buffered record they reach.</summary>
    public IReadOnlyList<Tombstone> Tombstones { get; init; } = [];

    /// <summary>The next id for a tombstone.</summary>
    public long NextTombstoneId { get; init; } = 1;

    public IEnumerable<Tombstone> TombstonesOf(string database, string table) =>
        Tombstones.Where(t => t.Table == table && t.Database == database);

    public IEnumerable<ParquetFileEntry> FilesOf(string database, string table) =>
        Files.Where(f => f.Table == table && f.Database == database);

    public long Version { get; }

    public IReadOnlyCollection<DatabaseDefinition> Databases => _databases.Values;

    public IReadOnlyList<TokenDefinition> Tokens { get; }

    public DatabaseDefinition? FindDatabase(string name) => _databases.GetValueOrDefault(name);

    public DatabaseDefinition? FindDatabase(ReadOnlySpan<char> name) => _byChars.TryGetValue(name, out var d) ? d : null;

    public TokenDefinition? FindTokenByHash(string sha256Hex) => _tokensByHash.GetValueOrDefault(sha256Hex);
}
