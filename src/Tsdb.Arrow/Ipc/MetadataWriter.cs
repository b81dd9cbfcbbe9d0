using Tsdb.Arrow.FlatBuffers;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Ipc;

/// <summary>Encodes Schema, RecordBatch, DictionaryBatch, Message and Footer flatbuffers (field ids: Message.fbs,
/// Schema.fbs, File.fbs).</summary>
internal static class MetadataWriter
{
    public const short MetadataVersionV5 = 4;

    private enum TypeTag : byte
    {
        Null = 1,
        Int = 2,
        FloatingPoint = 3,
        Binary = 4,
        Utf8 = 5,
        Bool = 6,
        Timestamp = 10,
        LargeBinary = 19,
        LargeUtf8 = 20,
    }

    /// <summary>Writes a Schema table. <paramref name="dictionaryIds"/> gives, per field, the id of its dictionary.</summary>
    public static int WriteSchema(FlatBufferBuilder b, Schema schema, IReadOnlyList<long> dictionaryIds)
    {
        Span<int> fieldOffsets = schema.FieldCount <= 256 ? stackalloc int[schema.FieldCount] : new int[schema.FieldCount];
        for (var i = 0; i < schema.FieldCount; i++)
        {
            fieldOffsets[i] = WriteField(b, schema[i], dictionaryIds[i]);
        }
        var fields = b.CreateOffsetVector(fieldOffsets);
        var metadata = WriteKeyValues(b, schema.Metadata);
        b.StartTable(4);
        b.AddOffset(1, fields);
        b.AddOffset(2, metadata);
        return b.EndTable();
    }

    private static int WriteField(FlatBufferBuilder b, Field field, long dictionaryId)
    {
        var name = b.CreateString(field.Name);
        var valueType = field.Type.Id == ArrowTypeId.Dictionary ? field.Type.ValueType! : field.Type;
        var (tag, type) = WriteType(b, valueType);
        var dictionary = 0;
        if (field.Type.Id == ArrowTypeId.Dictionary)
        {
            var (_, indexType) = WriteType(b, field.Type.IndexType!);
            b.StartTable(4);
            b.AddLong(0, dictionaryId, 0);
            b.AddOffset(1, indexType);
            b.AddBool(2, field.Type.IsOrdered, false);
            dictionary = b.EndTable();
        }
        // Some readers (Arrow C++) insist on a children vector even when it is empty.
        var children = b.CreateOffsetVector([]);
        var metadata = WriteKeyValues(b, field.Metadata);
        b.StartTable(7);
        b.AddOffset(0, name);
        b.AddBool(1, field.IsNullable, false);
        b.AddByte(2, (byte)tag, 0);
        b.AddOffset(3, type);
        b.AddOffset(4, dictionary);
        b.AddOffset(5, children);
        b.AddOffset(6, metadata);
        return b.EndTable();
    }

    private static (TypeTag Tag, int Offset) WriteType(FlatBufferBuilder b, ArrowType type)
    {
        switch (type.Id)
        {
            case ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
                or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64:
                b.StartTable(2);
                b.AddInt(0, type.BitWidth, 0);
                b.AddBool(1, type.IsSignedInteger, false);
                return (TypeTag.Int, b.EndTable());
            case ArrowTypeId.Float32 or ArrowTypeId.Float64:
                b.StartTable(1);
                b.AddShort(0, type.Id == ArrowTypeId.Float32 ? (short)1 : (short)2, 0);
                return (TypeTag.FloatingPoint, b.EndTable());
            case ArrowTypeId.Timestamp:
                var tz = type.TimeZone is null ? 0 : b.CreateString(type.TimeZone);
                b.StartTable(2);
                b.AddShort(0, (short)type.Unit, 0);
                b.AddOffset(1, tz);
                return (TypeTag.Timestamp, b.EndTable());
            default:
                var tag = type.Id switch
                {
                    ArrowTypeId.Null => TypeTag.Null,
                    ArrowTypeId.Boolean => TypeTag.Bool,
                    ArrowTypeId.Utf8 => TypeTag.Utf8,
                    ArrowTypeId.LargeUtf8 => TypeTag.LargeUtf8,
                    ArrowTypeId.Binary => TypeTag.Binary,
                    ArrowTypeId.LargeBinary => TypeTag.LargeBinary,
                    _ => throw new NotSupportedException($"cannot write type {type}"),
                };
                b.StartTable(0);
                return (tag, b.EndTable());
        }
    }

