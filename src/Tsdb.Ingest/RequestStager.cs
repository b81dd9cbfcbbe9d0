using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.LineProtocol;
using Tsdb.Wal;

namespace Tsdb.Ingest;

/// <summary>
/// Checks each parsed line against the catalog and appends its values to per-table, per-day column builders.
/// A line is checked completely before anything is appended, so a bad line leaves nothing behind.
/// Runs in one of two modes: against a catalog snapshot (no schema change allowed; a line that needs one stops
/// the pass with <see cref="NeedsSchemaChange"/>), or inside a catalog update, creating tables and columns.
/// </summary>
internal sealed class RequestStager : IDisposable
{
    private readonly string _database;
    private readonly DatabaseDefinition? _snapshotDatabase;
    private readonly CatalogEditor? _editor;
    private readonly Dictionary<string, TableStage> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableStage>.AlternateLookup<ReadOnlySpan<char>> _tablesByChars;
    private readonly List<TableStage> _tableOrder = [];
    private readonly Precision _precision;
    private readonly long _defaultTime;
    private readonly DateTimeOffset _now;
    private int[] _lineSlots = new int[32];
    private int _lineStamp;
    private TableStage? _lastTable;
    private TextRange _lastMeasurement;
    private byte[] _bytes = new byte[256];
    private char[] _chars = new char[256];

