using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Wal;

namespace Tsdb.Ingest;

/// <summary>
/// The write path every protocol shares: resolves tables and columns against the catalog (new ones, type conflicts,
/// table and column limits, each table's retention cutoff) and collects rows into per-table, per-day Arrow builders
/// that become one WAL record. A protocol's reader checks each of its rows completely (names, kinds, time, retention)
/// before appending anything, so a refused row leaves nothing behind; what is refused and how it is worded stays
/// with the protocol. Runs in one of two modes (see <see cref="WritePath.StageAsync{TPass}"/>): against a catalog
/// snapshot, where a row needing a new table or column stops the pass with <see cref="NeedsSchemaChange"/>, or inside
/// a catalog update, where they are created.
/// </summary>
public sealed class WriteStager : IDisposable
{
    private readonly string _database;
    private readonly DatabaseDefinition? _snapshotDatabase;
    private readonly CatalogEditor? _editor;
    private readonly DateTimeOffset _now;
    private readonly Dictionary<string, StagedTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StagedTable>.AlternateLookup<ReadOnlySpan<char>> _tablesByChars;
    private readonly List<StagedTable> _tableOrder = [];

    /// <param name="now">The moment retention is judged at: a point older than its table's retention cutoff then is expired.</param>
    public WriteStager(string database, DatabaseDefinition? snapshotDatabase, CatalogEditor? editor, DateTimeOffset now)
    {
        _database = database;
        _snapshotDatabase = snapshotDatabase;
        _editor = editor;
        _now = now;
        _tablesByChars = _tables.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Set when, against a snapshot, a row needed a table or column the catalog does not have yet.</summary>
    public bool NeedsSchemaChange { get; private set; }

    /// <summary>Some table or column was refused because a limit was reached.</summary>
    public bool LimitExceeded { get; private set; }

    /// <summary>Rows (lines, samples) appended so far.</summary>
    public long RowsStaged { get; internal set; }

    /// <summary>The table, or null with the catalog's reason (or with <see cref="NeedsSchemaChange"/> and no reason).</summary>
    public StagedTable? Table(ReadOnlySpan<char> name, out string? error)
    {
        error = null;
        return _tablesByChars.TryGetValue(name, out var stage) ? stage : AddTable(new string(name), out error);
    }

    /// <inheritdoc cref="Table(ReadOnlySpan{char}, out string?)"/>
    public StagedTable? Table(string name, out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        error = null;
        return _tables.TryGetValue(name, out var stage) ? stage : AddTable(name, out error);
    }

    /// <summary>
    /// The slot of a column of <paramref name="kind"/>, or -1 with the catalog's reason (a type conflict, a limit, a bad
    /// name) or with <see cref="NeedsSchemaChange"/> and no reason.
    /// </summary>
    public int Column(StagedTable table, ReadOnlySpan<char> name, ColumnKind kind, out string? error)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.TryGetSlot(name, out var slot))
        {
            return Checked(table, slot, kind, out error);
        }
        return AddColumn(table, new string(name), kind, out error);
    }

    /// <inheritdoc cref="Column(StagedTable, ReadOnlySpan{char}, ColumnKind, out string?)"/>
    public int Column(StagedTable table, string name, ColumnKind kind, out string? error)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(name);
        if (table.TryGetSlot(name, out var slot))
        {
            return Checked(table, slot, kind, out error);
        }
        return AddColumn(table, name, kind, out error);
    }

    /// <summary>One WAL table write per table and day (tables in the order met, days in order), columns padded to the partition's rows.</summary>
    public List<WalTableWrite> Build()
    {
        var writes = new List<WalTableWrite>();
        foreach (var table in _tableOrder)
        {
            foreach (var partition in table.PartitionsByDay)
            {
                if (partition.RowCount > 0)
                {
                    writes.Add(new WalTableWrite(table.Name, partition.Build()));
                }
            }
        }
        return writes;
    }

    public void Dispose()
    {
        foreach (var table in _tableOrder)
        {
            table.Dispose();
        }
    }

    private static int Checked(StagedTable table, int slot, ColumnKind kind, out string? error)
    {
        var existing = table.Slots[slot].Kind;
        if (existing == kind)
        {
            error = null;
            return slot;
        }
        error = CatalogError.TypeConflict(table.Name, table.Slots[slot].Name, existing, kind).Message;
        return -1;
    }

    private StagedTable? AddTable(string name, out string? error)
    {
        error = null;
        if (_editor is not null)
        {
            if (_editor.EnsureTable(_database, name, out _) is { } catalogError)
            {
                LimitExceeded |= catalogError.Kind == CatalogErrorKind.LimitExceeded;
                error = catalogError.Message;
                return null;
            }
        }
        else if (_snapshotDatabase?.FindTable(name) is null)
        {
            NeedsSchemaChange = true;
            return null;
        }
        var stage = new StagedTable(this, name);
        // The table's retention as the catalog has it now (a table created by this write has the database's).
        var database = _editor?.FindDatabase(_database) ?? _snapshotDatabase;
        if (database?.RetentionOf(name) is { } period)
        {
            stage.RetentionPeriod = period;
            stage.RetentionCutoff = database.RetentionCutoff(name, _now);
            stage.RetentionOwner = database.FindTable(name)?.RetentionPeriod is not null ? $"table '{name}'" : $"database '{_database}'";
        }
        _tables[name] = stage;
        _tableOrder.Add(stage);
        return stage;
    }

    private int AddColumn(StagedTable table, string name, ColumnKind kind, out string? error)
    {
        error = null;
        ColumnKind? known;
        if (_editor is not null)
        {
            if (_editor.EnsureColumn(_database, table.Name, name, kind) is { } catalogError)
            {
                LimitExceeded |= catalogError.Kind == CatalogErrorKind.LimitExceeded;
                error = catalogError.Message;
                return -1;
            }
            known = kind;
        }
        else
        {
            known = _snapshotDatabase!.FindTable(table.Name)!.FindColumn(name)?.Kind;
            if (known is null)
            {
                NeedsSchemaChange = true;
                return -1;
            }
        }
        if (known != kind)
        {
            error = CatalogError.TypeConflict(table.Name, name, known.Value, kind).Message;
            return -1;
        }
        return table.AddSlot(name, kind);
    }
}
