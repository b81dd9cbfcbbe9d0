using System.Runtime.InteropServices;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Arrays;

/// <summary>
/// The physical layout of one array: type, logical length and offset into its buffers, null count, and the
/// buffers in Columnar.rst order (validity first; an empty validity buffer means "no nulls"). A dictionary array's
/// values are in <see cref="Dictionary"/>. Slices share buffers and own nothing.
/// </summary>
public sealed class ArrayData : IDisposable
{
    private IDisposable? _owner;

    public ArrayData(ArrowType type, int length, int nullCount, ReadOnlyMemory<byte>[] buffers, int offset = 0, ArrayData? dictionary = null, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (buffers.Length != type.BufferCount)
        {
            throw new ArgumentException($"{type} takes {type.BufferCount} buffers, got {buffers.Length}", nameof(buffers));
        }
        if ((type.Id == ArrowTypeId.Dictionary) != (dictionary is not null))
        {
            throw new ArgumentException("a dictionary array needs its dictionary, and only it may have one", nameof(dictionary));
        }
        Type = type;
        Length = length;
        Offset = offset;
        Buffers = buffers;
        Dictionary = dictionary;
        _owner = owner;
        NullCount = type.Id == ArrowTypeId.Null ? length
            : buffers.Length == 0 || buffers[0].IsEmpty ? 0
            : nullCount >= 0 ? nullCount
            : length - BitUtil.CountSetBits(buffers[0].Span, offset, length);
    }

    public ArrowType Type { get; }

    public int Length { get; }

    /// <summary>Offset, in elements, of this array's first element in its buffers.</summary>
    public int Offset { get; }

    public int NullCount { get; }

    public ReadOnlyMemory<byte>[] Buffers { get; }

    public ArrayData? Dictionary { get; }

    /// <summary>The validity bitmap (bit <see cref="Offset"/> is element 0), or empty when there are no nulls.</summary>
    public ReadOnlySpan<byte> Validity => Buffers.Length == 0 ? default : Buffers[0].Span;

    /// <summary>Fixed-width values as <typeparamref name="T"/>, starting at <see cref="Offset"/>.</summary>
    public ReadOnlySpan<T> GetValues<T>(int bufferIndex = 1) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(Buffers[bufferIndex].Span).Slice(Offset, Length);

    public bool IsNull(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        if (Type.Id == ArrowTypeId.Null)
        {
            return true;
        }
        var validity = Validity;
        return !validity.IsEmpty && !BitUtil.GetBit(validity, Offset + index);
    }

    /// <summary>A view of <paramref name="length"/> elements from <paramref name="offset"/>, sharing the buffers.</summary>
    public ArrayData Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"slice [{offset}, {offset}+{length}) of an array of length {Length}");
        }
        var nullCount = NullCount == 0 ? 0 : NullCount == Length && length > 0 && Type.Id == ArrowTypeId.Null ? length : -1;
        return new ArrayData(Type, length, nullCount, Buffers, Offset + offset, Dictionary);
    }

    /// <summary>Returns pooled buffers to their pool, if this array owns any. Views of it must not be used after.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}
