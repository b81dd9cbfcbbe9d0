using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Builders;

/// <summary>
/// Appends fixed-width values of <typeparamref name="T"/> without allocating per value. <see cref="Build"/> hands
/// the buffers to the array and leaves the builder empty and reusable.
/// </summary>
public sealed class PrimitiveArrayBuilder<T> : IDisposable where T : unmanaged
{
    private readonly GrowableBuffer _values;
    private readonly ValidityBuilder _validity;

    public PrimitiveArrayBuilder(ArrowType type, AlignedMemoryPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.BitWidth != Unsafe.SizeOf<T>() * 8 || type.Id == ArrowTypeId.Boolean)
        {
            throw new ArgumentException($"{type} is not stored as {typeof(T).Name}", nameof(type));
        }
        Type = type;
        pool ??= AlignedMemoryPool.Shared;
        _values = new GrowableBuffer(pool);
        _validity = new ValidityBuilder(pool);
    }

    public ArrowType Type { get; }

    public int Length => _validity.Length;

    public int NullCount => _validity.NullCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(T value)
    {
        _values.Append(value);
        _validity.AppendValid();
    }

    public void Append(T? value)
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

    public void AppendRange(ReadOnlySpan<T> values)
    {
        _values.Append(values);
        _validity.AppendValid(values.Length);
    }

    /// <summary>Appends <paramref name="count"/> valid values and returns them to be written in place (a decoder's output).</summary>
    public Span<T> AppendUninitialized(int count)
    {
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(_values.AppendUninitialized(count * Unsafe.SizeOf<T>()));
        _validity.AppendValid(count);
        return span;
    }

    public void AppendNull()
    {
        _values.Append(default(T));
        _validity.AppendNull();
    }

    /// <summary>The value appended at <paramref name="index"/> (undefined for nulls).</summary>
    public T this[int index] => (uint)index < (uint)Length
        ? _values.Read<T>(index * Unsafe.SizeOf<T>())
        : throw new ArgumentOutOfRangeException(nameof(index));

    public void Reserve(int additional) => _values.EnsureCapacity((Length + additional) * Unsafe.SizeOf<T>());

    public ArrayData BuildData()
    {
        var length = Length;
        var nullCount = NullCount;
        var (validity, validityOwner) = _validity.Detach();
        var (values, valuesOwner) = _values.Detach();
        return new ArrayData(Type, length, nullCount, [validity, values], owner: BufferOwners.Of(validityOwner, valuesOwner));
    }

    public PrimitiveArray<T> Build() => (PrimitiveArray<T>)ArrowArray.Create(BuildData());

    /// <summary>Forgets the values appended, keeping the memory.</summary>
    public void Clear()
    {
        _values.Clear();
        _validity.Clear();
    }

    public void Dispose()
    {
        _values.Release();
        _validity.Release();
    }
}
