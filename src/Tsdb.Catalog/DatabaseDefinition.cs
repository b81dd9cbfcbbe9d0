namespace Tsdb.Catalog;

/// <summary>A database and its tables. Immutable: edits make a new instance.</summary>
public sealed class DatabaseDefinition
{
    private readonly Dictionary<string, TableDefinition> _tables;
    private readonly Dictionary<string, TableDefinition>.AlternateLookup<ReadOnlySpan<char>> _byChars;

    public DatabaseDefinition(string name, IEnumerable<TableDefinition> tables, TimeSpan? retentionPeriod = null)
    {
        Name = name;
        RetentionPeriod = retentionPeriod;
        _tables = new Dictionary<string, TableDefinition>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            // As for databases in CatalogSnapshot: a checkpoint read at start-up may name a table twice; that is a
            // corrupt catalog (InvalidDataException, handled by the loaders), not an ArgumentException.
            if (!_tables.TryAdd(table.Name, table))
            {
                throw new InvalidDataException($"the catalog holds table '{table.Name}' twice in database '{name}'");
            }
        }
        _byChars = _tables.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    public TimeSpan? RetentionPeriod { get; }

    /// <summary>Prometheus metric metadata by family name (ordinal); remote write sets it, <c>/api/v1/metadata</c> reads it.</summary>
    public IReadOnlyDictionary<string, MetricMetadataEntry> Metadata { get; init; } = NoMetadata;

    internal static readonly IReadOnlyDictionary<string, MetricMetadataEntry> NoMetadata = new Dictionary<string, MetricMetadataEntry>(StringComparer.Ordinal);

    public IReadOnlyCollection<TableDefinition> Tables => _tables.Values;

    public int TableCount => _tables.Count;

    public TableDefinition? FindTable(string name) => _tables.GetValueOrDefault(name);

    public TableDefinition? FindTable(ReadOnlySpan<char> name) => _byChars.TryGetValue(name, out var t) ? t : null;

    /// <summary>
    /// The retention period that applies to a table: the table's own when it has one, else the database's (as in
    /// InfluxDB 3, a table's period overrides its database's, whether shorter or longer); null when rows never expire.
    /// A table not created yet gets the database's.
    /// </summary>
    public TimeSpan? RetentionOf(string table) => FindTable(table)?.RetentionPeriod ?? RetentionPeriod;

    /// <summary>
    /// The oldest time (nanoseconds since the Unix epoch) a row of <paramref name="table"/> may have at
    /// <paramref name="now"/>: rows before it are expired — invisible to queries, refused by writes, removed from
    /// storage. <see cref="long.MinValue"/> when nothing expires. Every retention decision goes through here.
    /// </summary>
    public long RetentionCutoff(string table, DateTimeOffset now)
    {
        if (RetentionOf(table) is not { } period)
        {
            return long.MinValue;
        }
        // In ticks first: both fit, and so does their difference; nanoseconds saturate at both ends.
        var ticks = (now - DateTimeOffset.UnixEpoch).Ticks - period.Ticks;
        return ticks <= long.MinValue / 100 ? long.MinValue : ticks >= long.MaxValue / 100 ? long.MaxValue : ticks * 100;
    }

    public DatabaseDefinition WithTable(TableDefinition table)
    {
        var tables = new Dictionary<string, TableDefinition>(_tables, StringComparer.Ordinal) { [table.Name] = table };
        return new DatabaseDefinition(Name, tables.Values, RetentionPeriod) { Metadata = Metadata };
    }
}
