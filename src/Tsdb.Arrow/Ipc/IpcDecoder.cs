using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.FlatBuffers;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;
using Tsdb.Core.Compression;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// Decodes IPC messages (a Message flatbuffer plus its body) into a schema, dictionaries and record batches.
/// Every length, offset and index from the input is checked against the bytes actually present before use;
/// arrays reference the body memory without copying unless the body is compressed.
/// </summary>
public sealed class IpcDecoder
{
    private readonly IpcReadOptions _options;
    private readonly Dictionary<long, ArrayData> _dictionaries = [];
    private long[] _dictionaryIds = [];

    public IpcDecoder(IpcReadOptions? options = null) => _options = options ?? IpcReadOptions.Default;

    /// <summary>The schema, once a Schema message (or a file footer) has been decoded.</summary>
    public Schema? Schema { get; private set; }

    internal void SetSchema(Schema schema, long[] dictionaryIds)
    {
        for (var i = 0; i < schema.FieldCount; i++)
        {
            if (schema[i].Type.Id == ArrowTypeId.Dictionary && Array.IndexOf(dictionaryIds, dictionaryIds[i]) != i)
            {
                throw new ArrowFormatException($"dictionary id {dictionaryIds[i]} is used by more than one field");
            }
        }
        Schema = schema;
        _dictionaryIds = dictionaryIds;
    }

    /// <summary>
    /// Decodes one message. Returns the record batch for RecordBatch messages and null for Schema and
    /// DictionaryBatch messages (which update <see cref="Schema"/> and the dictionaries).
    /// </summary>
    public RecordBatch? Decode(ReadOnlyMemory<byte> metadata, ReadOnlyMemory<byte> body)
    {
        var (type, header, bodyLength) = ParseMessage(metadata);
        if (bodyLength > body.Length)
        {
            throw new ArrowFormatException($"message body is {body.Length} bytes, its header says {bodyLength}");
        }
        body = body[..(int)bodyLength];
        switch (type)
        {
            case MessageHeaderType.Schema:
                if (Schema is not null)
                {
                    throw new ArrowFormatException("a second Schema message in one stream");
                }
                var (schema, ids) = MetadataReader.ReadSchema(header);
                SetSchema(schema, ids);
                return null;
            case MessageHeaderType.DictionaryBatch:
                ReadDictionaryBatch(header, body);
                return null;
            case MessageHeaderType.RecordBatch:
                return ReadRecordBatch(header, body);
            default:
                throw new ArrowFormatException($"unsupported message type {type}");
        }
    }

    internal static (MessageHeaderType Type, FlatBufferTable Header, long BodyLength) ParseMessage(ReadOnlyMemory<byte> metadata)
    {
        var message = FlatBufferTable.Root(metadata);
        var version = message.GetShort(0);
        if (version < 3)
        {
            throw new ArrowFormatException($"metadata version V{version + 1} is too old (V4 or V5 required)");
        }
        if (version > MetadataWriter.MetadataVersionV5)
        {
            throw new ArrowFormatException($"metadata version V{version + 1} is newer than this reader (V5)");
        }
        var type = (MessageHeaderType)message.GetByte(1);
        var header = message.GetTable(2) ?? throw new ArrowFormatException($"message of type {type} has no header");
        var bodyLength = message.GetLong(3);
        if (bodyLength < 0)
        {
            throw new ArrowFormatException($"negative body length {bodyLength}");
        }
        return (type, header, bodyLength);
    }

    private Schema RequireSchema() => Schema ?? throw new ArrowFormatException("a batch arrived before the schema");

