using System.Text;
using Tsdb.Arrow.Arrays;
using AA = Apache.Arrow;

namespace Tsdb.Arrow.Interop.Tests;

/// <summary>
/// One cell as exact text, read through each library's own accessors (floats as their bits, binary as hex, null as
/// "null"), so that equal text means equal values.
/// </summary>
internal static class CellText
{
    public static string Of(ArrowArray array, int i) => array.IsNull(i) ? "null" : array switch
    {
        DictionaryArray d => "dict:" + Of(d.Dictionary, checked((int)d.GetIndex(i))),
        FloatArray f => BitConverter.SingleToUInt32Bits(f.Values[i]).ToString("x8"),
        DoubleArray d => BitConverter.DoubleToUInt64Bits(d.Values[i]).ToString("x16"),
        BinaryArray b => Convert.ToHexStringLower(b.GetBytes(i)),
        BooleanArray b => b.GetValue(i) ? "true" : "false",
        _ => Convert.ToString(array.GetObject(i), System.Globalization.CultureInfo.InvariantCulture)!,
    };

    public static string Of(AA.IArrowArray array, int i) => array.IsNull(i) ? "null" : array switch
    {
        AA.DictionaryArray d => "dict:" + Of(d.Dictionary, Index(d.Indices, i)),
        AA.FloatArray f => BitConverter.SingleToUInt32Bits(f.Values[i]).ToString("x8"),
        AA.DoubleArray d => BitConverter.DoubleToUInt64Bits(d.Values[i]).ToString("x16"),
        AA.StringArray s => Encoding.UTF8.GetString(s.GetBytes(i)),
        AA.LargeStringArray s => Encoding.UTF8.GetString(s.GetBytes(i)),
        AA.BinaryArray b => Convert.ToHexStringLower(b.GetBytes(i)),
        AA.LargeBinaryArray b => Convert.ToHexStringLower(b.GetBytes(i)),
        AA.BooleanArray b => b.GetValue(i) == true ? "true" : "false",
        AA.Int8Array a => a.Values[i].ToString(),
        AA.Int16Array a => a.Values[i].ToString(),
        AA.Int32Array a => a.Values[i].ToString(),
        AA.Int64Array a => a.Values[i].ToString(),
        AA.UInt8Array a => a.Values[i].ToString(),
        AA.UInt16Array a => a.Values[i].ToString(),
        AA.UInt32Array a => a.Values[i].ToString(),
        AA.UInt64Array a => a.Values[i].ToString(),
        AA.TimestampArray a => a.Values[i].ToString(),
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    private static int Index(AA.IArrowArray indices, int i) => indices switch
    {
        AA.Int8Array a => a.Values[i],
        AA.Int16Array a => a.Values[i],
        AA.Int32Array a => a.Values[i],
        AA.Int64Array a => checked((int)a.Values[i]),
        AA.UInt8Array a => a.Values[i],
        AA.UInt16Array a => a.Values[i],
        AA.UInt32Array a => checked((int)a.Values[i]),
        AA.UInt64Array a => checked((int)a.Values[i]),
        _ => throw new NotSupportedException(indices.GetType().Name),
    };
}
