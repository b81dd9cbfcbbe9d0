using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Builders;

/// <summary>
/// Builds a validity bitmap lazily: nothing is allocated until the first null, so columns without nulls carry
/// no bitmap at all (which IPC writes as an empty buffer).
/// </summary>
internal sealed class ValidityBuilder
{
    private readonly GrowableBuffer _bits;

    public ValidityBuilder(AlignedMemoryPool pool) => _bits = new GrowableBuffer(pool);

    public int Length { get; private set; }

    public int NullCount { get; private set; }

    public void AppendValid()
    {
        if (NullCount != 0)
        {
            SetNext(true);
        }
        Length++;
    }

    public void AppendValid(int count)
    {
        if (NullCount != 0)
        {
            for (var i = 0; i < count; i++)
            {
                SetNext(true);
                Length++;
            }
            return;
        }
        Length += count;
    }

    public void AppendNull()
    {
        if (NullCount == 0)
        {
            // First null: materialise the bitmap with every earlier element valid.
            _bits.Clear();
            var bytes = BitUtil.BytesFor(Length);
            var span = _bits.AppendUninitialized(bytes);
            span.Fill(0xFF);
            var tail = Length & 7;
            if (tail != 0)
            {
                span[^1] = (byte)((1 << tail) - 1);
            }
        }
        SetNext(false);
        NullCount++;
        Length++;
    }

    private void SetNext(bool valid)
    {
        var byteIndex = Length >> 3;
        if (byteIndex >= _bits.Length)
        {
            _bits.Append((byte)0);
        }
        if (valid)
        {
            BitUtil.SetBit(_bits.WrittenSpan, Length);
        }
    }

    public (ReadOnlyMemory<byte> Bytes, PooledBuffer? Owner) Detach()
    {
        var result = NullCount == 0 ? (ReadOnlyMemory<byte>.Empty, null) : _bits.Detach();
        Length = 0;
        NullCount = 0;
        return result;
    }

    public void Clear()
    {
        _bits.Clear();
        Length = 0;
        NullCount = 0;
    }

    public void Release()
    {
        _bits.Release();
        Length = 0;
        NullCount = 0;
    }
}
