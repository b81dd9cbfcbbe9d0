using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Comparison kernels with SQL null semantics: a null on either side gives a null. Each call first computes a
/// three-way result (-1/0/1) for every row in a loop specialised to the working type, then turns it into bits for
/// the operator in one pass; validity is the AND of the inputs' bitmaps.
/// <list type="bullet">
/// <item>Integers of any width and timestamps compare as int64, unsigned as uint64, signed against unsigned exactly,
/// and anything against a float as double. Timestamps compare by their raw count (units are not converted).</item>
/// <item>Floats: NaN equals NaN and sorts above every number (PostgreSQL, DataFusion).</item>
/// <item>Strings and binaries compare ordinally by bytes (UTF-8 byte order is code-point order).</item>
/// <item>Dictionary arrays against a scalar evaluate the comparison once per dictionary entry, then map indices;
/// against another array they are decoded first.</item>
/// </list>
/// </summary>
public static class Comparison
{
    /// <summary>Row by row; a null <paramref name="right"/> (a literal NULL) compares as the null scalar.</summary>
    public static BooleanArray Compare(ArrowArray left, ArrowArray? right, ComparisonOp op)
    {
        ArgumentNullException.ThrowIfNull(left);
        if (right is null)
        {
            return Compare(left, (object?)null, op);
        }
        if (left.Length != right.Length)
        {
            throw new ArgumentException($"cannot compare arrays of {left.Length} and {right.Length} rows", nameof(right));
        }
        var l = Decode(left.Data);
        var r = Decode(right.Data);
        var length = l.Length;
        var cmp = new sbyte[length];
        ThreeWay(l, r, broadcastRight: false, cmp);
        var validity = Bitmaps.And(Bitmaps.Validity(l), Bitmaps.Validity(r));
        return Bitmaps.Boolean(Pack(cmp, op), validity is null ? null : (byte[])validity.Clone(), length);
    }

    /// <summary>
    /// Compares every element with <paramref name="scalar"/>: an integer (any CLR integer type), float or double,
    /// string, byte[], bool, or null (every result null). Timestamps compare with integer scalars in their own unit.
    /// </summary>
    public static BooleanArray Compare(ArrowArray array, object? scalar, ComparisonOp op)
    {
        ArgumentNullException.ThrowIfNull(array);
        var length = array.Length;
        if (scalar is null)
        {
            return Bitmaps.Boolean(new byte[BitUtil.BytesFor(length)], new byte[BitUtil.BytesFor(length)], length);
        }
        if (ScalarFastPath(array.Data, scalar, op) is { } bits)
        {
            return Bitmaps.Boolean(bits, Bitmaps.Validity(array.Data), length);
        }
        var right = ScalarArray(scalar);
        var data = array.Data;
        var cmp = new sbyte[length];
        byte[]? validity;
        if (data.Type.Id == ArrowTypeId.Dictionary)
        {
            // Once per dictionary entry, then a gather through the indices.
            var dictionary = data.Dictionary!;
            var entryCmp = new sbyte[dictionary.Length];
            ThreeWay(dictionary, right, broadcastRight: true, entryCmp);
            var indices = DictionaryIndices(data);
            var entryValid = Bitmaps.Validity(dictionary);
            validity = Bitmaps.Validity(data);
            for (var i = 0; i < length; i++)
            {
                var index = indices[i];
                if (index >= 0)
                {
                    cmp[i] = entryCmp[index];
                    if (entryValid is not null && !BitUtil.GetBit(entryValid, index))
                    {
                        validity ??= AllValid(length);
                        BitUtil.ClearBit(validity, i);
                    }
                }
            }
        }
        else
        {
            ThreeWay(data, right, broadcastRight: true, cmp);
            validity = Bitmaps.Validity(data);
        }
        return Bitmaps.Boolean(Pack(cmp, op), validity, length);
    }