    private void ReadDictionaryBatch(FlatBufferTable header, ReadOnlyMemory<byte> body)
    {
        var schema = RequireSchema();
        var id = header.GetLong(0);
        var fieldIndex = Array.IndexOf(_dictionaryIds, id);
        if (fieldIndex < 0 || schema[fieldIndex].Type.Id != ArrowTypeId.Dictionary)
        {
            throw new ArrowFormatException($"dictionary batch for unknown dictionary id {id}");
        }
        var data = header.GetTable(1) ?? throw new ArrowFormatException($"dictionary batch {id} has no data");
        var valueType = schema[fieldIndex].Type.ValueType!;
        var reader = new BatchBodyReader(data, body, _options);
        if (reader.Length > int.MaxValue)
        {
            throw new ArrowFormatException($"dictionary of {reader.Length} values is too long");
        }
        var values = reader.ReadArray(valueType, schema[fieldIndex].Name, dictionary: null, expectedLength: (int)reader.Length);
        reader.EnsureConsumed();
        var isDelta = header.GetBool(2);
        if (isDelta)
        {
            if (!_dictionaries.TryGetValue(id, out var existing))
            {
                throw new ArrowFormatException($"delta dictionary batch for id {id} before any dictionary");
            }
            values = ArrayConcatenation.Concatenate(existing, values);
        }
        _dictionaries[id] = values;
    }

    private RecordBatch ReadRecordBatch(FlatBufferTable header, ReadOnlyMemory<byte> body)
    {
        var schema = RequireSchema();
        var reader = new BatchBodyReader(header, body, _options);
        if (reader.Length > int.MaxValue)
        {
            throw new ArrowFormatException($"record batch of {reader.Length} rows is too long");
        }
        var length = (int)reader.Length;
        var columns = new ArrowArray[schema.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            var field = schema[i];
            ArrayData? dictionary = null;
            if (field.Type.Id == ArrowTypeId.Dictionary && !_dictionaries.TryGetValue(_dictionaryIds[i], out dictionary))
            {
                throw new ArrowFormatException($"field '{field.Name}' uses dictionary {_dictionaryIds[i]} before it was sent");
            }
            columns[i] = ArrowArray.Create(reader.ReadArray(field.Type, field.Name, dictionary, length));
        }
        reader.EnsureConsumed();
        return new RecordBatch(schema, columns, length);
    }

    /// <summary>Walks the nodes and buffers of one RecordBatch table against its body.</summary>
    private sealed class BatchBodyReader
    {
        private readonly FlatBufferTable _table;
        private readonly ReadOnlyMemory<byte> _body;
        private readonly IpcReadOptions _options;
        private readonly int _nodesStart;
        private readonly int _nodeCount;
        private readonly int _buffersStart;
        private readonly int _bufferCount;
        private readonly IpcCompression _compression;
        private int _node;
        private int _buffer;

        public BatchBodyReader(FlatBufferTable table, ReadOnlyMemory<byte> body, IpcReadOptions options)
        {
            _table = table;
            _body = body;
            _options = options;
            Length = table.GetLong(0);
            if (Length < 0)
            {
                throw new ArrowFormatException($"negative batch length {Length}");
            }
            (_nodesStart, _nodeCount) = table.GetVector(1, 16);
            (_buffersStart, _bufferCount) = table.GetVector(2, 16);
            if (table.GetTable(3) is { } compression)
            {
                var codec = compression.GetByte(0);
                _compression = codec switch
                {
                    0 => IpcCompression.Lz4Frame,
                    1 => IpcCompression.Zstd,
                    _ => throw new ArrowFormatException($"unknown body compression codec {codec}"),
                };
                if (compression.GetByte(1) != 0)
                {
                    throw new ArrowFormatException("only per-buffer body compression is defined");
                }
            }
        }

        public long Length { get; }

        public void EnsureConsumed()
        {
            if (_node != _nodeCount || _buffer != _bufferCount)
            {
                throw new ArrowFormatException($"batch has {_nodeCount} field nodes and {_bufferCount} buffers; the schema uses {_node} and {_buffer}");
            }
        }

