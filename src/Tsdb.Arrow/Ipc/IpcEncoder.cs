using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.FlatBuffers;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;
using Tsdb.Core.Compression;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// Turns a schema and its record batches into IPC messages, deciding which dictionaries must be sent before each
/// batch (none, a delta, or a replacement). Framing is left to the writers.
/// </summary>
public sealed class IpcEncoder
{
    private readonly IpcWriteOptions _options;
    private readonly bool _allowReplacement;
    private readonly long[] _dictionaryIds;
    private readonly ArrayData?[] _sentDictionaries;
    private readonly FlatBufferBuilder _builder = new(1024);

    /// <param name="allowDictionaryReplacement">False for the file format, which cannot replace a dictionary.</param>
    public IpcEncoder(Schema schema, IpcWriteOptions? options = null, bool allowDictionaryReplacement = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _options = options ?? IpcWriteOptions.Default;
        _allowReplacement = allowDictionaryReplacement;
        _dictionaryIds = new long[schema.FieldCount];
        _sentDictionaries = new ArrayData?[schema.FieldCount];
        for (var i = 0; i < schema.FieldCount; i++)
        {
            // A dictionary's id is its field's position: unique, and stable for the life of the stream.
            _dictionaryIds[i] = schema[i].Type.Id == ArrowTypeId.Dictionary ? i : -1;
        }
    }

    public Schema Schema { get; }

    internal IReadOnlyList<long> DictionaryIds => _dictionaryIds;

    public EncodedMessage EncodeSchema()
    {
        _builder.Clear();
        var schema = MetadataWriter.WriteSchema(_builder, Schema, _dictionaryIds);
        var message = MetadataWriter.WriteMessage(_builder, MessageHeaderType.Schema, schema, 0);
        return new EncodedMessage(_builder.Finish(message).ToArray(), [], 0, isDictionary: false);
    }

