using System.Buffers.Binary;
using System.Text;

namespace Tsdb.Flight.Arrow;

/// <summary>
/// A column with its data, for the few Flight SQL answers whose schemas need nested types (GetSqlInfo's dense
/// union, GetXdbcTypeInfo's list), which Tsdb.Arrow does not model. Buffers are in Columnar.rst order.
/// </summary>
internal sealed class NestedColumn
{
    private NestedColumn(string name, bool nullable, NestedType type, int length, int nullCount, byte[][] buffers, NestedColumn[] children, int[]? unionTypeIds = null)
    {
        Name = name;
        Nullable = nullable;
        Type = type;
        Length = length;
        NullCount = nullCount;
        Buffers = buffers;
        Children = children;
        UnionTypeIds = unionTypeIds;
    }

    public string Name { get; }

    public bool Nullable { get; }

    public NestedType Type { get; }

    public int Length { get; }

    public int NullCount { get; }

    public byte[][] Buffers { get; }

    public NestedColumn[] Children { get; }

    public int[]? UnionTypeIds { get; }

    public static NestedColumn Utf8(string name, bool nullable, IReadOnlyList<string?> values)
    {
        var offsets = new byte[(values.Count + 1) * 4];
        var data = new List<byte>();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } v)
            {
                data.AddRange(Encoding.UTF8.GetBytes(v));
            }
            BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan((i + 1) * 4), data.Count);
        }
        var (validity, nulls) = Validity(values.Count, i => values[i] is not null);
        return new(name, nullable, NestedType.Utf8, values.Count, nulls, [validity, offsets, [.. data]], []);
    }

    public static NestedColumn Int32(string name, bool nullable, IReadOnlyList<int?> values) =>
        Fixed(name, nullable, NestedType.Int32, values.Count, 4, i => values[i] is { } v ? BitConverter.GetBytes(v) : null);

    public static NestedColumn Int64(string name, bool nullable, IReadOnlyList<long?> values) =>
        Fixed(name, nullable, NestedType.Int64, values.Count, 8, i => values[i] is { } v ? BitConverter.GetBytes(v) : null);

    public static NestedColumn UInt32(string name, bool nullable, IReadOnlyList<uint?> values) =>
        Fixed(name, nullable, NestedType.UInt32, values.Count, 4, i => values[i] is { } v ? BitConverter.GetBytes(v) : null);

    public static NestedColumn UInt8(string name, bool nullable, IReadOnlyList<byte?> values) =>
        Fixed(name, nullable, NestedType.UInt8, values.Count, 1, i => values[i] is { } v ? [v] : null);

    public static NestedColumn Boolean(string name, bool nullable, IReadOnlyList<bool?> values)
    {
        var data = new byte[(values.Count + 7) / 8];
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == true)
            {
                data[i / 8] |= (byte)(1 << (i % 8));
            }
        }
        var (validity, nulls) = Validity(values.Count, i => values[i] is not null);
        return new(name, nullable, NestedType.Boolean, values.Count, nulls, [validity, data], []);
    }

    /// <summary>A list column; <paramref name="offsets"/> has length + 1 entries into <paramref name="items"/>; a null list has <paramref name="isValid"/> false.</summary>
    public static NestedColumn List(string name, bool nullable, IReadOnlyList<int> offsets, IReadOnlyList<bool> isValid, NestedColumn items)
    {
        var offsetBytes = new byte[offsets.Count * 4];
        for (var i = 0; i < offsets.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(offsetBytes.AsSpan(i * 4), offsets[i]);
        }
        var (validity, nulls) = Validity(isValid.Count, i => isValid[i]);
        return new(name, nullable, NestedType.List, isValid.Count, nulls, [validity, offsetBytes], [items]);
    }

    /// <summary>An empty map&lt;key, value&gt; column (entries struct of <paramref name="key"/> and <paramref name="value"/>).</summary>
    public static NestedColumn EmptyMap(string name, bool nullable, NestedColumn key, NestedColumn value)
    {
        var entries = new NestedColumn("entries", false, NestedType.Struct, 0, 0, [[]], [key, value]);
        return new(name, nullable, NestedType.Map, 0, 0, [[], new byte[4]], [entries]);
    }

    /// <summary>A dense union: per row a type id (the child's position) and an offset into that child.</summary>
    public static NestedColumn DenseUnion(string name, IReadOnlyList<sbyte> typeIds, IReadOnlyList<int> offsets, NestedColumn[] children)
    {
        var types = new byte[typeIds.Count];
        var offsetBytes = new byte[typeIds.Count * 4];
        for (var i = 0; i < typeIds.Count; i++)
        {
            types[i] = (byte)typeIds[i];
            BinaryPrimitives.WriteInt32LittleEndian(offsetBytes.AsSpan(i * 4), offsets[i]);
        }
        var ids = new int[children.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = i;
        }
        return new(name, false, NestedType.DenseUnion, typeIds.Count, 0, [types, offsetBytes], children, ids);
    }

    private static NestedColumn Fixed(string name, bool nullable, NestedType type, int count, int width, Func<int, byte[]?> value)
    {
        var data = new byte[count * width];
        for (var i = 0; i < count; i++)
        {
            value(i)?.CopyTo(data, i * width);
        }
        var (validity, nulls) = Validity(count, i => value(i) is not null);
        return new(name, nullable, type, count, nulls, [validity, data], []);
    }

    private static (byte[] Validity, int Nulls) Validity(int count, Func<int, bool> isValid)
    {
        var bits = new byte[(count + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < count; i++)
        {
            if (isValid(i))
            {
                bits[i / 8] |= (byte)(1 << (i % 8));
            }
            else
            {
                nulls++;
            }
        }
        // A column without nulls may omit its bitmap.
        return (nulls == 0 ? [] : bits, nulls);
    }
}
