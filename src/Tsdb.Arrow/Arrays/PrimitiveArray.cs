namespace Tsdb.Arrow.Arrays;

/// <summary>A fixed-width array of <typeparamref name="T"/>: validity bitmap plus a values buffer.</summary>
public abstract class PrimitiveArray<T> : ArrowArray where T : unmanaged
{
    protected PrimitiveArray(ArrayData data) : base(data) { }

    /// <summary>All values, including the undefined ones under null slots.</summary>
    public ReadOnlySpan<T> Values => Data.GetValues<T>();

    public T GetValue(int index) => Values[index];

    public T? Get(int index) => IsNull(index) ? null : Values[index];

    public override object? GetObject(int index) => IsNull(index) ? null : Values[index];
}

public sealed class Int8Array(ArrayData data) : PrimitiveArray<sbyte>(data);

public sealed class Int16Array(ArrayData data) : PrimitiveArray<short>(data);

public sealed class Int32Array(ArrayData data) : PrimitiveArray<int>(data);

public sealed class Int64Array(ArrayData data) : PrimitiveArray<long>(data);

public sealed class UInt8Array(ArrayData data) : PrimitiveArray<byte>(data);

public sealed class UInt16Array(ArrayData data) : PrimitiveArray<ushort>(data);

public sealed class UInt32Array(ArrayData data) : PrimitiveArray<uint>(data);

public sealed class UInt64Array(ArrayData data) : PrimitiveArray<ulong>(data);

public sealed class FloatArray(ArrayData data) : PrimitiveArray<float>(data);

public sealed class DoubleArray(ArrayData data) : PrimitiveArray<double>(data);

/// <summary>Timestamps as int64 counts of <see cref="Types.ArrowType.Unit"/> since the Unix epoch.</summary>
public sealed class TimestampArray(ArrayData data) : PrimitiveArray<long>(data)
{
    public Types.TimeUnit Unit => Type.Unit;

    public string? TimeZone => Type.TimeZone;
}
