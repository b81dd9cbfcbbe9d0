using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Grpc.Core;
using Tsdb.Ingest;
using Tsdb.LineProtocol;

namespace Tsdb.Flight;

/// <summary>
/// DoPut bulk writes: each Arrow batch becomes line protocol for one table and goes through
/// <see cref="LineProtocolIngester"/>, so it meets the same catalog checks, limits, day partitioning and WAL as an
/// HTTP write, and is durable (fsynced) before it is acknowledged. A column's kind comes from its
/// <c>iox::column::type</c> metadata, else from its type: dictionary = tag, timestamp or a column named <c>time</c> =
/// time, numbers/strings/booleans = fields.
/// </summary>
internal sealed class ArrowIngest(LineProtocolIngester ingester)
{
    public async Task<int> WriteAsync(string database, string table, RecordBatch batch, CancellationToken cancellationToken)
    {
        var body = ToLineProtocol(table, batch);
        if (body.Length == 0)
        {
            return 0;
        }
        var outcome = await ingester.WriteAsync(new WriteRequest(database, body.Written) { Precision = Precision.Nanosecond, AcceptPartial = false, Api = "flight" }, cancellationToken).ConfigureAwait(false);
        switch (outcome.RequestError)
        {
            case WriteRequestError.None or WriteRequestError.EmptyBody:
                break;
            case WriteRequestError.Overloaded or WriteRequestError.DatabaseLimit:
                throw RpcErrors.Of(StatusCode.ResourceExhausted, outcome.RequestErrorMessage ?? "limit reached");
            default:
                throw RpcErrors.Of(StatusCode.InvalidArgument, outcome.RequestErrorMessage ?? "the write was refused");
        }
        if (outcome.LineErrors.Count > 0)
        {
            var e = outcome.LineErrors[0];
            throw RpcErrors.Of(outcome.LimitExceeded ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument,
                $"row {e.LineNumber - 1} of the batch was refused (nothing of the batch was written): {e.Message}");
        }
        return outcome.LinesWritten;
    }

