using System.Buffers.Binary;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Arrays;

/// <summary>Appends one array to another of the same type into fresh buffers (used for delta dictionaries).</summary>
public static class ArrayConcatenation
{
    public static ArrayData Concatenate(ArrayData first, ArrayData second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Type != second.Type)
        {
            throw new ArgumentException($"cannot concatenate {first.Type} and {second.Type}");
        }
        var type = first.Type;
        var length = checked(first.Length + second.Length);
        if (type.Id == ArrowTypeId.Null)
        {
            return new ArrayData(type, length, length, []);
        }
        if (type.Id == ArrowTypeId.Dictionary)
        {
            throw new NotSupportedException("concatenating dictionary arrays is not supported");
        }
        ReadOnlyMemory<byte> validity = ReadOnlyMemory<byte>.Empty;
        var nullCount = first.NullCount + second.NullCount;
        if (nullCount > 0)
        {
            validity = ConcatBits(first, 0, second, 0, length, withValidity: true);
        }
        switch (type.Id)
        {
            case ArrowTypeId.Boolean:
                return new ArrayData(type, length, nullCount, [validity, ConcatBits(first, 1, second, 1, length, withValidity: false)]);
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary or ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
                var (offsets, data) = ConcatVariable(first, second, type.HasLargeOffsets);
                return new ArrayData(type, length, nullCount, [validity, offsets, data]);
            default:
                var width = type.BitWidth / 8;
                var values = new byte[length * width];
                first.Buffers[1].Span.Slice(first.Offset * width, first.Length * width).CopyTo(values);
                second.Buffers[1].Span.Slice(second.Offset * width, second.Length * width).CopyTo(values.AsSpan(first.Length * width));
                return new ArrayData(type, length, nullCount, [validity, values]);
        }
    }

    /// <summary>
    /// All of <paramref name="parts"/> (same type) in one array, each buffer written once. Dictionary arrays of
    /// strings get one dictionary: each part's entries are mapped to the merged entries once, then indices are
    /// rewritten (rows are never decoded to strings).
    /// </summary>
    public static ArrayData Concatenate(IReadOnlyList<ArrayData> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("nothing to concatenate", nameof(parts));
        }
        if (parts.Count == 1)
        {
            return parts[0];
        }
        var type = parts[0].Type;
        var length = 0;
        var nullCount = 0;
        foreach (var part in parts)
        {
            if (part.Type != type)
            {
                throw new ArgumentException($"cannot concatenate {type} and {part.Type}");
            }
            length = checked(length + part.Length);
            nullCount += part.NullCount;
        }
        if (type.Id == ArrowTypeId.Null)
        {
            return new ArrayData(type, length, length, []);
        }
        var validity = nullCount == 0 ? ReadOnlyMemory<byte>.Empty : ConcatValidity(parts, length);
        switch (type.Id)
        {
            case ArrowTypeId.Dictionary:
                return ConcatDictionaries(parts, type, length, nullCount, validity);
            case ArrowTypeId.Boolean:
            {
                var bits = new byte[BitUtil.BytesFor(length)];
                var at = 0;
                foreach (var part in parts)
                {
                    var span = part.Buffers[1].Span;
                    for (var i = 0; i < part.Length; i++)
                    {
                        if (BitUtil.GetBit(span, part.Offset + i))
                        {
                            BitUtil.SetBit(bits, at + i);
                        }
                    }
                    at += part.Length;
                }
                return new ArrayData(type, length, nullCount, [validity, bits]);
            }
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary or ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
            {
                var arrays = parts.Select(p => (VariableWidthArray)ArrowArray.Create(p)).ToArray();
                long total = 0;
                foreach (var a in arrays)
                {
                    total += a.GetOffset(a.Length) - a.GetOffset(0);
                }
                var large = type.HasLargeOffsets;
                var data = new byte[checked((int)total)];
                var offsets = new byte[(length + 1) * (large ? 8 : 4)];
                long written = 0;
                var row = 0;
                foreach (var a in arrays)
                {
                    long start = a.GetOffset(0), end = a.GetOffset(a.Length);
                    a.Data.Buffers[2].Span[(int)start..(int)end].CopyTo(data.AsSpan((int)written));
                    for (var i = 0; i < a.Length; i++, row++)
                    {
                        WriteOffset(offsets, row, written + (a.GetOffset(i) - start), large);
                    }
                    written += end - start;
                }
                WriteOffset(offsets, row, written, large);
                return new ArrayData(type, length, nullCount, [validity, offsets, data]);
            }
            default:
            {
                var width = type.BitWidth / 8;
                var values = new byte[length * width];
                var at = 0;
                foreach (var part in parts)
                {
                    part.Buffers[1].Span.Slice(part.Offset * width, part.Length * width).CopyTo(values.AsSpan(at * width));
                    at += part.Length;
                }
                return new ArrayData(type, length, nullCount, [validity, values]);
            }
        }
    }

    private static void WriteOffset(byte[] target, int index, long value, bool large)
    {
        if (large)
        {
            BinaryPrimitives.WriteInt64LittleEndian(target.AsSpan(index * 8), value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(target.AsSpan(index * 4), checked((int)value));
        }
    }

    private static byte[] ConcatValidity(IReadOnlyList<ArrayData> parts, int length)
    {
        var bits = new byte[BitUtil.BytesFor(length)];
        var at = 0;
        foreach (var part in parts)
        {
            if (part.NullCount == 0)
            {
                for (var i = 0; i < part.Length; i++)
                {
                    BitUtil.SetBit(bits, at + i);
                }
            }
            else
            {
                for (var i = 0; i < part.Length; i++)
                {
                    if (!part.IsNull(i))
                    {
                        BitUtil.SetBit(bits, at + i);
                    }
                }
            }
            at += part.Length;
        }
        return bits;
    }

    /// <summary>Dictionary parts of string values: one merged dictionary (first-seen order), int32 indices remapped.</summary>
    private static ArrayData ConcatDictionaries(IReadOnlyList<ArrayData> parts, ArrowType type, int length, int nullCount, ReadOnlyMemory<byte> validity)
    {
        if (type.ValueType!.Id != ArrowTypeId.Utf8)
        {
            throw new NotSupportedException($"concatenating {type} arrays is not supported");
        }
        var indexType = ArrowType.Dictionary(ArrowType.Int32, type.ValueType!, type.IsOrdered);
        var indices = new int[length];
        var row = 0;
        // Parts cut from one batch share its dictionary: their codes stay valid, and no value becomes a string.
        var shared = parts[0].Dictionary;
        for (var p = 1; p < parts.Count && shared is not null; p++)
        {
            shared = ReferenceEquals(parts[p].Dictionary, shared) ? shared : null;
        }
        if (shared is not null)
        {
            foreach (var part in parts)
            {
                var array = (DictionaryArray)ArrowArray.Create(part);
                for (var i = 0; i < array.Length; i++, row++)
                {
                    indices[row] = array.IsNull(i) ? 0 : checked((int)array.GetIndex(i));
                }
            }
            return new ArrayData(indexType, length, nullCount, [validity, System.Runtime.InteropServices.MemoryMarshal.AsBytes(indices.AsSpan()).ToArray()], dictionary: shared);
        }
        var merged = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<string>();
        foreach (var part in parts)
        {
            var array = (DictionaryArray)ArrowArray.Create(part);
            var dictionary = (StringArray)array.Dictionary;
            var map = new int[dictionary.Length];
            for (var d = 0; d < map.Length; d++)
            {
                var value = dictionary.GetString(d) ?? "";
                if (!merged.TryGetValue(value, out var index))
                {
                    index = merged[value] = values.Count;
                    values.Add(value);
                }
                map[d] = index;
            }
            for (var i = 0; i < array.Length; i++, row++)
            {
                indices[row] = array.IsNull(i) ? 0 : map[checked((int)array.GetIndex(i))];
            }
        }
        var dictionaryData = Utf8(values);
        var indexBytes = new byte[length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(indices.AsSpan()).CopyTo(indexBytes);
        return new ArrayData(indexType, length, nullCount, [validity, indexBytes], dictionary: dictionaryData);
    }

    private static ArrayData Utf8(List<string> values)
    {
        var offsets = new byte[(values.Count + 1) * 4];
        var total = 0;
        foreach (var v in values)
        {
            total += System.Text.Encoding.UTF8.GetByteCount(v);
        }
        var data = new byte[total];
        var at = 0;
        for (var i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan(i * 4), at);
            at += System.Text.Encoding.UTF8.GetBytes(values[i], data.AsSpan(at));
        }
        BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan(values.Count * 4), at);
        return new ArrayData(ArrowType.Utf8, values.Count, 0, [ReadOnlyMemory<byte>.Empty, offsets, data]);
    }

    private static byte[] ConcatBits(ArrayData first, int firstBuffer, ArrayData second, int secondBuffer, int length, bool withValidity)
    {
        var bits = new byte[BitUtil.BytesFor(length)];
        Copy(first, firstBuffer, bits, 0, withValidity);
        Copy(second, secondBuffer, bits, first.Length, withValidity);
        return bits;

        static void Copy(ArrayData source, int buffer, Span<byte> destination, int at, bool withValidity)
        {
            var span = source.Buffers[buffer].Span;
            for (var i = 0; i < source.Length; i++)
            {
                var set = withValidity ? !source.IsNull(i) : BitUtil.GetBit(span, source.Offset + i);
                if (set)
                {
                    BitUtil.SetBit(destination, at + i);
                }
            }
        }
    }

    private static (byte[] Offsets, byte[] Data) ConcatVariable(ArrayData first, ArrayData second, bool large)
    {
        var a = (VariableWidthArray)ArrowArray.Create(first);
        var b = (VariableWidthArray)ArrowArray.Create(second);
        long aStart = a.GetOffset(0), aEnd = a.GetOffset(a.Length);
        long bStart = b.GetOffset(0), bEnd = b.GetOffset(b.Length);
        var data = new byte[checked((int)((aEnd - aStart) + (bEnd - bStart)))];
        first.Buffers[2].Span[(int)aStart..(int)aEnd].CopyTo(data);
        second.Buffers[2].Span[(int)bStart..(int)bEnd].CopyTo(data.AsSpan((int)(aEnd - aStart)));
        var width = large ? 8 : 4;
        var offsets = new byte[(a.Length + b.Length + 1) * width];
        for (var i = 0; i <= a.Length; i++)
        {
            Write(offsets, i, a.GetOffset(i) - aStart);
        }
        for (var i = 1; i <= b.Length; i++)
        {
            Write(offsets, a.Length + i, (aEnd - aStart) + (b.GetOffset(i) - bStart));
        }
        return (offsets, data);

        void Write(byte[] target, int index, long value)
        {
            if (large)
            {
                BinaryPrimitives.WriteInt64LittleEndian(target.AsSpan(index * 8), value);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(target.AsSpan(index * 4), checked((int)value));
            }
        }
    }
}