        public ArrayData ReadArray(ArrowType type, string name, ArrayData? dictionary, int expectedLength)
        {
            if (_node >= _nodeCount)
            {
                throw new ArrowFormatException($"field '{name}': no field node left in the batch");
            }
            var position = _nodesStart + (_node++ * 16);
            var length = _table.ReadLongAt(position);
            var nullCount = _table.ReadLongAt(position + 8);
            if (length != expectedLength)
            {
                throw new ArrowFormatException($"field '{name}': {length} values in a batch of {expectedLength}");
            }
            if (nullCount < 0 || nullCount > length)
            {
                throw new ArrowFormatException($"field '{name}': null count {nullCount} out of range for {length} values");
            }
            var buffers = new ReadOnlyMemory<byte>[type.BufferCount];
            for (var i = 0; i < buffers.Length; i++)
            {
                buffers[i] = NextBuffer(name);
            }
            var n = (int)length;
            var nulls = (int)nullCount;
            if (type.Id != ArrowTypeId.Null)
            {
                ValidateValidity(name, buffers, n, nulls);
                if (nulls == 0)
                {
                    buffers[0] = ReadOnlyMemory<byte>.Empty;
                }
                ValidateValues(name, type, buffers, n, dictionary);
            }
            return new ArrayData(type, n, type.Id == ArrowTypeId.Null ? n : nulls, buffers, dictionary: dictionary);
        }

        private ReadOnlyMemory<byte> NextBuffer(string name)
        {
            if (_buffer >= _bufferCount)
            {
                throw new ArrowFormatException($"field '{name}': no buffer left in the batch");
            }
            var position = _buffersStart + (_buffer++ * 16);
            var offset = _table.ReadLongAt(position);
            var length = _table.ReadLongAt(position + 8);
            if (offset < 0 || length < 0 || offset > _body.Length || length > _body.Length - offset)
            {
                throw new ArrowFormatException($"field '{name}': buffer [{offset}, +{length}) outside a body of {_body.Length} bytes");
            }
            var bytes = _body.Slice((int)offset, (int)length);
            return _compression == IpcCompression.None ? bytes : Decompress(name, bytes);
        }

        private ReadOnlyMemory<byte> Decompress(string name, ReadOnlyMemory<byte> bytes)
        {
            if (bytes.Length == 0)
            {
                return bytes;
            }
            if (bytes.Length < 8)
            {
                throw new ArrowFormatException($"field '{name}': compressed buffer of {bytes.Length} bytes has no length prefix");
            }
            var uncompressed = BinaryPrimitives.ReadInt64LittleEndian(bytes.Span);
            if (uncompressed == -1)
            {
                return bytes[8..];
            }
            if (uncompressed == 0)
            {
                // An empty buffer: Apache.Arrow (C#) writes the prefix 0 and no frame, or an empty frame, for it.
                return ReadOnlyMemory<byte>.Empty;
            }
            if (uncompressed < 0 || uncompressed > _options.MaxBodyLength || uncompressed > Array.MaxLength)
            {
                throw new ArrowFormatException($"field '{name}': bad uncompressed buffer length {uncompressed}");
            }
            return _compression == IpcCompression.Lz4Frame
                ? Lz4FrameCodec.Decompress(name, bytes[8..], (int)uncompressed)
                : DecompressZstd(name, bytes, uncompressed);
        }

        private ReadOnlyMemory<byte> DecompressZstd(string name, ReadOnlyMemory<byte> bytes, long uncompressed)
        {
            // zstd records the content size in the frame; a frame that disagrees with the prefix is corrupt,
            // and checking first keeps a lying prefix from sizing a large allocation on its own.
            long? frameSize;
            try
            {
                frameSize = Zstd.GetFrameContentSize(bytes.Span[8..]);
            }
            catch (InvalidDataException e)
            {
                throw new ArrowFormatException($"field '{name}': {e.Message}", e);
            }
            if (frameSize is { } size && size != uncompressed)
            {
                // apache-arrow (JS) 21 writes the compressed length as the prefix. Accept exactly that mistake, and
                // trust the frame's own content size, which zstd enforces while decompressing.
                if (uncompressed != bytes.Length - 8 || size > _options.MaxBodyLength || size > Array.MaxLength)
                {
                    throw new ArrowFormatException($"field '{name}': zstd frame holds {size} bytes, the prefix says {uncompressed}");
                }
                uncompressed = size;
            }
            var output = GC.AllocateUninitializedArray<byte>((int)uncompressed);
            int written;
            try
            {
                written = Zstd.Decompress(bytes.Span[8..], output);
            }
            catch (InvalidDataException e)
            {
                throw new ArrowFormatException($"field '{name}': {e.Message}", e);
            }
            if (written != uncompressed)
            {
                throw new ArrowFormatException($"field '{name}': decompressed {written} bytes, expected {uncompressed}");
            }
            return output;
        }

