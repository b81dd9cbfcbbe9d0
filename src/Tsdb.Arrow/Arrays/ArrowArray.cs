using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Arrays;

/// <summary>A typed view over <see cref="ArrayData"/>. Create one with <see cref="Create"/>.</summary>
public abstract class ArrowArray : IDisposable
{
    protected ArrowArray(ArrayData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
    }

    public ArrayData Data { get; }

    public ArrowType Type => Data.Type;

    public int Length => Data.Length;

    public int NullCount => Data.NullCount;

    public bool IsNull(int index) => Data.IsNull(index);

    public bool IsValid(int index) => !Data.IsNull(index);

    /// <summary>The value at <paramref name="index"/>, boxed, or null. For tests and display, not for hot loops.</summary>
    public abstract object? GetObject(int index);

    /// <summary>A zero-copy view of part of this array.</summary>
    public ArrowArray Slice(int offset, int length) => Create(Data.Slice(offset, length));

    public void Dispose()
    {
        Data.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The typed array class for <paramref name="data"/>'s type.</summary>
    public static ArrowArray Create(ArrayData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Type.Id switch
        {
            ArrowTypeId.Null => new NullArray(data),
            ArrowTypeId.Boolean => new BooleanArray(data),
            ArrowTypeId.Int8 => new Int8Array(data),
            ArrowTypeId.Int16 => new Int16Array(data),
            ArrowTypeId.Int32 => new Int32Array(data),
            ArrowTypeId.Int64 => new Int64Array(data),
            ArrowTypeId.UInt8 => new UInt8Array(data),
            ArrowTypeId.UInt16 => new UInt16Array(data),
            ArrowTypeId.UInt32 => new UInt32Array(data),
            ArrowTypeId.UInt64 => new UInt64Array(data),
            ArrowTypeId.Float32 => new FloatArray(data),
            ArrowTypeId.Float64 => new DoubleArray(data),
            ArrowTypeId.Timestamp => new TimestampArray(data),
            ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 => new StringArray(data),
            ArrowTypeId.Binary or ArrowTypeId.LargeBinary => new BinaryArray(data),
            ArrowTypeId.Dictionary => new DictionaryArray(data),
            _ => throw new NotSupportedException($"no array class for {data.Type}"),
        };
    }
}
