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
