using System.Globalization;
using System.Text;
using Grpc.Core;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.Ingest;

namespace Tsdb.Flight;

/// <summary>
/// DoPut's reader for the shared <see cref="WriteStager"/>: one Arrow batch for one table, read column by column with
/// no text in between. A column's kind comes from its <c>iox::column::type</c> metadata, else from its type
/// (<see cref="ColumnTypes"/>, narrower integers and floats widened): dictionary = tag, a timestamp or a column named
/// <c>time</c> = time, numbers/strings/booleans = fields. A tag may also be plain utf8. What is wrong with the batch as
/// a whole (no time column, a type that cannot be stored, a null time, a non-finite float) is thrown as a Flight
/// error at once; what the catalog refuses is a row error (<see cref="Refusal"/>), and the batch is written all or
/// nothing. A row whose fields are all null stores nothing, as a line-protocol line needs a field.
/// </summary>
internal sealed class ArrowBatchRows
{
    private readonly string _table;
    private readonly RecordBatch _batch;
    private readonly ColumnKind[] _kinds;
    private readonly string[] _names;
    private readonly long[] _times;
    private readonly int[] _rows;
    private readonly int[] _firstUse;

    private ArrowBatchRows(string table, RecordBatch batch, ColumnKind[] kinds, string[] names, long[] times, int[] rows, int[] firstUse)
    {
        _table = table;
        _batch = batch;
        _kinds = kinds;
        _names = names;
        _times = times;
        _rows = rows;
        _firstUse = firstUse;
    }

    /// <summary>The rows that store something (some field is not null).</summary>
    public int RowCount => _rows.Length;