    /// <param name="now">The moment retention is judged at: a point older than its table's retention cutoff then is refused.</param>
    public RequestStager(string database, DatabaseDefinition? snapshotDatabase, CatalogEditor? editor, Precision precision, long defaultTime, DateTimeOffset now)
    {
        _now = now;
        _database = database;
        _snapshotDatabase = snapshotDatabase;
        _editor = editor;
        _precision = precision;
        _defaultTime = defaultTime;
        _tablesByChars = _tables.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Set when, against a snapshot, a line needed a table or column the catalog does not have yet.</summary>
    public bool NeedsSchemaChange { get; private set; }

    public bool LimitExceeded { get; private set; }

    public int LinesStaged { get; private set; }

    /// <summary>Stages one line; returns its error, or null when it was staged (or when a schema change is needed).</summary>
    public LineError? Stage(ParsedLine line, ReadOnlySpan<byte> body)
    {
        var table = ResolveTable(line, body, out var error);
        if (table is null)
        {
            return error;
        }
        var columnCount = line.TagCount + line.FieldCount;
        if (_lineSlots.Length < columnCount)
        {
            _lineSlots = new int[Math.Max(columnCount, _lineSlots.Length * 2)];
        }
        for (var i = 0; i < line.TagCount; i++)
        {
            var key = line.GetTagKey(i);
            var slot = ResolveColumn(table, i, line, body, key, EscapeContext.TagKey, ColumnKind.Tag, out error);
            if (slot < 0)
            {
                return error;
            }
            _lineSlots[i] = slot;
        }
        for (var i = 0; i < line.FieldCount; i++)
        {
            var key = line.GetFieldKey(i);
            var kind = line.GetFieldKind(i) switch
            {
                FieldKind.Float => ColumnKind.Float,
                FieldKind.Integer => ColumnKind.Integer,
                FieldKind.UInteger => ColumnKind.UInteger,
                FieldKind.String => ColumnKind.String,
                _ => ColumnKind.Boolean,
            };
            var slot = ResolveColumn(table, line.TagCount + i, line, body, key, EscapeContext.FieldKey, kind, out error);
            if (slot < 0)
            {
                return error;
            }
            _lineSlots[line.TagCount + i] = slot;
        }
        // A key used twice in one line (a tag and a field, or twice as a field) would make two values for one cell.
        var stamp = ++_lineStamp;
        for (var i = 0; i < columnCount; i++)
        {
            if (!table.MarkSeen(_lineSlots[i], stamp))
            {
                var key = i < line.TagCount ? line.GetTagKey(i) : line.GetFieldKey(i - line.TagCount);
                return Error(line, body, key.Start, $"column '{table.Slots[_lineSlots[i]].Name}' appears more than once in the line");
            }
        }
        long time;
        if (line.HasTimestamp)
        {
            if (!Timestamps.TryToNanoseconds(line.Timestamp, _precision, out time))
            {
                return Error(line, body, line.LineRange.End, $"timestamp {line.Timestamp} is out of range for precision {_precision}");
            }
        }
        else
        {
            time = _defaultTime;
        }
        if (NeedsSchemaChange)
        {
            return null;
        }
        if (time < table.RetentionCutoff)
        {
            return Error(line, body, line.LineRange.End, RetentionText.Expired(time, table.RetentionPeriod!.Value, table.RetentionOwner!, table.RetentionCutoff));
        }

        // Everything checked: append the row.
        var partition = table.Partition(PartitionDay.FromNanoseconds(time));
        var row = partition.RowCount;
        partition.Column(0, table).AppendLong(time);
        for (var i = 0; i < line.TagCount; i++)
        {
            partition.Column(_lineSlots[i], table).AppendTag(Unescaped(body, line.GetTagValue(i), EscapeContext.TagValue));
        }
        for (var i = 0; i < line.FieldCount; i++)
        {
            var column = partition.Column(_lineSlots[line.TagCount + i], table);
            switch (line.GetFieldKind(i))
            {
                case FieldKind.Float:
                    column.AppendFloat(line.GetFloat(i));
                    break;
                case FieldKind.Integer:
                    column.AppendLong(line.GetInteger(i));
                    break;
                case FieldKind.UInteger:
                    column.AppendULong(line.GetUInteger(i));
                    break;
                case FieldKind.String:
                    column.AppendString(Unescaped(body, line.GetStringValue(i), EscapeContext.StringFieldValue));
                    break;
                default:
                    column.AppendBoolean(line.GetBoolean(i));
                    break;
            }
        }
        partition.RowCount = row + 1;
        LinesStaged++;
        return null;
    }

    /// <summary>One WAL table write per table and day, columns padded to the partition's row count.</summary>
    public List<WalTableWrite> Build()
    {
        var writes = new List<WalTableWrite>();
        foreach (var table in _tableOrder)
        {
            foreach (var partition in table.Partitions.OrderBy(p => p.Day))
            {
                var fields = new List<Field>();
                var arrays = new List<ArrowArray>();
                foreach (var column in partition.Columns)
                {
                    column.PadTo(partition.RowCount);
                    fields.Add(new Field(column.Name, ColumnStage.ArrowTypeOf(column.Kind), column.Kind != ColumnKind.Time,
                        [new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(column.Kind))]));
                    arrays.Add(column.Build());
                }
                writes.Add(new WalTableWrite(table.Name, new RecordBatch(new Schema(fields), arrays, partition.RowCount)));
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

    private TableStage? ResolveTable(ParsedLine line, ReadOnlySpan<byte> body, out LineError? error)
    {
        error = null;
        // Consecutive lines usually name the same table: compare raw bytes before decoding anything.
        if (_lastTable is not null && line.Measurement.Slice(body).SequenceEqual(_lastMeasurement.Slice(body)))
        {
            return _lastTable;
        }
        var table = ResolveTableSlow(line, body, out error);
        if (table is not null)
        {
            _lastTable = table;
            _lastMeasurement = line.Measurement;
        }
        return table;
    }

    private TableStage? ResolveTableSlow(ParsedLine line, ReadOnlySpan<byte> body, out LineError? error)
    {
        error = null;
        var chars = Decode(body, line.Measurement, EscapeContext.Measurement);
        if (_tablesByChars.TryGetValue(chars, out var stage))
        {
            return stage;
        }
        var name = new string(chars);
        if (_editor is not null)
        {
            if (_editor.EnsureTable(_database, name, out _) is { } catalogError)
            {
                LimitExceeded |= catalogError.Kind == CatalogErrorKind.LimitExceeded;
                error = Error(line, body, line.Measurement.Start, catalogError.Message);
                return null;
            }
        }
        else if (_snapshotDatabase?.FindTable(name) is null)
        {
            NeedsSchemaChange = true;
            return null;
        }
        stage = new TableStage(name);
        // The table's retention as the catalog has it now (a table created by this request has the database's).
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

    /// <summary>The slot of a column of <paramref name="kind"/>, or -1 with an error (or with <see cref="NeedsSchemaChange"/>).</summary>
    private int ResolveColumn(TableStage table, int position, ParsedLine line, ReadOnlySpan<byte> body, TextRange key, EscapeContext context, ColumnKind kind, out LineError? error)
    {
        // Lines of one table usually repeat their keys in the same order: the key at this position in the
        // previous line, if its bytes are the same, names the same column.
        if (table.TryGetCachedKey(position, out var cachedRange, out var cachedSlot) && key.Slice(body).SequenceEqual(cachedRange.Slice(body)))
        {
            if (table.Slots[cachedSlot].Kind == kind)
            {
                error = null;
                return cachedSlot;
            }
        }
        var slot = ResolveColumnSlow(table, line, body, key, context, kind, out error);
        if (slot >= 0)
        {
            table.CacheKey(position, key, slot);
        }
        return slot;
    }

    private int ResolveColumnSlow(TableStage table, ParsedLine line, ReadOnlySpan<byte> body, TextRange key, EscapeContext context, ColumnKind kind, out LineError? error)
    {
        error = null;
        var chars = Decode(body, key, context);
        if (table.TryGetSlot(chars, out var slot))
        {
            var existing = table.Slots[slot].Kind;
            if (existing == kind)
            {
                return slot;
            }
            error = Error(line, body, key.Start, CatalogError.TypeConflict(table.Name, table.Slots[slot].Name, existing, kind).Message);
            return -1;
        }
        var name = new string(chars);
        ColumnKind? known;
        if (_editor is not null)
        {
            if (_editor.EnsureColumn(_database, table.Name, name, kind) is { } catalogError)
            {
                LimitExceeded |= catalogError.Kind == CatalogErrorKind.LimitExceeded;
                error = Error(line, body, key.Start, catalogError.Message);
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
            error = Error(line, body, key.Start, CatalogError.TypeConflict(table.Name, name, known.Value, kind).Message);
            return -1;
        }
        return table.AddSlot(name, kind);
    }

    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> body, TextRange range, EscapeContext context)
    {
        var bytes = Unescaped(body, range, context);
        if (_chars.Length < bytes.Length)
        {
            _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        }
        var count = Encoding.UTF8.GetChars(bytes, _chars);
        return _chars.AsSpan(0, count);
    }

    private ReadOnlySpan<byte> Unescaped(ReadOnlySpan<byte> body, TextRange range, EscapeContext context)
    {
        var raw = range.Slice(body);
        if (!range.HasEscapes)
        {
            return raw;
        }
        if (_bytes.Length < raw.Length)
        {
            _bytes = new byte[Math.Max(raw.Length, _bytes.Length * 2)];
        }
        var length = LineProtocolText.Unescape(raw, context, _bytes);
        return _bytes.AsSpan(0, length);
    }

    private static LineError Error(ParsedLine line, ReadOnlySpan<byte> body, int offset, string message) =>
        new(line.LineNumber, offset - line.LineRange.Start + 1, message, Encoding.UTF8.GetString(line.LineRange.Slice(body)));
}
