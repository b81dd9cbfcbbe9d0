using System.Buffers;
using System.Runtime.InteropServices;

namespace Tsdb.Arrow.Memory;

/// <summary>
/// An array of values seen as the bytes of an Arrow buffer, without copying: kernels that compute a column into a
/// <c>long[]</c> or <c>double[]</c> hand it over as is instead of allocating and copying a <c>byte[]</c> of the same size.
/// </summary>
public sealed class ValuesMemory<T> : MemoryManager<byte> where T : unmanaged
{
    private readonly T[] _values;
    private GCHandle _pin;
    private int _pins;

    private ValuesMemory(T[] values) => _values = values;

    /// <summary>The bytes of <paramref name="values"/>; the array must not be written afterwards.</summary>
    public static ReadOnlyMemory<byte> Of(T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Length == 0 ? ReadOnlyMemory<byte>.Empty : new ValuesMemory<T>(values).Memory;
    }

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(_values.AsSpan());

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        lock (_values)
        {
            if (_pins++ == 0)
            {
                _pin = GCHandle.Alloc(_values, GCHandleType.Pinned);
            }
            return new MemoryHandle((byte*)_pin.AddrOfPinnedObject() + elementIndex, default, this);
        }
    }

    public override void Unpin()
    {
        lock (_values)
        {
            if (--_pins == 0)
            {
                _pin.Free();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
    }
}
