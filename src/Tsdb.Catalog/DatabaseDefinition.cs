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
        _tables = tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _byChars = _tables.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    public TimeSpan? RetentionPeriod { get; }

    public IReadOnlyCollection<TableDefinition> Tables => _tables.Values;

    public int TableCount => _tables.Count;

    public TableDefinition? FindTable(string name) => _tables.GetValueOrDefault(name);

    public TableDefinition? FindTable(ReadOnlySpan<char> name) => _byChars.TryGetValue(name, out var t) ? t : null;

    public DatabaseDefinition WithTable(TableDefinition table)
    {
        var tables = new Dictionary<string, TableDefinition>(_tables, StringComparer.Ordinal) { [table.Name] = table };
        return new DatabaseDefinition(Name, tables.Values, RetentionPeriod);
    }
}