    /// <summary>Checks the batch's columns and values; throws the Flight error for what can never be stored.</summary>
    public static ArrowBatchRows Of(string table, RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var kinds = new ColumnKind[batch.ColumnCount];
        var names = new string[kinds.Length];
        var time = -1;
        for (var c = 0; c < kinds.Length; c++)
        {
            var field = batch.Schema[c];
            var kind = ColumnKindNames.FromIoxType(field.GetMetadata(ColumnKindNames.IoxMetadataKey))
                ?? (field.Name == Catalog.TableDefinition.TimeColumn ? ColumnKind.Time : ColumnTypes.KindOf(WidenedType(field.Type)))
                ?? throw RpcErrors.Of(StatusCode.InvalidArgument, $"column '{field.Name}' has type {field.Type}, which cannot be stored");
            if (!Holds(kind, field.Type))
            {
                throw RpcErrors.Of(StatusCode.InvalidArgument, $"column '{field.Name}' has type {field.Type}, which cannot be stored as a {ColumnKindNames.Display(kind)} column");
            }
            if (kind == ColumnKind.Time)
            {
                if (time >= 0)
                {
                    throw RpcErrors.Of(StatusCode.InvalidArgument, $"columns '{batch.Schema[time].Name}' and '{field.Name}' are both time columns; a table has one");
                }
                time = c;
            }
            kinds[c] = kind;
            // The time column is always called time in the table, whatever the batch calls it.
            names[c] = kind == ColumnKind.Time ? Catalog.TableDefinition.TimeColumn : field.Name;
        }
        if (time < 0)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, "the batch has no time column (a timestamp column, or one named 'time')");
        }
        var timeColumn = batch.Column(time);
        var factor = TimeFactor(timeColumn.Type);
        var rows = new List<int>(batch.Length);
        var times = new long[batch.Length];
        var firstUse = new int[kinds.Length];
        Array.Fill(firstUse, -1);
        for (var row = 0; row < batch.Length; row++)
        {
            var fields = 0;
            for (var c = 0; c < kinds.Length; c++)
            {
                var kind = kinds[c];
                var column = batch.Column(c);
                if (kind is ColumnKind.Tag or ColumnKind.Time || column.IsNull(row))
                {
                    continue;
                }
                fields++;
                if (kind == ColumnKind.Float && Float(column, row) is var d && !double.IsFinite(d))
                {
                    throw RpcErrors.Of(StatusCode.InvalidArgument, $"column '{batch.Schema[c].Name}' holds {d.ToString(CultureInfo.InvariantCulture)}, which cannot be stored");
                }
            }
            if (fields == 0)
            {
                continue;
            }
            if (timeColumn.IsNull(row))
            {
                throw RpcErrors.Of(StatusCode.InvalidArgument, $"row {row} has no time (column '{batch.Schema[time].Name}' is null)");
            }
            var raw = Integer(timeColumn, row);
            if (raw > long.MaxValue / factor || raw < long.MinValue / factor)
            {
                throw RpcErrors.Of(StatusCode.InvalidArgument, $"row {row}: time {raw} in column '{batch.Schema[time].Name}' is out of range (nanoseconds since the epoch must fit in 64 bits)");
            }
            times[rows.Count] = raw * factor;
            rows.Add(row);
            for (var c = 0; c < kinds.Length; c++)
            {
                if (firstUse[c] < 0 && (kinds[c] == ColumnKind.Time || (kinds[c] == ColumnKind.Tag ? !TagBytes(batch.Column(c), row, out _) .IsEmpty : !batch.Column(c).IsNull(row))))
                {
                    firstUse[c] = row;
                }
            }
        }
        return new ArrowBatchRows(table, batch, kinds, names, times, [.. rows], firstUse);
    }

    /// <summary>A row the catalog refused (its index in the batch) and why.</summary>
    public readonly record struct Refusal(int Row, string Message);

    /// <summary>One pass into <paramref name="stager"/>: every row, or the first refused row (the caller then writes nothing).</summary>
    public Refusal? Stage(WriteStager stager)
    {
        ArgumentNullException.ThrowIfNull(stager);
        if (_rows.Length == 0)
        {
            return null;
        }
        var table = stager.Table(_table, out var error);
        if (table is null)
        {
            return error is null ? null : new Refusal(_rows[0], error);
        }
        var slots = new int[_kinds.Length];
        Refusal? refusal = null;
        var stamp = 1;
        for (var c = 0; c < _kinds.Length; c++)
        {
            slots[c] = -1;
            if (_firstUse[c] < 0)
            {
                continue;
            }
            var slot = stager.Column(table, _names[c], _kinds[c], out error);
            if (stager.NeedsSchemaChange)
            {
                return null;
            }
            string? message = null;
            if (slot < 0)
            {
                message = error;
            }
            else if (!table.MarkSeen(slot, stamp))
            {
                message = $"column '{_names[c]}' appears more than once in the batch";
            }
            if (message is not null && (refusal is null || _firstUse[c] < refusal.Value.Row))
            {
                refusal = new Refusal(_firstUse[c], message);
            }
            slots[c] = slot;
        }
        for (var i = 0; i < _rows.Length; i++)
        {
            var row = _rows[i];
            if (refusal is { } r && r.Row <= row)
            {
                return r;
            }
            var time = _times[i];
            if (time < table.RetentionCutoff)
            {
                return new Refusal(row, table.Expired(time));
            }
            var partition = table.Partition(PartitionDay.FromNanoseconds(time));
            for (var c = 0; c < _kinds.Length; c++)
            {
                if (slots[c] >= 0)
                {
                    Append(partition.Column(slots[c]), _kinds[c], _batch.Column(c), row, time);
                }
            }
            partition.EndRow();
        }
        return refusal;
    }

    private static void Append(ColumnStage column, ColumnKind kind, ArrowArray array, int row, long time)
    {
        if (kind == ColumnKind.Time)
        {
            column.AppendLong(time);
            return;
        }
        if (array.IsNull(row))
        {
            column.AppendNull();
            return;
        }
        switch (kind)
        {
            case ColumnKind.Tag:
                var tag = TagBytes(array, row, out var text);
                if (tag.IsEmpty)
                {
                    column.AppendNull();
                }
                else if (text is not null)
                {
                    column.AppendTag(Encoding.UTF8.GetBytes(text));
                }
                else
                {
                    column.AppendTag(tag);
                }
                break;
            case ColumnKind.Float:
                column.AppendFloat(Float(array, row));
                break;
            case ColumnKind.Integer:
                column.AppendLong(Integer(array, row));
                break;
            case ColumnKind.UInteger:
                column.AppendULong(UInteger(array, row));
                break;
            case ColumnKind.Boolean:
                column.AppendBoolean(((BooleanArray)array).GetValue(row));
                break;
            default:
                if (array is VariableWidthArray utf8 && array.Type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8)
                {
                    column.AppendString(utf8.GetBytes(row));
                }
                else
                {
                    column.AppendString(Encoding.UTF8.GetBytes(Text(array.GetObject(row))));
                }
                break;
        }
    }

    /// <summary>
    /// A tag's UTF-8 value in a row (empty when null or empty: no tag). Utf8 and utf8 dictionaries give their bytes;
    /// other types give their invariant text in <paramref name="text"/> (and a non-empty marker span).
    /// </summary>
    private static ReadOnlySpan<byte> TagBytes(ArrowArray array, int row, out string? text)
    {
        text = null;
        if (array.IsNull(row))
        {
            return default;
        }
        if (array is DictionaryArray dictionary)
        {
            var index = checked((int)dictionary.GetIndex(row));
            if (dictionary.Dictionary.IsNull(index))
            {
                return default;
            }
            if (dictionary.Dictionary is VariableWidthArray values && values.Type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8)
            {
                return values.GetBytes(index);
            }
            text = Text(dictionary.Dictionary.GetObject(index));
        }
        else if (array is VariableWidthArray utf8 && array.Type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8)
        {
            return utf8.GetBytes(row);
        }
        else
        {
            text = Text(array.GetObject(row));
        }
        return text.Length == 0 ? default : "-"u8;
    }

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>Whether a column of <paramref name="type"/> can be stored as <paramref name="kind"/> (text kinds take any type as text).</summary>
    private static bool Holds(ColumnKind kind, ArrowType type)
    {
        var id = ColumnTypes.Widened(type.Id);
        return kind switch
        {
            ColumnKind.Time => id is ArrowTypeId.Timestamp or ArrowTypeId.Int64,
            ColumnKind.Float => id is ArrowTypeId.Float64 or ArrowTypeId.Int64 or ArrowTypeId.UInt64,
            ColumnKind.Integer => id is ArrowTypeId.Int64,
            ColumnKind.UInteger => id is ArrowTypeId.UInt64,
            ColumnKind.Boolean => id is ArrowTypeId.Boolean,
            ColumnKind.Tag or ColumnKind.String => id is not (ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.Null),
            _ => false,
        };
    }

    private static ArrowType WidenedType(ArrowType type) => ColumnTypes.Widened(type.Id) switch
    {
        ArrowTypeId.Int64 when type.Id != ArrowTypeId.Int64 => ArrowType.Int64,
        ArrowTypeId.UInt64 when type.Id != ArrowTypeId.UInt64 => ArrowType.UInt64,
        ArrowTypeId.Float64 when type.Id != ArrowTypeId.Float64 => ArrowType.Float64,
        ArrowTypeId.Utf8 when type.Id != ArrowTypeId.Utf8 => ArrowType.Utf8,
        _ => type,
    };

    private static long TimeFactor(ArrowType type) => type.Id != ArrowTypeId.Timestamp ? 1 : type.Unit switch
    {
        TimeUnit.Second => 1_000_000_000L,
        TimeUnit.Millisecond => 1_000_000L,
        TimeUnit.Microsecond => 1_000L,
        _ => 1L,
    };

    private static double Float(ArrowArray array, int row) => array switch
    {
        DoubleArray a => a.Values[row],
        FloatArray a => a.Values[row],
        UInt64Array a => a.Values[row],
        UInt32Array a => a.Values[row],
        UInt16Array a => a.Values[row],
        UInt8Array a => a.Values[row],
        _ => Integer(array, row),
    };

    /// <summary>A signed integer or timestamp value.</summary>
    private static long Integer(ArrowArray array, int row) => array switch
    {
        Int64Array a => a.Values[row],
        TimestampArray a => a.Values[row],
        Int32Array a => a.Values[row],
        Int16Array a => a.Values[row],
        Int8Array a => a.Values[row],
        _ => throw new InvalidOperationException($"{array.Type} is not a signed integer type"),
    };

    private static ulong UInteger(ArrowArray array, int row) => array switch
    {
        UInt64Array a => a.Values[row],
        UInt32Array a => a.Values[row],
        UInt16Array a => a.Values[row],
        UInt8Array a => a.Values[row],
        _ => throw new InvalidOperationException($"{array.Type} is not an unsigned integer type"),
    };
}
