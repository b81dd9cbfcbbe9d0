using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>Numeric columns widened for the accumulators (one pass and one array per batch, nothing per value).</summary>
internal static class NumericReader
{
    public static ulong[] UInt64Values(ArrowArray input)
    {
        var data = input.Data;
        var result = new ulong[input.Length];
        switch (data.Type.Id)
        {
            case ArrowTypeId.UInt64:
                data.GetValues<ulong>().CopyTo(result);
                break;
            case ArrowTypeId.UInt32:
                var u32 = data.GetValues<uint>();
                for (var i = 0; i < result.Length; i++) { result[i] = u32[i]; }
                break;
            case ArrowTypeId.UInt16:
                var u16 = data.GetValues<ushort>();
                for (var i = 0; i < result.Length; i++) { result[i] = u16[i]; }
                break;
            case ArrowTypeId.UInt8:
                var u8 = data.GetValues<byte>();
                for (var i = 0; i < result.Length; i++) { result[i] = u8[i]; }
                break;
            default:
                throw new InvalidOperationException($"expected an unsigned integer column, found {data.Type}");
        }
        return result;
    }

    /// <summary>Doubles of a numeric column: in place for float64 (the common field type), widened otherwise.</summary>
    public static ReadOnlySpan<double> Doubles(ArrowArray input) =>
        input.Type.Id == ArrowTypeId.Float64 ? input.Data.GetValues<double>() : Columns.DoubleValues(input);

    /// <summary>Longs of a signed integer column: in place for int64, widened otherwise.</summary>
    public static ReadOnlySpan<long> Longs(ArrowArray input) =>
        input.Type.Id == ArrowTypeId.Int64 ? input.Data.GetValues<long>() : Columns.Int64Values(input);
}