        private static void ValidateValidity(string name, ReadOnlyMemory<byte>[] buffers, int length, int nullCount)
        {
            if (nullCount == 0)
            {
                return;
            }
            if (buffers[0].Length < BitUtil.BytesFor(length))
            {
                throw new ArrowFormatException($"field '{name}': validity bitmap of {buffers[0].Length} bytes for {length} values with nulls");
            }
            var valid = BitUtil.CountSetBits(buffers[0].Span, 0, length);
            if (length - valid != nullCount)
            {
                throw new ArrowFormatException($"field '{name}': null count says {nullCount}, the bitmap has {length - valid}");
            }
        }

        private static void ValidateValues(string name, ArrowType type, ReadOnlyMemory<byte>[] buffers, int length, ArrayData? dictionary)
        {
            switch (type.Id)
            {
                case ArrowTypeId.Boolean:
                    RequireBytes(name, "values", buffers[1], BitUtil.BytesFor(length));
                    break;
                case ArrowTypeId.Utf8 or ArrowTypeId.Binary or ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
                    ValidateOffsets(name, type, buffers, length);
                    break;
                case ArrowTypeId.Dictionary:
                    var width = type.IndexType!.BitWidth / 8;
                    RequireBytes(name, "indices", buffers[1], (long)length * width);
                    ValidateIndices(name, type, buffers, length, dictionary!.Length);
                    break;
                default:
                    RequireBytes(name, "values", buffers[1], (long)length * (type.BitWidth / 8));
                    break;
            }
        }

        private static void RequireBytes(string name, string what, ReadOnlyMemory<byte> buffer, long needed)
        {
            if (buffer.Length < needed)
            {
                throw new ArrowFormatException($"field '{name}': {what} buffer of {buffer.Length} bytes, {needed} needed");
            }
        }

        private static void ValidateOffsets(string name, ArrowType type, ReadOnlyMemory<byte>[] buffers, int length)
        {
            var large = type.HasLargeOffsets;
            var width = large ? 8 : 4;
            if (length == 0 && buffers[1].Length == 0)
            {
                // Some writers send no offsets at all for an empty array.
                buffers[1] = new byte[width];
                return;
            }
            RequireBytes(name, "offsets", buffers[1], (long)(length + 1) * width);
            var span = buffers[1].Span;
            var dataLength = buffers[2].Length;
            long previous = large ? BinaryPrimitives.ReadInt64LittleEndian(span) : BinaryPrimitives.ReadInt32LittleEndian(span);
            if (previous < 0 || previous > dataLength)
            {
                throw new ArrowFormatException($"field '{name}': first offset {previous} outside data of {dataLength} bytes");
            }
            for (var i = 1; i <= length; i++)
            {
                long next = large ? BinaryPrimitives.ReadInt64LittleEndian(span[(i * 8)..]) : BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
                if (next < previous || next > dataLength)
                {
                    throw new ArrowFormatException($"field '{name}': offset {i} ({next}) is not within [{previous}, {dataLength}]");
                }
                previous = next;
            }
        }

        private static void ValidateIndices(string name, ArrowType type, ReadOnlyMemory<byte>[] buffers, int length, int dictionaryLength)
        {
            var validity = buffers[0].Span;
            var indices = buffers[1].Span;
            var indexType = type.IndexType!.Id;
            for (var i = 0; i < length; i++)
            {
                if (!validity.IsEmpty && !BitUtil.GetBit(validity, i))
                {
                    continue;
                }
                var index = DictionaryArray.ReadIndex(indices, indexType, i);
                if (index < 0 || index >= dictionaryLength)
                {
                    throw new ArrowFormatException($"field '{name}': dictionary index {index} at row {i} outside a dictionary of {dictionaryLength}");
                }
            }
        }
    }
}
