using Tsdb.Arrow.FlatBuffers;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Ipc;

/// <summary>Decodes Schema, Field and Type flatbuffers into <see cref="Schema"/>, keeping each field's dictionary id.</summary>
internal static class MetadataReader
{
    public static (Schema Schema, long[] DictionaryIds) ReadSchema(FlatBufferTable table)
    {
        if (table.GetShort(0) != 0)
        {
            throw new ArrowFormatException("big-endian Arrow data is not supported");
        }
        var (start, count) = table.GetVector(1, 4);
        var fields = new Field[count];
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            (fields[i], ids[i]) = ReadField(table.GetVectorTable(start, i));
        }
        return (new Schema(fields, ReadKeyValues(table, 2)), ids);
    }

    private static (Field Field, long DictionaryId) ReadField(FlatBufferTable table)
    {
        var name = table.GetString(0) ?? "";
        var nullable = table.GetBool(1);
        var typeTag = table.GetByte(2);
        var typeTable = table.GetTable(3);
        var (_, childCount) = table.GetVector(5, 4);
        var type = ReadType(name, typeTag, typeTable, childCount);
        long dictionaryId = -1;
        if (table.GetTable(4) is { } encoding)
        {
            dictionaryId = encoding.GetLong(0);
            var indexType = encoding.GetTable(1) is { } indexTable ? ReadInt(name, indexTable) : ArrowType.Int32;
            if (encoding.GetShort(3) != 0)
            {
                throw new ArrowFormatException($"field '{name}': unsupported dictionary kind {encoding.GetShort(3)}");
            }
            if (type.Id == ArrowTypeId.Null)
            {
                throw new ArrowFormatException($"field '{name}': a dictionary of nulls is not supported");
            }
            type = ArrowType.Dictionary(indexType, type, encoding.GetBool(2));
        }
        return (new Field(name, type, nullable, ReadKeyValues(table, 6)), dictionaryId);
    }

    private static ArrowType ReadType(string field, byte tag, FlatBufferTable? table, int childCount)
    {
        if (childCount != 0)
        {
            throw new ArrowFormatException($"field '{field}': nested types are not supported (type tag {tag})");
        }
        if (tag != 0 && table is null && tag is not (1 or 4 or 5 or 6 or 19 or 20))
        {
            throw new ArrowFormatException($"field '{field}': type tag {tag} without its type table");
        }
        return tag switch
        {
            1 => ArrowType.Null,
            2 => ReadInt(field, table!.Value),
            3 => table!.Value.GetShort(0) switch
            {
                1 => ArrowType.Float32,
                2 => ArrowType.Float64,
                var p => throw new ArrowFormatException($"field '{field}': unsupported floating-point precision {p}"),
            },
            4 => ArrowType.Binary,
            5 => ArrowType.Utf8,
            6 => ArrowType.Boolean,
            10 => ReadTimestamp(field, table!.Value),
            19 => ArrowType.LargeBinary,
            20 => ArrowType.LargeUtf8,
            _ => throw new ArrowFormatException($"field '{field}': unsupported type {TypeName(tag)}"),
        };
    }

    private static ArrowType ReadTimestamp(string field, FlatBufferTable table)
    {
        var unit = table.GetShort(0);
        if (unit is < 0 or > 3)
        {
            throw new ArrowFormatException($"field '{field}': bad time unit {unit}");
        }
        return ArrowType.Timestamp((TimeUnit)unit, table.GetString(1));
    }

    private static ArrowType ReadInt(string field, FlatBufferTable table)
    {
        var bits = table.GetInt(0);
        var signed = table.GetBool(1);
        return (bits, signed) switch
        {
            (8, true) => ArrowType.Int8,
            (16, true) => ArrowType.Int16,
            (32, true) => ArrowType.Int32,
            (64, true) => ArrowType.Int64,
            (8, false) => ArrowType.UInt8,
            (16, false) => ArrowType.UInt16,
            (32, false) => ArrowType.UInt32,
            (64, false) => ArrowType.UInt64,
            _ => throw new ArrowFormatException($"field '{field}': bad integer width {bits}"),
        };
    }

    private static KeyValuePair<string, string>[]? ReadKeyValues(FlatBufferTable table, int field)
    {
        var (start, count) = table.GetVector(field, 4);
        if (count == 0)
        {
            return null;
        }
        var pairs = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            var kv = table.GetVectorTable(start, i);
            pairs[i] = new KeyValuePair<string, string>(kv.GetString(0) ?? "", kv.GetString(1) ?? "");
        }
        return pairs;
    }

    private static string TypeName(byte tag) => tag switch
    {
        0 => "NONE",
        7 => "Decimal",
        8 => "Date",
        9 => "Time",
        11 => "Interval",
        12 => "List",
        13 => "Struct",
        14 => "Union",
        15 => "FixedSizeBinary",
        16 => "FixedSizeList",
        17 => "Map",
        18 => "Duration",
        21 => "LargeList",
        22 => "RunEndEncoded",
        23 => "BinaryView",
        24 => "Utf8View",
        25 => "ListView",
        26 => "LargeListView",
        _ => $"#{tag}",
    };
}
