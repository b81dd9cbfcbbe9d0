using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Arrays;

/// <summary>Booleans, bit-packed LSB first.</summary>
public sealed class BooleanArray : ArrowArray
{
    public BooleanArray(ArrayData data) : base(data) { }

    public bool GetValue(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        return BitUtil.GetBit(Data.Buffers[1].Span, Data.Offset + index);
    }

    public bool? Get(int index) => IsNull(index) ? null : GetValue(index);

    public override object? GetObject(int index) => Get(index);
}