    /// <summary>
    /// int64 / timestamp columns against an integer, float64 columns against a number: compared straight from the
    /// column's buffer into result bits, with no widened copy and no three-way array (WHERE time &gt;= … runs this
    /// over every scanned row). Null for any other pairing.
    /// </summary>
    private static byte[]? ScalarFastPath(ArrayData data, object scalar, ComparisonOp op)
    {
        var bytes = data.Buffers.Length > 1 ? data.Buffers[1].Span : default;
        switch (data.Type.Id)
        {
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp when scalar is long or int or short or sbyte:
                return PackCompare(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).Slice(data.Offset, data.Length),
                    System.Convert.ToInt64(scalar, System.Globalization.CultureInfo.InvariantCulture), op);
            case ArrowTypeId.Float64 when scalar is double or float or long or int:
                var s = System.Convert.ToDouble(scalar, System.Globalization.CultureInfo.InvariantCulture);
                return double.IsNaN(s) ? null : PackCompare(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).Slice(data.Offset, data.Length), s, op);
            default:
                return null;
        }
    }

    /// <summary>
    /// values[i] op s as bits, four 64-bit lanes at a time. Floats: a NaN value sorts above every number, so it is
    /// greater than (and not equal to) any non-NaN <paramref name="s"/>.
    /// </summary>
    private static byte[] PackCompare<T>(ReadOnlySpan<T> values, T s, ComparisonOp op) where T : unmanaged, System.Numerics.INumber<T>
    {
        var bits = new byte[BitUtil.BytesFor(values.Length)];
        var i = 0;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.Vector256<T>.Count == 4)
        {
            var scalar = System.Runtime.Intrinsics.Vector256.Create(s);
            for (; i + 8 <= values.Length; i += 8)
            {
                var a = System.Runtime.Intrinsics.Vector256.Create(values.Slice(i, 4));
                var b = System.Runtime.Intrinsics.Vector256.Create(values.Slice(i + 4, 4));
                bits[i >> 3] = (byte)(LaneBits(a, scalar, op) | (LaneBits(b, scalar, op) << 4));
            }
        }
        for (; i < values.Length; i++)
        {
            var v = values[i];
            var nan = T.IsNaN(v);
            var test = op switch
            {
                ComparisonOp.Equal => !nan && v == s,
                ComparisonOp.NotEqual => nan || v != s,
                ComparisonOp.Less => !nan && v < s,
                ComparisonOp.LessOrEqual => !nan && v <= s,
                ComparisonOp.Greater => nan || v > s,
                _ => nan || v >= s,
            };
            if (test)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        return bits;
    }

    private static uint LaneBits<T>(System.Runtime.Intrinsics.Vector256<T> v, System.Runtime.Intrinsics.Vector256<T> s, ComparisonOp op) where T : unmanaged, System.Numerics.INumber<T>
    {
        var nan = ~System.Runtime.Intrinsics.Vector256.Equals(v, v);   // all-zero for integers
        var mask = op switch
        {
            ComparisonOp.Equal => System.Runtime.Intrinsics.Vector256.Equals(v, s),
            ComparisonOp.NotEqual => ~System.Runtime.Intrinsics.Vector256.Equals(v, s),
            ComparisonOp.Less => System.Runtime.Intrinsics.Vector256.LessThan(v, s),
            ComparisonOp.LessOrEqual => System.Runtime.Intrinsics.Vector256.LessThanOrEqual(v, s),
            ComparisonOp.Greater => System.Runtime.Intrinsics.Vector256.GreaterThan(v, s) | nan,
            _ => System.Runtime.Intrinsics.Vector256.GreaterThanOrEqual(v, s) | nan,
        };
        return System.Runtime.Intrinsics.Vector256.ExtractMostSignificantBits(mask);
    }

    private static byte[] AllValid(int length)
    {
        var bits = new byte[BitUtil.BytesFor(length)];
        bits.AsSpan().Fill(0xFF);
        return bits;
    }

    /// <summary>Dictionary indices as int (-1 under null slots), offset applied.</summary>
    internal static int[] DictionaryIndices(ArrayData data)
    {
        var result = new int[data.Length];
        var indexType = data.Type.IndexType!.Id;
        var bytes = data.Buffers[1].Span;
        var validity = data.Validity;
        var dictionaryLength = data.Dictionary!.Length;
        if (indexType == ArrowTypeId.Int32 && data.NullCount == 0)
        {
            // The usual tag column: copy the indices, then check them in one pass.
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).Slice(data.Offset, data.Length).CopyTo(result);
            for (var i = 0; i < result.Length; i++)
            {
                if ((uint)result[i] >= (uint)dictionaryLength)
                {
                    throw new InvalidOperationException($"dictionary index {result[i]} at row {i} is outside a dictionary of {dictionaryLength} values");
                }
            }
            return result;
        }
        for (var i = 0; i < result.Length; i++)
        {
            if (data.NullCount != 0 && !BitUtil.GetBit(validity, data.Offset + i))
            {
                result[i] = -1;
                continue;
            }
            var index = DictionaryArray.ReadIndex(bytes, indexType, data.Offset + i);
            if ((ulong)index >= (ulong)dictionaryLength)
            {
                throw new InvalidOperationException($"dictionary index {index} at row {i} is outside a dictionary of {dictionaryLength} values");
            }
            result[i] = (int)index;
        }
        return result;
    }

    /// <summary>A dictionary array's values spelled out (other arrays unchanged).</summary>
    internal static ArrayData Decode(ArrayData data) =>
        data.Type.Id == ArrowTypeId.Dictionary ? Selection.Take(data.Dictionary!, DictionaryIndices(data)) : data;

    internal static ArrayData ScalarArray(object scalar)
    {
        switch (scalar)
        {
            case sbyte or short or int or long:
                return Fixed(ArrowType.Int64, BitConverter.GetBytes(System.Convert.ToInt64(scalar, System.Globalization.CultureInfo.InvariantCulture)));
            case byte or ushort or uint or ulong:
                return Fixed(ArrowType.UInt64, BitConverter.GetBytes(System.Convert.ToUInt64(scalar, System.Globalization.CultureInfo.InvariantCulture)));
            case float or double:
                return Fixed(ArrowType.Float64, BitConverter.GetBytes(System.Convert.ToDouble(scalar, System.Globalization.CultureInfo.InvariantCulture)));
            case bool b:
                return new ArrayData(ArrowType.Boolean, 1, 0, [ReadOnlyMemory<byte>.Empty, new[] { (byte)(b ? 1 : 0) }]);
            case string s:
                return Variable(ArrowType.Utf8, Encoding.UTF8.GetBytes(s));
            case byte[] bytes:
                return Variable(ArrowType.Binary, bytes);
            default:
                throw new ArgumentException($"unsupported scalar type {scalar.GetType().Name}", nameof(scalar));
        }

        static ArrayData Fixed(ArrowType type, byte[] value) => new(type, 1, 0, [ReadOnlyMemory<byte>.Empty, value]);

        static ArrayData Variable(ArrowType type, byte[] value)
        {
            var offsets = new byte[8];
            BitConverter.TryWriteBytes(offsets.AsSpan(4), value.Length);
            return new ArrayData(type, 1, 0, [ReadOnlyMemory<byte>.Empty, offsets, value]);
        }
    }

    /// <summary>cmp[i] = sign(left[i] - right[broadcast ? 0 : i]); values under nulls are computed but masked later.</summary>
    internal static void ThreeWay(ArrayData left, ArrayData right, bool broadcastRight, Span<sbyte> cmp)
    {
        var lk = NumericValues.KindOf(left.Type);
        var rk = NumericValues.KindOf(right.Type);
        if (lk != NumericKind.None && rk != NumericKind.None)
        {
            Numeric(left, lk, right, rk, broadcastRight, cmp);
            return;
        }
        if (left.Type.IsVariableWidth && right.Type.IsVariableWidth)
        {
            var a = (VariableWidthArray)ArrowArray.Create(left);
            var b = (VariableWidthArray)ArrowArray.Create(right);
            if (broadcastRight)
            {
                var value = b.GetBytes(0);
                for (var i = 0; i < cmp.Length; i++)
                {
                    cmp[i] = (sbyte)Math.Sign(a.GetBytes(i).SequenceCompareTo(value));
                }
            }
            else
            {
                for (var i = 0; i < cmp.Length; i++)
                {
                    cmp[i] = (sbyte)Math.Sign(a.GetBytes(i).SequenceCompareTo(b.GetBytes(i)));
                }
            }
            return;
        }
        if (left.Type.Id == ArrowTypeId.Boolean && right.Type.Id == ArrowTypeId.Boolean)
        {
            var a = Bitmaps.BooleanValues(left);
            var b = Bitmaps.BooleanValues(right);
            for (var i = 0; i < cmp.Length; i++)
            {
                var x = BitUtil.GetBit(a, i) ? 1 : 0;
                var y = BitUtil.GetBit(b, broadcastRight ? 0 : i) ? 1 : 0;
                cmp[i] = (sbyte)(x - y);
            }
            return;
        }
        if (left.Type.Id == ArrowTypeId.Null || right.Type.Id == ArrowTypeId.Null)
        {
            return; // every result is null anyway
        }
        throw new ArgumentException($"cannot compare {left.Type} with {right.Type}");
    }

    private static void Numeric(ArrayData left, NumericKind lk, ArrayData right, NumericKind rk, bool broadcast, Span<sbyte> cmp)
    {
        var stride = broadcast ? 0 : 1;
        if (lk == NumericKind.Float || rk == NumericKind.Float)
        {
            var a = NumericValues.ToDouble(left);
            var b = NumericValues.ToDouble(right);
            for (var i = 0; i < cmp.Length; i++)
            {
                cmp[i] = (sbyte)NumericValues.CompareDouble(a[i], b[i * stride]);
            }
        }
        else if (lk == NumericKind.Signed && rk == NumericKind.Signed)
        {
            var a = NumericValues.ToInt64(left);
            var b = NumericValues.ToInt64(right);
            for (var i = 0; i < cmp.Length; i++)
            {
                cmp[i] = (sbyte)a[i].CompareTo(b[i * stride]);
            }
        }
        else if (lk == NumericKind.Unsigned && rk == NumericKind.Unsigned)
        {
            var a = NumericValues.ToUInt64(left);
            var b = NumericValues.ToUInt64(right);
            for (var i = 0; i < cmp.Length; i++)
            {
                cmp[i] = (sbyte)a[i].CompareTo(b[i * stride]);
            }
        }
        else if (lk == NumericKind.Signed)
        {
            var a = NumericValues.ToInt64(left);
            var b = NumericValues.ToUInt64(right);
            for (var i = 0; i < cmp.Length; i++)
            {
                cmp[i] = (sbyte)NumericValues.CompareMixed(a[i], b[i * stride]);
            }
        }
        else
        {
            var a = NumericValues.ToUInt64(left);
            var b = NumericValues.ToInt64(right);
            for (var i = 0; i < cmp.Length; i++)
            {
                cmp[i] = (sbyte)-NumericValues.CompareMixed(b[i * stride], a[i]);
            }
        }
    }

    /// <summary>Packs (cmp == target) XOR negate into bits, eight rows per byte.</summary>
    private static byte[] Pack(ReadOnlySpan<sbyte> cmp, ComparisonOp op)
    {
        var (target, negate) = op switch
        {
            ComparisonOp.Equal => ((sbyte)0, false),
            ComparisonOp.NotEqual => ((sbyte)0, true),
            ComparisonOp.Less => ((sbyte)-1, false),
            ComparisonOp.GreaterOrEqual => ((sbyte)-1, true),
            ComparisonOp.Greater => ((sbyte)1, false),
            ComparisonOp.LessOrEqual => ((sbyte)1, true),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown comparison operator"),
        };
        var bits = new byte[BitUtil.BytesFor(cmp.Length)];
        var flip = negate ? 0xFF : 0;
        var full = cmp.Length >> 3;
        for (var b = 0; b < full; b++)
        {
            var chunk = cmp.Slice(b << 3, 8);
            var value = 0;
            for (var k = 0; k < 8; k++)
            {
                value |= (chunk[k] == target ? 1 : 0) << k;
            }
            bits[b] = (byte)(value ^ flip);
        }
        for (var i = full << 3; i < cmp.Length; i++)
        {
            if ((cmp[i] == target) != negate)
            {
                BitUtil.SetBit(bits, i);
            }
        }
        return bits;
    }
}
