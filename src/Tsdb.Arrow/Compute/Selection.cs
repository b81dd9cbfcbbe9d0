using System.Numerics;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Filter and take: gather rows into new arrays. Filter turns the mask into a list of row numbers (one pass over
/// the mask words, skipping zero words) and then takes them, so both share one gather per layout. Dictionary arrays
/// keep their dictionary: only the indices are gathered.
/// </summary>
public static class Selection
{
    /// <summary>The rows of <paramref name="array"/> where <paramref name="mask"/> is true (a null mask slot is false).</summary>
    public static ArrowArray Filter(ArrowArray array, BooleanArray mask)
    {
        ArgumentNullException.ThrowIfNull(array);
        var indices = SelectedRows(mask, array.Length);
        return indices.Length == array.Length ? array
            : IsSliceable(indices, array.Length) ? array.Slice(indices[0], indices.Length)
            : Take(array, indices);
    }

    /// <summary>
    /// The rows of every column of <paramref name="batch"/> where <paramref name="mask"/> is true. Every row passing
    /// gives the batch itself; one contiguous run of at least half the rows (a time range over rows sorted by time)
    /// gives a zero-copy slice; anything else is gathered. A smaller run is copied so that a selective filter does not
    /// keep whole input batches alive under a few rows.
    /// </summary>
    public static RecordBatch Filter(RecordBatch batch, BooleanArray mask)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var indices = SelectedRows(mask, batch.Length);
        if (indices.Length == batch.Length)
        {
            return batch;
        }
        return IsSliceable(indices, batch.Length) ? batch.Slice(indices[0], indices.Length) : Take(batch, indices);
    }

    /// <summary>Ascending row numbers that form one run [first, first + n) of at least half of <paramref name="length"/> rows.</summary>
    internal static bool IsSliceable(ReadOnlySpan<int> indices, int length) =>
        indices.Length > 0 && indices.Length * 2 >= length && indices[^1] - indices[0] == indices.Length - 1;

    /// <summary>
    /// The elements at <paramref name="indices"/>, in that order; an index of -1 gives a null. Any other index outside
    /// the array throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static ArrowArray Take(ArrowArray array, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(array);
        return ArrowArray.Create(Take(array.Data, indices));
    }

    public static RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var columns = new ArrowArray[batch.ColumnCount];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = Take(batch.Column(c), indices);
        }
        return new RecordBatch(batch.Schema, columns, indices.Length);
    }

    /// <summary>Row numbers where the mask is true and valid.</summary>
    internal static int[] SelectedRows(BooleanArray mask, int length)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Length != length)
        {
            throw new ArgumentException($"mask has {mask.Length} rows, the input {length}", nameof(mask));
        }
        var bits = Bitmaps.BooleanValues(mask.Data);
        var validity = Bitmaps.Validity(mask.Data);
        if (validity is not null)
        {
            Bitmaps.AndInto(bits, validity, bits);
        }
        Bitmaps.ClearTail(bits, length);
        var result = new int[BitUtil.CountSetBits(bits, 0, length)];
        var n = 0;
        for (var b = 0; b < bits.Length; b++)
        {
            uint word = bits[b];
            while (word != 0)
            {
                result[n++] = (b << 3) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }
        return result;
    }

    internal static ArrayData Take(ArrayData data, ReadOnlySpan<int> indices)
    {
        var length = indices.Length;
        for (var i = 0; i < length; i++)
        {
            if ((uint)indices[i] >= (uint)data.Length && indices[i] != -1)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} at position {i} is outside an array of length {data.Length}");
            }
        }
        var type = data.Type;
        if (type.Id == ArrowTypeId.Null)
        {
            return new ArrayData(type, length, length, []);
        }
        var validity = TakeValidity(data, indices);
        var nulls = Bitmaps.NullCount(validity, length);
        var validityBuffer = nulls == 0 ? ReadOnlyMemory<byte>.Empty : validity;
        switch (type.Id)
        {
            case ArrowTypeId.Boolean:
            {
                var source = data.Buffers[1].Span;
                var bits = new byte[BitUtil.BytesFor(length)];
                for (var i = 0; i < length; i++)
                {
                    var index = indices[i];
                    if (index >= 0 && BitUtil.GetBit(source, data.Offset + index))
                    {
                        BitUtil.SetBit(bits, i);
                    }
                }
                return new ArrayData(type, length, nulls, [validityBuffer, bits]);
            }
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary:
            {
                var (offsets, values) = TakeVariable<int>(data, indices);
                return new ArrayData(type, length, nulls, [validityBuffer, offsets, values]);
            }
            case ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
            {
                var (offsets, values) = TakeVariable<long>(data, indices);
                return new ArrayData(type, length, nulls, [validityBuffer, offsets, values]);
            }
            default:
            {
                var width = type.Id == ArrowTypeId.Dictionary ? type.IndexType!.BitWidth / 8 : type.BitWidth / 8;
                var values = width switch
                {
                    1 => TakeFixed<byte>(data, indices),
                    2 => TakeFixed<short>(data, indices),
                    4 => TakeFixed<int>(data, indices),
                    8 => TakeFixed<long>(data, indices),
                    _ => throw new NotSupportedException($"take is not supported for {type}"),
                };
                return new ArrayData(type, length, nulls, [validityBuffer, values], dictionary: data.Dictionary);
            }
        }
    }

    private static byte[]? TakeValidity(ArrayData data, ReadOnlySpan<int> indices)
    {
        var hasMissing = indices.Contains(-1);
        if (data.NullCount == 0 && !hasMissing)
        {
            return null;
        }
        var validity = new byte[BitUtil.BytesFor(indices.Length)];
        var source = data.Validity;
        var all = data.NullCount == 0;
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if (index >= 0 && (all || BitUtil.GetBit(source, data.Offset + index)))
            {
                BitUtil.SetBit(validity, i);
            }
        }
        return validity;
    }

    private static byte[] TakeFixed<T>(ArrayData data, ReadOnlySpan<int> indices) where T : unmanaged
    {
        var source = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        var bytes = new byte[indices.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        var target = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            target[i] = index >= 0 ? source[index] : default;
        }
        return bytes;
    }

    private static (byte[] Offsets, byte[] Values) TakeVariable<TOffset>(ArrayData data, ReadOnlySpan<int> indices)
        where TOffset : unmanaged, IBinaryInteger<TOffset>
    {
        var sourceOffsets = MemoryMarshal.Cast<byte, TOffset>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        var sourceValues = data.Buffers[2].Span;
        long total = 0;
        foreach (var index in indices)
        {
            if (index >= 0)
            {
                total += long.CreateTruncating(sourceOffsets[index + 1] - sourceOffsets[index]);
            }
        }
        if (typeof(TOffset) == typeof(int) && total > int.MaxValue)
        {
            throw new InvalidOperationException($"taking {indices.Length} values needs {total} bytes, more than a 32-bit offset array holds");
        }
        var offsetBytes = new byte[(indices.Length + 1) * System.Runtime.CompilerServices.Unsafe.SizeOf<TOffset>()];
        var offsets = MemoryMarshal.Cast<byte, TOffset>(offsetBytes.AsSpan());
        var values = new byte[total];
        var position = TOffset.Zero;
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if (index >= 0)
            {
                var start = int.CreateTruncating(sourceOffsets[index]);
                var end = int.CreateTruncating(sourceOffsets[index + 1]);
                sourceValues[start..end].CopyTo(values.AsSpan(int.CreateTruncating(position)));
                position += TOffset.CreateTruncating(end - start);
            }
            offsets[i + 1] = position;
        }
        return (offsetBytes, values);
    }
}
