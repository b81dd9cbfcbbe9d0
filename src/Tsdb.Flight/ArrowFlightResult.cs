using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>
/// Record batches sent as a Flight stream: the schema message, then each batch cut into slices of about
/// <see cref="FlightOptions.TargetMessageBytes"/>, encoded one at a time so memory beyond the result itself stays
/// bounded by one slice (plus what HTTP/2 flow control lets sit in the response pipe).
/// </summary>
internal sealed class ArrowFlightResult : IFlightResult
{
    private readonly IReadOnlyList<RecordBatch> _batches;
    private readonly bool _decodeDictionaries;
    private readonly bool[] _decodeColumn;
    private readonly int _targetBytes;

    public ArrowFlightResult(Schema schema, IReadOnlyList<RecordBatch> batches, bool decodeDictionaries, int targetBytes)
    {
        _batches = batches;
        _targetBytes = targetBytes;
        // A dictionary goes out whole in one message. One too large for a client's message limit (4 MiB by default
        // in most gRPC clients) is sent decoded instead, its values in every slice.
        _decodeColumn = new bool[schema.FieldCount];
        for (var c = 0; c < schema.FieldCount; c++)
        {
            _decodeColumn[c] = schema[c].Type.Id == ArrowTypeId.Dictionary && (decodeDictionaries || LargestDictionary(batches, c) > 2L * targetBytes);
        }
        _decodeDictionaries = Array.IndexOf(_decodeColumn, true) >= 0;
        Schema = ResultSchemas.For(schema, c => _decodeColumn[c]);
        long rows = 0;
        foreach (var batch in batches)
        {
            rows += batch.Length;
        }
        TotalRecords = rows;
    }

    /// <summary>The schema as sent (with column-kind metadata, dictionaries decoded for Flight SQL).</summary>
    public Schema Schema { get; }

    public long TotalRecords { get; }

    public byte[] SchemaStream() => FlightDataEncoding.SchemaStream(new IpcEncoder(Schema).EncodeSchema().Metadata);

    public async Task WriteAsync(IServerStreamWriter<FlightData> output, CancellationToken cancellationToken)
    {
        var encoder = new IpcEncoder(Schema);
        await output.WriteAsync(FlightData.Encoded(FlightDataEncoding.Parts(encoder.EncodeSchema())), cancellationToken).ConfigureAwait(false);
        foreach (var batch in _batches)
        {
            await WriteBatchAsync(output, encoder, batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One batch (with this result's column types) in slices of about the target size.</summary>
    internal async Task WriteBatchAsync(IServerStreamWriter<FlightData> output, IpcEncoder encoder, RecordBatch batch, CancellationToken cancellationToken)
    {
        var rows = RowsPerSlice(batch);
        for (var offset = 0; offset < batch.Length; offset += rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var slice = batch.Slice(offset, Math.Min(rows, batch.Length - offset));
            slice = _decodeDictionaries ? DictionaryDecoding.Decode(slice, Schema, _decodeColumn) : new RecordBatch(Schema, slice.Columns, slice.Length);
            foreach (var message in encoder.EncodeBatch(slice))
            {
                await output.WriteAsync(FlightData.Encoded(FlightDataEncoding.Parts(message)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Rows per slice so a slice's body is near the target size.</summary>
    private int RowsPerSlice(RecordBatch batch)
    {
        if (batch.Length == 0)
        {
            return 1;
        }
        double rowBytes = 0;
        foreach (var column in batch.Columns)
        {
            rowBytes += BytesPerRow(column.Data);
        }
        // A multiple of 8 rows keeps every slice's validity bitmaps byte-aligned, so they are sent without a copy.
        var rows = (long)(_targetBytes / Math.Max(rowBytes, 1)) & ~7L;
        return (int)Math.Clamp(rows, 8, 1 << 20);
    }

    private double BytesPerRow(ArrayData data)
    {
        var type = data.Type;
        if (type.Id == ArrowTypeId.Dictionary)
        {
            var index = type.IndexType!.BitWidth / 8.0;
            return _decodeDictionaries && data.Dictionary is { Length: > 0 } d ? 4 + (BufferBytes(d) / (double)d.Length) : index;
        }
        if (type.IsVariableWidth)
        {
            return (type.HasLargeOffsets ? 8 : 4) + (data.Length == 0 ? 0 : data.Buffers[2].Length / (double)Math.Max(data.Length + data.Offset, 1));
        }
        return type.Id == ArrowTypeId.Boolean ? 0.25 : Math.Max(type.BitWidth / 8.0, 0.125) + 0.125;
    }

    private static long LargestDictionary(IReadOnlyList<RecordBatch> batches, int column)
    {
        long largest = 0;
        foreach (var batch in batches)
        {
            if (batch.Column(column).Data.Dictionary is { } dictionary)
            {
                largest = Math.Max(largest, BufferBytes(dictionary));
            }
        }
        return largest;
    }

    private static long BufferBytes(ArrayData data)
    {
        long bytes = 0;
        foreach (var buffer in data.Buffers)
        {
            bytes += buffer.Length;
        }
        return bytes;
    }
}