    /// <summary>The dictionary batches <paramref name="batch"/> needs first, followed by the record batch itself.</summary>
    public List<EncodedMessage> EncodeBatch(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!ReferenceEquals(batch.Schema, Schema) && !batch.Schema.IsEquivalentTo(Schema))
        {
            throw new ArgumentException("the batch's schema differs from the stream's", nameof(batch));
        }
        var messages = new List<EncodedMessage>(1);
        for (var i = 0; i < batch.ColumnCount; i++)
        {
            var dictionary = batch.Column(i).Data.Dictionary;
            if (dictionary is null)
            {
                continue;
            }
            var sent = _sentDictionaries[i];
            if (ReferenceEquals(sent, dictionary))
            {
                continue;
            }
            if (sent is not null && _options.EmitDictionaryDeltas && IsPrefix(sent, dictionary))
            {
                if (dictionary.Length > sent.Length)
                {
                    messages.Add(EncodeDictionary(_dictionaryIds[i], dictionary.Slice(sent.Length, dictionary.Length - sent.Length), isDelta: true));
                }
            }
            else
            {
                if (sent is not null && !_allowReplacement)
                {
                    throw new InvalidOperationException(
                        $"column '{Schema[i].Name}' changed its dictionary; the IPC file format cannot replace a dictionary (use the stream format, or append-only dictionaries)");
                }
                messages.Add(EncodeDictionary(_dictionaryIds[i], dictionary, isDelta: false));
            }
            _sentDictionaries[i] = dictionary;
        }
        messages.Add(EncodeRecordBatch(batch));
        return messages;
    }

    private EncodedMessage EncodeRecordBatch(RecordBatch batch)
    {
        var body = new BodyEncoder(_options);
        foreach (var column in batch.Columns)
        {
            body.AddArray(column.Data);
        }
        _builder.Clear();
        var header = MetadataWriter.WriteRecordBatch(_builder, batch.Length, body.Nodes, body.Buffers, _options.Compression);
        var message = MetadataWriter.WriteMessage(_builder, MessageHeaderType.RecordBatch, header, body.Length);
        return new EncodedMessage(_builder.Finish(message).ToArray(), body.Parts, body.Length, isDictionary: false);
    }

    private EncodedMessage EncodeDictionary(long id, ArrayData values, bool isDelta)
    {
        var body = new BodyEncoder(_options);
        body.AddArray(values);
        _builder.Clear();
        var data = MetadataWriter.WriteRecordBatch(_builder, values.Length, body.Nodes, body.Buffers, _options.Compression);
        var header = MetadataWriter.WriteDictionaryBatch(_builder, id, data, isDelta);
        var message = MetadataWriter.WriteMessage(_builder, MessageHeaderType.DictionaryBatch, header, body.Length);
        return new EncodedMessage(_builder.Finish(message).ToArray(), body.Parts, body.Length, isDictionary: true);
    }

    /// <summary>True when <paramref name="old"/>'s values are the first values of <paramref name="current"/>.</summary>
    private static bool IsPrefix(ArrayData old, ArrayData current)
    {
        if (old.Length > current.Length || old.Type != current.Type)
        {
            return false;
        }
        if (ReferenceEquals(old.Buffers, current.Buffers) && old.Offset == current.Offset)
        {
            return true;
        }
        return ArrayComparer.RangeEquals(old, current, old.Length);
    }

    /// <summary>Collects nodes, buffer positions and body parts for one batch.</summary>
    private sealed class BodyEncoder(IpcWriteOptions options)
    {
        public List<FieldNodeInfo> Nodes { get; } = [];

        public List<BufferInfo> Buffers { get; } = [];

        public List<ReadOnlyMemory<byte>> Parts { get; } = [];

        public long Length { get; private set; }

        public void AddArray(ArrayData data)
        {
            Nodes.Add(new FieldNodeInfo(data.Length, data.NullCount));
            var type = data.Type;
            if (type.Id == ArrowTypeId.Null)
            {
                return;
            }
            AddBuffer(data.NullCount == 0 ? ReadOnlyMemory<byte>.Empty : Bits(data.Buffers[0], data.Offset, data.Length));
            switch (type.Id)
            {
                case ArrowTypeId.Boolean:
                    AddBuffer(Bits(data.Buffers[1], data.Offset, data.Length));
                    break;
                case ArrowTypeId.Utf8 or ArrowTypeId.Binary or ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
                    AddVariableWidth(data);
                    break;
                case ArrowTypeId.Dictionary:
                    AddFixedWidth(data.Buffers[1], data.Offset, data.Length, type.IndexType!.BitWidth / 8);
                    break;
                default:
                    AddFixedWidth(data.Buffers[1], data.Offset, data.Length, type.BitWidth / 8);
                    break;
            }
        }

        private void AddFixedWidth(ReadOnlyMemory<byte> values, int offset, int length, int width) =>
            AddBuffer(length == 0 ? ReadOnlyMemory<byte>.Empty : values.Slice(offset * width, length * width));

        private static ReadOnlyMemory<byte> Bits(ReadOnlyMemory<byte> bits, int offset, int length)
        {
            if (length == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            if ((offset & 7) == 0)
            {
                return bits.Slice(offset >> 3, BitUtil.BytesFor(length));
            }
            // A slice that does not start on a byte boundary: shift the bits down to bit 0.
            var copy = new byte[BitUtil.BytesFor(length)];
            BitUtil.CopyBits(bits.Span, offset, length, copy);
            return copy;
        }

        private void AddVariableWidth(ArrayData data)
        {
            var large = data.Type.HasLargeOffsets;
            var width = large ? 8 : 4;
            var offsets = data.Buffers[1];
            long First(int i) => large
                ? BinaryPrimitives.ReadInt64LittleEndian(offsets.Span[(i * 8)..])
                : BinaryPrimitives.ReadInt32LittleEndian(offsets.Span[(i * 4)..]);
            var start = First(data.Offset);
            var end = First(data.Offset + data.Length);
            if (start == 0)
            {
                AddBuffer(offsets.Slice(data.Offset * width, (data.Length + 1) * width));
            }
            else
            {
                // Rebase a slice's offsets to start at 0, which every reader expects.
                var rebased = new byte[(data.Length + 1) * width];
                for (var i = 0; i <= data.Length; i++)
                {
                    var value = First(data.Offset + i) - start;
                    if (large)
                    {
                        BinaryPrimitives.WriteInt64LittleEndian(rebased.AsSpan(i * 8), value);
                    }
                    else
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(rebased.AsSpan(i * 4), (int)value);
                    }
                }
                AddBuffer(rebased);
            }
            AddBuffer(data.Buffers[2].Slice((int)start, (int)(end - start)));
        }

        private void AddBuffer(ReadOnlyMemory<byte> bytes)
        {
            if (bytes.Length > 0)
            {
                bytes = options.Compression switch
                {
                    IpcCompression.Zstd => Compress(bytes.Span, options.ZstdLevel),
                    IpcCompression.Lz4Frame => Lz4FrameCodec.Compress(bytes.Span),
                    _ => bytes,
                };
            }
            Buffers.Add(new BufferInfo(Length, bytes.Length));
            Parts.Add(bytes);
            Length += BitUtil.Pad8(bytes.Length);
        }

        /// <summary>int64 uncompressed length, then the zstd frame; or -1 and the raw bytes when zstd does not help.</summary>
        private static byte[] Compress(ReadOnlySpan<byte> raw, int level)
        {
            var output = new byte[8 + Zstd.MaxCompressedLength(raw.Length)];
            return CompressedBody.Frame(raw, output, Zstd.Compress(raw, output.AsSpan(8), level));
        }
    }
}
