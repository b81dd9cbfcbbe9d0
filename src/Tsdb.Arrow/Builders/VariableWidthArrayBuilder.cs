using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Builders;

/// <summary>Appends UTF-8 strings or byte strings (Utf8/Binary, 32-bit offsets) without per-value allocation.</summary>
public sealed class VariableWidthArrayBuilder : IDisposable
{
    private readonly GrowableBuffer _offsets;
    private readonly GrowableBuffer _data;
    private readonly ValidityBuilder _validity;

    public VariableWidthArrayBuilder(ArrowType type, AlignedMemoryPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Id is not (ArrowTypeId.Utf8 or ArrowTypeId.Binary))
        {
            throw new ArgumentException($"{type} is not Utf8 or Binary", nameof(type));
        }
        Type = type;
        pool ??= AlignedMemoryPool.Shared;
        _offsets = new GrowableBuffer(pool);
        _data = new GrowableBuffer(pool);
        _validity = new ValidityBuilder(pool);
        _offsets.Append(0);
    }

    public ArrowType Type { get; }

    public int Length => _validity.Length;

    public int NullCount => _validity.NullCount;

    /// <summary>Bytes of value data appended so far.</summary>
    public int DataLength => _data.Length;

    public void Append(ReadOnlySpan<byte> value)
    {
        _data.Append(value);
        _offsets.Append(_data.Length);
        _validity.AppendValid();
    }

    /// <summary>Appends a string as UTF-8, encoding straight into the data buffer.</summary>
    public void Append(string? value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }
        var span = _data.AppendUninitialized(Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span);
        _data.Truncate(_data.Length - span.Length + written);
        _offsets.Append(_data.Length);
        _validity.AppendValid();
    }

    public void AppendNull()
    {
        _offsets.Append(_data.Length);
        _validity.AppendNull();
    }

    public ArrayData BuildData()
    {
        var length = Length;
        var nullCount = NullCount;
        var (validity, validityOwner) = _validity.Detach();
        var (offsets, offsetsOwner) = _offsets.Detach();
        var (data, dataOwner) = _data.Detach();
        _offsets.Append(0);
        return new ArrayData(Type, length, nullCount, [validity, offsets, data], owner: BufferOwners.Of(validityOwner, offsetsOwner, dataOwner));
    }

    public VariableWidthArray Build() => (VariableWidthArray)ArrowArray.Create(BuildData());

    public void Clear()
    {
        _offsets.Clear();
        _offsets.Append(0);
        _data.Clear();
        _validity.Clear();
    }

    public void Dispose()
    {
        _offsets.Release();
        _data.Release();
        _validity.Release();
    }
}
