using Tsdb.Arrow.FlatBuffers;

namespace Tsdb.Flight.Arrow;

/// <summary>
/// Encodes a schema and one record batch of <see cref="NestedColumn"/>s as IPC messages (Message.fbs, Schema.fbs;
/// protocols.md §5.2): the flatbuffer metadata and the body, which Flight sends as data_header and data_body.
/// </summary>
internal static class NestedBatchEncoder
{
    private const short MetadataV5 = 4;
    private const byte SchemaHeader = 1;
    private const byte RecordBatchHeader = 3;

    public static byte[] EncodeSchema(IReadOnlyList<NestedColumn> columns)
    {
        var b = new FlatBufferBuilder(1024);
        var fields = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            fields[i] = WriteField(b, columns[i]);
        }
        var fieldVector = b.CreateOffsetVector(fields);
        b.StartTable(4);
        b.AddOffset(1, fieldVector);
        var schema = b.EndTable();
        return Message(b, SchemaHeader, schema, 0);
    }

    public static (byte[] Metadata, byte[] Body) EncodeBatch(IReadOnlyList<NestedColumn> columns, int length)
    {
        var nodes = new List<(long Length, long Nulls)>();
        var buffers = new List<(long Offset, long Length)>();
        var body = new MemoryStream();
        foreach (var column in columns)
        {
            Flatten(column, nodes, buffers, body);
        }
        var b = new FlatBufferBuilder(1024);
        b.StartVector(16, nodes.Count, 8);
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            b.AddLong(nodes[i].Nulls);
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
        b.StartTable(5);
        b.AddLong(0, length, 0);
        b.AddOffset(1, nodeVector);
        b.AddOffset(2, bufferVector);
        var batch = b.EndTable();
        return (Message(b, RecordBatchHeader, batch, body.Length), body.ToArray());
    }

    private static void Flatten(NestedColumn column, List<(long, long)> nodes, List<(long, long)> buffers, MemoryStream body)
    {
        nodes.Add((column.Length, column.NullCount));
        foreach (var buffer in column.Buffers)
        {
            buffers.Add((body.Length, buffer.Length));
            body.Write(buffer);
            var pad = (int)((8 - (buffer.Length % 8)) % 8);
            for (var i = 0; i < pad; i++)
            {
                body.WriteByte(0);
            }
        }
        foreach (var child in column.Children)
        {
            Flatten(child, nodes, buffers, body);
        }
    }

    private static byte[] Message(FlatBufferBuilder b, byte headerType, int header, long bodyLength)
    {
        b.StartTable(5);
        b.AddShort(0, MetadataV5, 0);
        b.AddByte(1, headerType, 0);
        b.AddOffset(2, header);
        b.AddLong(3, bodyLength, 0);
        return b.Finish(b.EndTable()).ToArray();
    }

    private static int WriteField(FlatBufferBuilder b, NestedColumn column)
    {
        var name = b.CreateString(column.Name);
        var (tag, type) = WriteType(b, column);
        var childOffsets = new int[column.Children.Length];
        for (var i = 0; i < childOffsets.Length; i++)
        {
            childOffsets[i] = WriteField(b, column.Children[i]);
        }
        var children = b.CreateOffsetVector(childOffsets);
        b.StartTable(7);
        b.AddOffset(0, name);
        b.AddBool(1, column.Nullable, false);
        b.AddByte(2, tag, 0);
        b.AddOffset(3, type);
        b.AddOffset(5, children);
        return b.EndTable();
    }

    /// <summary>The Type union member (Schema.fbs ids: Int=2, Utf8=5, Bool=6, List=12, Struct_=13, Union=14, Map=17) and its table.</summary>
    private static (byte Tag, int Offset) WriteType(FlatBufferBuilder b, NestedColumn column)
    {
        switch (column.Type)
        {
            case NestedType.Int32 or NestedType.Int64 or NestedType.UInt8 or NestedType.UInt32:
                b.StartTable(2);
                b.AddInt(0, column.Type switch { NestedType.Int64 => 64, NestedType.UInt8 => 8, _ => 32 }, 0);
                b.AddBool(1, column.Type is NestedType.Int32 or NestedType.Int64, false);
                return (2, b.EndTable());
            case NestedType.DenseUnion:
                var ids = column.UnionTypeIds!;
                b.StartVector(4, ids.Length, 4);
                for (var i = ids.Length - 1; i >= 0; i--)
                {
                    b.AddInt(ids[i]);
                }
                var idVector = b.EndVector();
                b.StartTable(2);
                b.AddShort(0, 1, 0); // UnionMode.Dense
                b.AddOffset(1, idVector);
                return (14, b.EndTable());
            case NestedType.Map:
                b.StartTable(1);
                return (17, b.EndTable());
            default:
                b.StartTable(0);
                var tag = column.Type switch
                {
                    NestedType.Utf8 => (byte)5,
                    NestedType.Boolean => (byte)6,
                    NestedType.List => (byte)12,
                    _ => (byte)13,
                };
                return (tag, b.EndTable());
        }
    }
}
