using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Builders;

/// <summary>
/// An append-only byte buffer over pooled aligned blocks that doubles when full. Builders keep one per Arrow
/// buffer; <see cref="Detach"/> hands the block to the built array and starts over.
/// </summary>
internal sealed class GrowableBuffer
{
    private const int InitialCapacity = 256;
    private readonly AlignedMemoryPool _pool;
    private PooledBuffer? _block;

    public GrowableBuffer(AlignedMemoryPool pool) => _pool = pool;

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    public Span<byte> WrittenSpan => _block is null ? default : _block.Span[..Length];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append<T>(T value) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        if (_block is null || Length + size > _block.Capacity)
        {
            Grow(size);
        }
        Unsafe.WriteUnaligned(ref _block!.Span[Length], value);
        Length += size;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_block is null || Length + bytes.Length > _block.Capacity)
        {
            Grow(bytes.Length);
        }
        bytes.CopyTo(_block!.Span[Length..]);
        Length += bytes.Length;
    }

    public void Append<T>(ReadOnlySpan<T> values) where T : unmanaged => Append(MemoryMarshal.AsBytes(values));

    /// <summary>Makes room for <paramref name="count"/> more bytes and returns them, uninitialised; they count as written.</summary>
    public Span<byte> AppendUninitialized(int count)
    {
        if (_block is null || Length + count > _block.Capacity)
        {
            Grow(count);
        }
        var span = _block!.Span.Slice(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Reads back a value written earlier.</summary>
    public T Read<T>(int byteOffset) where T : unmanaged => Unsafe.ReadUnaligned<T>(ref _block!.Span[byteOffset]);

    public void EnsureCapacity(int totalBytes)
    {
        if (_block is null || totalBytes > _block.Capacity)
        {
            Grow(totalBytes - Length);
        }
    }

    /// <summary>
    /// Gives away the block holding the bytes written (padded with zeros to 64 bytes) and resets to empty.
    /// Returns the bytes and the block that owns them (null when nothing was written).
    /// </summary>
    public (ReadOnlyMemory<byte> Bytes, PooledBuffer? Owner) Detach()
    {
        var block = _block;
        var length = Length;
        _block = null;
        Length = 0;
        if (block is null)
        {
            return (ReadOnlyMemory<byte>.Empty, null);
        }
        var padded = Math.Min(BitUtil.Pad64(length), block.Capacity);
        block.Span[length..padded].Clear();
        return (block.Memory[..length], block);
    }

    /// <summary>Drops bytes written after <paramref name="length"/>.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Forgets what was written, keeping the block for reuse.</summary>
    public void Clear() => Length = 0;

    /// <summary>Returns the block to the pool.</summary>
    public void Release()
    {
        _block?.Dispose();
        _block = null;
        Length = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int extra)
    {
        var needed = checked(Length + extra);
        var capacity = Math.Max(InitialCapacity, _block is null ? 0 : _block.Capacity);
        while (capacity < needed)
        {
            capacity = checked(capacity * 2);
        }
        var next = _pool.Rent(capacity);
        if (_block is not null)
        {
            _block.Span[..Length].CopyTo(next.Span);
            _block.Dispose();
        }
        _block = next;
    }
}
