using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Builders;

/// <summary>Appends booleans into a bit-packed buffer.</summary>
public sealed class BooleanArrayBuilder : IDisposable
{
    private readonly GrowableBuffer _bits;
    private readonly ValidityBuilder _validity;

    public BooleanArrayBuilder(AlignedMemoryPool? pool = null)
    {
        pool ??= AlignedMemoryPool.Shared;
        _bits = new GrowableBuffer(pool);
        _validity = new ValidityBuilder(pool);
    }

    public int Length => _validity.Length;

    public int NullCount => _validity.NullCount;

    public void Append(bool value)
    {
        var index = Length;
        if ((index & 7) == 0)
        {
            _bits.Append((byte)0);
        }
        if (value)
        {
            BitUtil.SetBit(_bits.WrittenSpan, index);
        }
        _validity.AppendValid();
    }

    public void Append(bool? value)
    {
        if (value.HasValue)
        {
            Append(value.Value);
        }
        else
        {
            AppendNull();
        }
    }

    public void AppendNull()
    {
        if ((Length & 7) == 0)
        {
            _bits.Append((byte)0);
        }
        _validity.AppendNull();
    }

    public ArrayData BuildData()
    {
        var length = Length;
        var nullCount = NullCount;
        var (validity, validityOwner) = _validity.Detach();
        var (values, valuesOwner) = _bits.Detach();
        return new ArrayData(ArrowType.Boolean, length, nullCount, [validity, values], owner: BufferOwners.Of(validityOwner, valuesOwner));
    }

    public BooleanArray Build() => new(BuildData());

    public void Clear()
    {
        _bits.Clear();
        _validity.Clear();
    }

    public void Dispose()
    {
        _bits.Release();
        _validity.Release();
    }
}
