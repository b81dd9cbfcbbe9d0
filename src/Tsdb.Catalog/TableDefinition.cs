using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>A table's columns in the order they were created. Immutable: edits make a new instance.</summary>
public sealed class TableDefinition
{
    public const string TimeColumn = "time";

    private readonly Dictionary<string, ColumnDefinition> _byName;
    private readonly Dictionary<string, ColumnDefinition>.AlternateLookup<ReadOnlySpan<char>> _byChars;

    public TableDefinition(string name, IReadOnlyList<ColumnDefinition> columns, TimeSpan? retentionPeriod = null)
    {
        Name = name;
        Columns = columns;
        RetentionPeriod = retentionPeriod;
        _byName = new Dictionary<string, ColumnDefinition>(columns.Count, StringComparer.Ordinal);
        foreach (var c in columns)
        {
            _byName[c.Name] = c;
        }
        _byChars = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
        TagCount = columns.Count(c => c.Kind == ColumnKind.Tag);
    }

    public string Name { get; }

    public IReadOnlyList<ColumnDefinition> Columns { get; }

    public int TagCount { get; }

    /// <summary>The table's own retention period; null when the database's applies (see <see cref="DatabaseDefinition.RetentionCutoff"/>).</summary>
    public TimeSpan? RetentionPeriod { get; }

    public ColumnDefinition? FindColumn(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Looks a column up by a name held in a span, without allocating a string.</summary>
    public ColumnDefinition? FindColumn(ReadOnlySpan<char> name) => _byChars.TryGetValue(name, out var c) ? c : null;

    /// <summary>A new table holding only the time column.</summary>
    public static TableDefinition Create(string name) => new(name, [new ColumnDefinition(TimeColumn, ColumnKind.Time)]);

    public TableDefinition WithColumn(ColumnDefinition column) => new(Name, [.. Columns, column], RetentionPeriod);

    public TableDefinition WithRetention(TimeSpan? retentionPeriod) => new(Name, Columns, retentionPeriod);
}
