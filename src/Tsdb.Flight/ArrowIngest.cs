using System.Buffers;
using System.Globalization;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Grpc;
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
        if (body.WrittenCount == 0)
        {
            return 0;
        }
        var outcome = await ingester.WriteAsync(new WriteRequest(database, body.WrittenMemory) { Precision = Precision.Nanosecond, AcceptPartial = false }, cancellationToken).ConfigureAwait(false);
        switch (outcome.RequestError)
        {
            case WriteRequestError.None or WriteRequestError.EmptyBody:
                break;
            case WriteRequestError.Overloaded or WriteRequestError.DatabaseLimit:
                throw new GrpcException(GrpcStatusCode.ResourceExhausted, outcome.RequestErrorMessage ?? "limit reached");
            default:
                throw new GrpcException(GrpcStatusCode.InvalidArgument, outcome.RequestErrorMessage ?? "the write was refused");
        }
        if (outcome.LineErrors.Count > 0)
        {
            var e = outcome.LineErrors[0];
            throw new GrpcException(outcome.LimitExceeded ? GrpcStatusCode.ResourceExhausted : GrpcStatusCode.InvalidArgument,
                $"row {e.LineNumber - 1} of the batch was refused (nothing of the batch was written): {e.Message}");
        }
        return outcome.LinesWritten;
    }

    internal static ArrayBufferWriter<byte> ToLineProtocol(string table, RecordBatch batch)
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
                throw new GrpcException(GrpcStatusCode.InvalidArgument, $"column '{field.Name}' has type {field.Type}, which cannot be stored");
            }
            if (kinds[c] == ColumnKind.Time)
            {
                if (time >= 0)
                {
                    throw new GrpcException(GrpcStatusCode.InvalidArgument, $"columns '{batch.Schema[time].Name}' and '{field.Name}' are both time columns; a table has one");
                }
                time = c;
            }
        }
        if (time < 0)
        {
            throw new GrpcException(GrpcStatusCode.InvalidArgument, "the batch has no time column (a timestamp column, or one named 'time')");
        }
        var writer = new ArrayBufferWriter<byte>(Math.Max(256, batch.Length * 64));
        var line = new StringBuilder(256);
        var measurement = Escape(table, measurement: true);
        for (var row = 0; row < batch.Length; row++)
        {
            line.Clear().Append(measurement);
            for (var c = 0; c < kinds.Length; c++)
            {
                if (kinds[c] == ColumnKind.Tag && batch.Column(c).GetObject(row) is { } tag && tag.ToString() is { Length: > 0 } value)
                {
                    line.Append(',').Append(Escape(batch.Schema[c].Name, false)).Append('=').Append(Escape(value, false));
                }
            }
            var fields = 0;
            for (var c = 0; c < kinds.Length; c++)
            {
                if (kinds[c] is ColumnKind.Tag or ColumnKind.Time || batch.Column(c).IsNull(row))
                {
                    continue;
                }
                line.Append(fields++ == 0 ? ' ' : ',').Append(Escape(batch.Schema[c].Name, false)).Append('=');
                AppendField(line, kinds[c]!.Value, batch.Column(c), row, batch.Schema[c].Name);
            }
            if (fields == 0)
            {
                // Line protocol cannot carry a row without fields; such a row stores nothing.
                continue;
            }
            line.Append(' ').Append(Nanoseconds(batch.Column(time), row, batch.Schema[time].Name).ToString(CultureInfo.InvariantCulture)).Append('\n');
            var bytes = Encoding.UTF8.GetByteCount(line.ToString());
            Encoding.UTF8.GetBytes(line.ToString(), writer.GetSpan(bytes));
            writer.Advance(bytes);
        }
        return writer;
    }

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

    private static void AppendField(StringBuilder line, ColumnKind kind, ArrowArray column, int row, string name)
    {
        var value = column.GetObject(row)!;
        switch (kind)
        {
            case ColumnKind.Float:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d))
                {
                    throw new GrpcException(GrpcStatusCode.InvalidArgument, $"column '{name}' holds {d}, which cannot be stored");
                }
                line.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case ColumnKind.Integer:
                line.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).Append('i');
                break;
            case ColumnKind.UInteger:
                line.Append(Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).Append('u');
                break;
            case ColumnKind.Boolean:
                line.Append((bool)value ? "true" : "false");
                break;
            default:
                line.Append('"');
                foreach (var ch in value.ToString()!)
                {
                    if (ch is '"' or '\\')
                    {
                        line.Append('\\');
                    }
                    line.Append(ch);
                }
                line.Append('"');
                break;
        }
    }

    private static long Nanoseconds(ArrowArray column, int row, string name)
    {
        if (column.IsNull(row))
        {
            throw new GrpcException(GrpcStatusCode.InvalidArgument, $"row {row} has no time (column '{name}' is null)");
        }
        var value = Convert.ToInt64(column.GetObject(row), CultureInfo.InvariantCulture);
        if (column.Type.Id != ArrowTypeId.Timestamp)
        {
            return value;
        }
        var factor = column.Type.Unit switch
        {
            TimeUnit.Second => 1_000_000_000L,
            TimeUnit.Millisecond => 1_000_000L,
            TimeUnit.Microsecond => 1_000L,
            _ => 1L,
        };
        return checked(value * factor);
    }

    private static string Escape(string text, bool measurement)
    {
        var sb = new StringBuilder(text.Length + 4);
        foreach (var ch in text)
        {
            if (ch is ',' or ' ' || (!measurement && ch == '='))
            {
                sb.Append('\\');
            }
            sb.Append(ch);
        }
        return sb.ToString();
    }
}
