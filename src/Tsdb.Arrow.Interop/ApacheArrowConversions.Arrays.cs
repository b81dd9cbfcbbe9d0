using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;
using AA = Apache.Arrow;

namespace Tsdb.Arrow.Interop;

public static partial class ApacheArrowConversions
{
    /// <summary>
    /// Offsets of an empty variable-width array, for Apache.Arrow arrays that carry none (its IPC reader can give
    /// an empty offsets buffer to a zero-length array; Tsdb.Arrow always expects offset 0 to be there). Read-only.
    /// </summary>
    private static readonly ReadOnlyMemory<byte> ZeroOffsets = new byte[8];

    /// <summary>
    /// An Apache.Arrow view of <paramref name="data"/>: the same buffers (wrapped, not copied), offset, length and
    /// null count. <paramref name="data"/> keeps owning the memory; see the class remarks for the lifetime rules.
    /// </summary>
    public static AA.ArrayData ToApacheArrow(this ArrayData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var buffers = new AA.ArrowBuffer[data.Buffers.Length];
        for (var i = 0; i < buffers.Length; i++)
        {
            buffers[i] = new AA.ArrowBuffer(data.Buffers[i]);
        }
        var dictionary = data.Dictionary?.ToApacheArrow();
        return new AA.ArrayData(data.Type.ToApacheArrow(), data.Length, data.NullCount, data.Offset, buffers, [], dictionary);
    }

    /// <summary>The typed Apache.Arrow array over the same buffers as <paramref name="array"/>.</summary>
    public static AA.IArrowArray ToApacheArrow(this ArrowArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return AA.ArrowArrayFactory.BuildArray(array.Data.ToApacheArrow());
    }

    /// <summary>
    /// A Tsdb.Arrow view of <paramref name="data"/>: the same memory, offset, length and null count. The result owns
    /// nothing; <paramref name="data"/> must stay undisposed while it is used (see the class remarks).
    /// </summary>
    /// <exception cref="NotSupportedException">The type has no Tsdb.Arrow counterpart.</exception>
    /// <exception cref="ArgumentException">A buffer is too short for the array's offset and length.</exception>
    public static ArrayData ToTsdbArrow(this AA.ArrayData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var type = data.DataType.ToTsdbArrow();
        return FromApache(type, data);
    }

    /// <summary>The typed Tsdb.Arrow array over the same memory as <paramref name="array"/>.</summary>
    public static ArrowArray ToTsdbArrow(this AA.IArrowArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return ArrowArray.Create(array.Data.ToTsdbArrow());
    }

    private static ArrayData FromApache(ArrowType type, AA.ArrayData data)
    {
        if (type.Id == ArrowTypeId.Null)
        {
            // Apache.Arrow's null arrays have no buffers, as the format says; nothing to share.
            return new ArrayData(type, data.Length, data.Length, []);
        }
        if (data.Buffers.Length != type.BufferCount)
        {
            throw new ArgumentException($"{data.DataType.Name} array has {data.Buffers.Length} buffers, {type.BufferCount} expected", nameof(data));
        }
        var buffers = new ReadOnlyMemory<byte>[data.Buffers.Length];
        for (var i = 0; i < buffers.Length; i++)
        {
            buffers[i] = data.Buffers[i].Memory;
        }
        var end = (long)data.Offset + data.Length;
        if (!buffers[0].IsEmpty)
        {
            RequireBytes(data, "validity", buffers[0], BitUtil.BytesFor(end));
        }
        ArrayData? dictionary = null;
        switch (type.Id)
        {
            case ArrowTypeId.Boolean:
                RequireBytes(data, "values", buffers[1], BitUtil.BytesFor(end));
                break;
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary or ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
                var width = type.HasLargeOffsets ? 8 : 4;
                if (data.Length == 0 && buffers[1].Length < (data.Offset + 1) * width)
                {
                    buffers[1] = ZeroOffsets;
                    return new ArrayData(type, 0, 0, buffers);
                }
                RequireBytes(data, "offsets", buffers[1], (end + 1) * width);
                break;
            case ArrowTypeId.Dictionary:
                RequireBytes(data, "indices", buffers[1], end * (type.IndexType!.BitWidth / 8));
                var values = data.Dictionary ?? throw new ArgumentException("dictionary array without its dictionary", nameof(data));
                dictionary = FromApache(type.ValueType!, values);
                break;
            default:
                RequireBytes(data, "values", buffers[1], end * (type.BitWidth / 8));
                break;
        }
        // A negative null count is Apache.Arrow's "not computed yet"; Tsdb.Arrow then counts the bitmap itself.
        return new ArrayData(type, data.Length, data.NullCount, buffers, data.Offset, dictionary);
    }

    private static void RequireBytes(AA.ArrayData data, string what, ReadOnlyMemory<byte> buffer, long needed)
    {
        if (buffer.Length < needed)
        {
            throw new ArgumentException($"{data.DataType.Name} array of {data.Length} values at offset {data.Offset}: {what} buffer of {buffer.Length} bytes, {needed} needed", nameof(data));
        }
    }
}