    internal static LineBuffer ToLineProtocol(string table, RecordBatch batch)
    {
        var kinds = new ColumnKind?[batch.ColumnCount];
        var time = -1;
        for (var c = 0; c < kinds.Length; c++)
        {
            var field = batch.Schema[c];
            kinds[c] = ColumnKindNames.FromIoxType(field.GetMetadata(ColumnKindNames.IoxMetadataKey))
                ?? (field.Name == Catalog.TableDefinition.TimeColumn ? ColumnKind.Time : KindOf(field.Type));
            if (kinds[c] is null)
            {
                throw RpcErrors.Of(StatusCode.InvalidArgument, $"column '{field.Name}' has type {field.Type}, which cannot be stored");
            }
            if (kinds[c] == ColumnKind.Time)
            {
                if (time >= 0)
                {
                    throw RpcErrors.Of(StatusCode.InvalidArgument, $"columns '{batch.Schema[time].Name}' and '{field.Name}' are both time columns; a table has one");
                }
                time = c;
            }
        }
        if (time < 0)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, "the batch has no time column (a timestamp column, or one named 'time')");
        }
        var line = new LineBuffer(batch.Length * 64);
        var measurement = Escaped(table, escapeEquals: false);
        var names = new byte[kinds.Length][];
        var tagValues = new byte[]?[kinds.Length][];
        for (var c = 0; c < kinds.Length; c++)
        {
            names[c] = Escaped(batch.Schema[c].Name, escapeEquals: true);
            if (kinds[c] == ColumnKind.Tag && batch.Column(c) is DictionaryArray dictionary)
            {
                // Each dictionary entry is escaped once, not once per row.
                tagValues[c] = new byte[]?[dictionary.Dictionary.Length];
            }
        }
        var timeColumn = batch.Column(time);
        var timeFactor = TimeFactor(timeColumn.Type);
        for (var row = 0; row < batch.Length; row++)
        {
            var rowStart = line.Length;
            line.Bytes(measurement);
            for (var c = 0; c < kinds.Length; c++)
            {
                if (kinds[c] == ColumnKind.Tag && TagValue(batch.Column(c), row, tagValues[c]) is { Length: > 0 } value)
                {
                    line.Byte((byte)',');
                    line.Bytes(names[c]);
                    line.Byte((byte)'=');
                    line.Bytes(value);
                }
            }
            var fields = 0;
            for (var c = 0; c < kinds.Length; c++)
            {
                var column = batch.Column(c);
                if (kinds[c] is ColumnKind.Tag or ColumnKind.Time || column.IsNull(row))
                {
                    continue;
                }
                line.Byte(fields++ == 0 ? (byte)' ' : (byte)',');
                line.Bytes(names[c]);
                line.Byte((byte)'=');
                AppendField(line, kinds[c]!.Value, column, row, batch.Schema[c].Name);
            }
            if (fields == 0)
            {
                // Line protocol cannot carry a row without fields; such a row stores nothing.
                line.Length = rowStart;
                continue;
            }
            if (timeColumn.IsNull(row))
            {
                throw RpcErrors.Of(StatusCode.InvalidArgument, $"row {row} has no time (column '{batch.Schema[time].Name}' is null)");
            }
            line.Byte((byte)' ');
            line.Int64(checked(Integer(timeColumn, row) * timeFactor));
            line.Byte((byte)'\n');
        }
        return line;
    }

    private static byte[] Escaped(string text, bool escapeEquals)
    {
        var buffer = new LineBuffer(text.Length * 2);
        buffer.Escaped(LineBuffer.Utf8(text), escapeEquals);
        return buffer.Written.ToArray();
    }

    /// <summary>A tag's escaped value for one row, or null when the row has none.</summary>
    private static byte[]? TagValue(ArrowArray column, int row, byte[]?[]? dictionaryCache)
    {
        if (column.IsNull(row))
        {
            return null;
        }
        if (column is DictionaryArray dictionary && dictionaryCache is not null)
        {
            var index = (int)dictionary.GetIndex(row);
            return dictionaryCache[index] ??= dictionary.Dictionary.IsNull(index)
                ? []
                : Escaped(dictionary.Dictionary.GetObject(index)!.ToString()!, escapeEquals: true);
        }
        if (column is VariableWidthArray text && column.Type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8)
        {
            var buffer = new LineBuffer(64);
            buffer.Escaped(text.GetBytes(row), escapeEquals: true);
            return buffer.Written.ToArray();
        }
        return Escaped(Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture)!, escapeEquals: true);
    }

    private static long TimeFactor(ArrowType type) => type.Id != ArrowTypeId.Timestamp ? 1 : type.Unit switch
    {
        TimeUnit.Second => 1_000_000_000L,
        TimeUnit.Millisecond => 1_000_000L,
        TimeUnit.Microsecond => 1_000L,
        _ => 1L,
    };

    /// <summary>A signed integer or timestamp value without boxing for the common widths.</summary>
    private static long Integer(ArrowArray column, int row) => column switch
    {
        Int64Array a => a.Values[row],
        TimestampArray t => t.Values[row],
        Int32Array a => a.Values[row],
        _ => Convert.ToInt64(column.GetObject(row), CultureInfo.InvariantCulture),
    };

    private static ColumnKind? KindOf(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Dictionary => ColumnKind.Tag,
        ArrowTypeId.Timestamp => ColumnKind.Time,
        ArrowTypeId.Float64 or ArrowTypeId.Float32 => ColumnKind.Float,
        ArrowTypeId.Int64 or ArrowTypeId.Int32 or ArrowTypeId.Int16 or ArrowTypeId.Int8 => ColumnKind.Integer,
        ArrowTypeId.UInt64 or ArrowTypeId.UInt32 or ArrowTypeId.UInt16 or ArrowTypeId.UInt8 => ColumnKind.UInteger,
        ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 => ColumnKind.String,
        ArrowTypeId.Boolean => ColumnKind.Boolean,
        _ => null,
    };

    private static void AppendField(LineBuffer line, ColumnKind kind, ArrowArray column, int row, string name)
    {
        switch (kind)
        {
            case ColumnKind.Float:
                var d = column is DoubleArray doubles ? doubles.Values[row] : Convert.ToDouble(column.GetObject(row), CultureInfo.InvariantCulture);
                if (!double.IsFinite(d))
                {
                    throw RpcErrors.Of(StatusCode.InvalidArgument, $"column '{name}' holds {d}, which cannot be stored");
                }
                line.Double(d);
                break;
            case ColumnKind.Integer:
                line.Int64(Integer(column, row));
                line.Byte((byte)'i');
                break;
            case ColumnKind.UInteger:
                line.UInt64(column is UInt64Array u ? u.Values[row] : Convert.ToUInt64(column.GetObject(row), CultureInfo.InvariantCulture));
                line.Byte((byte)'u');
                break;
            case ColumnKind.Boolean:
                line.Bytes((bool)column.GetObject(row)! ? "true"u8 : "false"u8);
                break;
            default:
                if (column is VariableWidthArray text && column.Type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8)
                {
                    line.Quoted(text.GetBytes(row));
                }
                else
                {
                    line.Quoted(LineBuffer.Utf8(Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture)!));
                }
                break;
        }
    }
}
