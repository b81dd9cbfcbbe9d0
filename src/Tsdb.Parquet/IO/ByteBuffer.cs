using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Tsdb.Parquet.IO;

/// <summary>
/// A growable byte buffer over pooled arrays: what encoders write into. <see cref="Clear"/> keeps the memory for
/// the next page; <see cref="Dispose"/> returns it.
/// </summary>
public sealed class ByteBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;

    public ByteBuffer(int initialCapacity = 4096) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 64));

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendByte(byte value)
    {
        if (Length == _array.Length)
        {
            Grow(1);
        }
        _array[Length++] = value;
    }

    public void AppendInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        Length += 4;
    }

    public void AppendInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        Length += 8;
    }

    /// <summary>Unsigned LEB128 varint (ULEB128), as Thrift compact and the Parquet encodings use.</summary>
    public void AppendVarUInt64(ulong value)
    {
        while (value >= 0x80)
        {
            AppendByte((byte)(value | 0x80));
            value >>= 7;
        }
        AppendByte((byte)value);
    }

    /// <summary>Zigzag then ULEB128.</summary>
    public void AppendVarInt64(long value) => AppendVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Overwrites bytes written earlier (for lengths known only afterwards).</summary>
    public Span<byte> WrittenSpanForUpdate(int start, int length) => _array.AsSpan(start, length);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Length + count > _array.Length)
        {
            throw new InvalidOperationException("advanced past the span handed out");
        }
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _array.AsSpan(Length);
    }

    private void Ensure(int extra)
    {
        if (Length + extra > _array.Length)
        {
            Grow(extra);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int extra)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(checked(Length + extra), _array.Length * 2));
        _array.AsSpan(0, Length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_array);
        _array = next;
    }

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        Length = 0;
    }
}
