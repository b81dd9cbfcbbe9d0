using System.Buffers.Binary;

namespace Tsdb.Arrow.Arrays;

/// <summary>Utf8/Binary layouts: validity, offsets (int32, or int64 for the Large types) and data.</summary>
public abstract class VariableWidthArray : ArrowArray
{
    protected VariableWidthArray(ArrayData data) : base(data) { }

    /// <summary>Start of element <paramref name="index"/> in the data buffer (index may equal Length).</summary>
    public long GetOffset(int index)
    {
        var position = Data.Offset + index;
        var offsets = Data.Buffers[1].Span;
        return Type.HasLargeOffsets
            ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(position * 8)..])
            : BinaryPrimitives.ReadInt32LittleEndian(offsets[(position * 4)..]);
    }

    /// <summary>The bytes of element <paramref name="index"/> (empty for null).</summary>
    public ReadOnlySpan<byte> GetBytes(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        var start = GetOffset(index);
        var end = GetOffset(index + 1);
        return Data.Buffers[2].Span[(int)start..(int)end];
    }

    /// <summary>Int32 offsets starting at element 0 (Length + 1 entries); only for non-Large types.</summary>
    public ReadOnlySpan<int> Offsets => Type.HasLargeOffsets
        ? throw new InvalidOperationException($"{Type} has 64-bit offsets")
        : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(Data.Buffers[1].Span).Slice(Data.Offset, Length + 1);

    /// <summary>The whole data buffer.</summary>
    public ReadOnlySpan<byte> ValueBytes => Data.Buffers[2].Span;
}
