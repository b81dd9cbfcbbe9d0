using System.Text;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.LineProtocol;

namespace Tsdb.Ingest;

/// <summary>
/// Line protocol's reader for the shared <see cref="WriteStager"/>: checks each parsed line (table, columns and their
/// kinds, a key used twice, timestamp, retention) and appends it as one row. A line is checked completely before
/// anything is appended, so a bad line leaves nothing behind. Errors carry the line's number, column and text.
/// </summary>
internal sealed class LineProtocolRows
{
    private readonly WriteStager _stager;
    private readonly Dictionary<StagedTable, LineKeyCache> _keyCaches = new(ReferenceEqualityComparer.Instance);
    private readonly Precision _precision;
    private readonly long _defaultTime;
    private int[] _lineSlots = new int[32];
    private int _lineStamp;
    private StagedTable? _lastTable;
    private LineKeyCache? _lastCache;
    private TextRange _lastMeasurement;
    private byte[] _bytes = new byte[256];
    private char[] _chars = new char[256];

    public LineProtocolRows(WriteStager stager, Precision precision, long defaultTime)
    {
        _stager = stager;
        _precision = precision;
        _defaultTime = defaultTime;
    }

    public int LinesStaged { get; private set; }

    /// <summary>Stages one line; returns its error, or null when it was staged (or when a schema change is needed).</summary>
    public LineError? Stage(ParsedLine line, ReadOnlySpan<byte> body)
    {
        var table = ResolveTable(line, body, out var error);
        if (table is null)
        {
            return error;
        }
        var cache = _lastCache!;
        var columnCount = line.TagCount + line.FieldCount;
        if (_lineSlots.Length < columnCount)
        {
            _lineSlots = new int[Math.Max(columnCount, _lineSlots.Length * 2)];
        }
        for (var i = 0; i < line.TagCount; i++)
        {
            var key = line.GetTagKey(i);
            var slot = ResolveColumn(table, cache, i, line, body, key, EscapeContext.TagKey, ColumnKind.Tag, out error);
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
            var slot = ResolveColumn(table, cache, line.TagCount + i, line, body, key, EscapeContext.FieldKey, kind, out error);
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
        if (_stager.NeedsSchemaChange)
        {
            return null;
        }
        if (time < table.RetentionCutoff)
        {
            return Error(line, body, line.LineRange.End, table.Expired(time));
        }

        // Everything checked: append the row.
        var partition = table.Partition(PartitionDay.FromNanoseconds(time));
        partition.Column(StagedTable.TimeSlot).AppendLong(time);
        for (var i = 0; i < line.TagCount; i++)
        {
            partition.Column(_lineSlots[i]).AppendTag(Unescaped(body, line.GetTagValue(i), EscapeContext.TagValue));
        }
        for (var i = 0; i < line.FieldCount; i++)
        {
            var column = partition.Column(_lineSlots[line.TagCount + i]);
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
        partition.EndRow();
        LinesStaged++;
        return null;
    }

    private StagedTable? ResolveTable(ParsedLine line, ReadOnlySpan<byte> body, out LineError? error)
    {
        error = null;
        // Consecutive lines usually name the same table: compare raw bytes before decoding anything.
        if (_lastTable is not null && line.Measurement.Slice(body).SequenceEqual(_lastMeasurement.Slice(body)))
        {
            return _lastTable;
        }
        var table = _stager.Table(Decode(body, line.Measurement, EscapeContext.Measurement), out var message);
        if (table is null)
        {
            error = message is null ? null : Error(line, body, line.Measurement.Start, message);
            return null;
        }
        if (!_keyCaches.TryGetValue(table, out var cache))
        {
            _keyCaches[table] = cache = new LineKeyCache();
        }
        _lastTable = table;
        _lastCache = cache;
        _lastMeasurement = line.Measurement;
        return table;
    }

    /// <summary>The slot of a column of <paramref name="kind"/>, or -1 with an error (or with a schema change needed).</summary>
    private int ResolveColumn(StagedTable table, LineKeyCache cache, int position, ParsedLine line, ReadOnlySpan<byte> body, TextRange key, EscapeContext context, ColumnKind kind, out LineError? error)
    {
        // Lines of one table usually repeat their keys in the same order: the key at this position in the
        // previous line, if its bytes are the same, names the same column.
        if (cache.TryGet(position, out var cachedRange, out var cachedSlot) && key.Slice(body).SequenceEqual(cachedRange.Slice(body)))
        {
            if (table.Slots[cachedSlot].Kind == kind)
            {
                error = null;
                return cachedSlot;
            }
        }
        var slot = _stager.Column(table, Decode(body, key, context), kind, out var message);
        if (slot >= 0)
        {
            cache.Set(position, key, slot);
        }
        error = message is null ? null : Error(line, body, key.Start, message);
        return slot;
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