    private static int WriteKeyValues(FlatBufferBuilder b, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0)
        {
            return 0;
        }
        var offsets = new int[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var key = b.CreateString(pairs[i].Key);
            var value = b.CreateString(pairs[i].Value);
            b.StartTable(2);
            b.AddOffset(0, key);
            b.AddOffset(1, value);
            offsets[i] = b.EndTable();
        }
        return b.CreateOffsetVector(offsets);
    }

    /// <summary>Writes a RecordBatch table from the nodes and buffers of an encoded body.</summary>
    public static int WriteRecordBatch(FlatBufferBuilder b, long length, IReadOnlyList<FieldNodeInfo> nodes, IReadOnlyList<BufferInfo> buffers, IpcCompression compression)
    {
        // Vectors of structs: elements last to first, each struct's fields last to first.
        b.StartVector(16, nodes.Count, 8);
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            b.AddLong(nodes[i].NullCount);
            b.AddLong(nodes[i].Length);
        }
        var nodeVector = b.EndVector();
        b.StartVector(16, buffers.Count, 8);
        for (var i = buffers.Count - 1; i >= 0; i--)
        {
            b.AddLong(buffers[i].Length);
            b.AddLong(buffers[i].Offset);
        }
        var bufferVector = b.EndVector();
        var compressionTable = 0;
        if (compression != IpcCompression.None)
        {
            b.StartTable(2);
            // CompressionType: LZ4_FRAME = 0 (the default, so the field may be left out), ZSTD = 1.
            b.AddByte(0, compression == IpcCompression.Zstd ? (byte)1 : (byte)0, 0);
            compressionTable = b.EndTable();
        }
        b.StartTable(5);
        b.AddLong(0, length, 0);
        b.AddOffset(1, nodeVector);
        b.AddOffset(2, bufferVector);
        b.AddOffset(3, compressionTable);
        return b.EndTable();
    }

    public static int WriteDictionaryBatch(FlatBufferBuilder b, long id, int recordBatch, bool isDelta)
    {
        b.StartTable(3);
        b.AddLong(0, id, 0);
        b.AddOffset(1, recordBatch);
        b.AddBool(2, isDelta, false);
        return b.EndTable();
    }

    public static int WriteMessage(FlatBufferBuilder b, MessageHeaderType type, int header, long bodyLength)
    {
        b.StartTable(5);
        b.AddShort(0, MetadataVersionV5, 0);
        b.AddByte(1, (byte)type, 0);
        b.AddOffset(2, header);
        b.AddLong(3, bodyLength, 0);
        return b.EndTable();
    }

    public static int WriteFooter(FlatBufferBuilder b, Schema schema, IReadOnlyList<long> dictionaryIds, IReadOnlyList<FileBlock> dictionaries, IReadOnlyList<FileBlock> recordBatches)
    {
        var schemaTable = WriteSchema(b, schema, dictionaryIds);
        var dictVector = WriteBlocks(b, dictionaries);
        var batchVector = WriteBlocks(b, recordBatches);
        b.StartTable(5);
        b.AddShort(0, MetadataVersionV5, 0);
        b.AddOffset(1, schemaTable);
        b.AddOffset(2, dictVector);
        b.AddOffset(3, batchVector);
        return b.EndTable();
    }

    private static int WriteBlocks(FlatBufferBuilder b, IReadOnlyList<FileBlock> blocks)
    {
        // struct Block { offset: long; metaDataLength: int; (4 bytes padding) bodyLength: long; } — 24 bytes.
        b.StartVector(24, blocks.Count, 8);
        for (var i = blocks.Count - 1; i >= 0; i--)
        {
            b.AddLong(blocks[i].BodyLength);
            b.AddInt(0);
            b.AddInt(blocks[i].MetadataLength);
            b.AddLong(blocks[i].Offset);
        }
        return b.EndVector();
    }
}

internal readonly record struct FieldNodeInfo(long Length, long NullCount);

internal readonly record struct BufferInfo(long Offset, long Length);

internal readonly record struct FileBlock(long Offset, int MetadataLength, long BodyLength);
