using System.Numerics;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>How numeric kernels see a column: as signed, unsigned or floating values after widening.</summary>
internal enum NumericKind
{
    None,
    Signed,
    Unsigned,
    Float,
}

/// <summary>
/// Widens any numeric column (with its offset applied) to one of the three 64-bit working types. The kernels then
/// run one tight loop per working type instead of one per pair of input types; widening costs one pass and one array
/// per call, never anything per value.
/// </summary>
internal static class NumericValues
{
    public static NumericKind KindOf(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64 or ArrowTypeId.Timestamp => NumericKind.Signed,
        ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64 => NumericKind.Unsigned,
        ArrowTypeId.Float32 or ArrowTypeId.Float64 => NumericKind.Float,
        _ => NumericKind.None,
    };

    public static long[] ToInt64(ArrayData data) => Widen<long>(data);

    public static ulong[] ToUInt64(ArrayData data) => Widen<ulong>(data);

    public static double[] ToDouble(ArrayData data) => Widen<double>(data);

    private static TTo[] Widen<TTo>(ArrayData data) where TTo : unmanaged, INumberBase<TTo>
    {
        var result = new TTo[data.Length];
        switch (data.Type.Id)
        {
            case ArrowTypeId.Int8: Convert(data.GetValues<sbyte>(), result); break;
            case ArrowTypeId.Int16: Convert(data.GetValues<short>(), result); break;
            case ArrowTypeId.Int32: Convert(data.GetValues<int>(), result); break;
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp: Convert(data.GetValues<long>(), result); break;
            case ArrowTypeId.UInt8: Convert(data.GetValues<byte>(), result); break;
            case ArrowTypeId.UInt16: Convert(data.GetValues<ushort>(), result); break;
            case ArrowTypeId.UInt32: Convert(data.GetValues<uint>(), result); break;
            case ArrowTypeId.UInt64: Convert(data.GetValues<ulong>(), result); break;
            case ArrowTypeId.Float32: Convert(data.GetValues<float>(), result); break;
            case ArrowTypeId.Float64: Convert(data.GetValues<double>(), result); break;
            default: throw new NotSupportedException($"{data.Type} is not numeric");
        }
        return result;
    }

    private static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> target)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(source).CopyTo(target);
            return;
        }
        for (var i = 0; i < source.Length; i++)
        {
            // Truncating only matters for the unsigned→signed reinterpretation the callers never ask for.
            target[i] = TTo.CreateTruncating(source[i]);
        }
    }

    /// <summary>Total order used by comparison and sorting: NaN equals NaN and is greater than every number (as in
    /// PostgreSQL and DataFusion); -0.0 equals 0.0.</summary>
    public static int CompareDouble(double a, double b)
    {
        if (a < b)
        {
            return -1;
        }
        if (a > b)
        {
            return 1;
        }
        if (a == b)
        {
            return 0;
        }
        return double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : -1;
    }

    /// <summary>A signed value against an unsigned one, exactly (no wrap-around for negatives or values past long.MaxValue).</summary>
    public static int CompareMixed(long a, ulong b) => a < 0 ? -1 : ((ulong)a).CompareTo(b);
}
