using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Whether each string is one of a few (SQL's <c>IN (…)</c>, InfluxQL's <c>host = 'a' OR host = 'b' …</c>) in one pass.
/// A dictionary column's entries are tested once each and its rows only looked up: as an OR of equalities, the same
/// test was a comparison, a gather and an OR per listed value.
/// </summary>
public static class Membership
{
    /// <summary>
    /// True where the element equals one of <paramref name="values"/> (ordinal, byte for byte), null where the element is
    /// null; null (not handled here) unless <paramref name="array"/> is utf8 or a dictionary of utf8.
    /// </summary>
    public static BooleanArray? In(ArrowArray array, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(values);
        var data = array.Data;
        var dictionary = data.Type.Id == ArrowTypeId.Dictionary ? data.Dictionary : null;
        if ((dictionary ?? data).Type.Id != ArrowTypeId.Utf8)
        {
            return null;
        }
        var wanted = new byte[values.Count][];
        for (var v = 0; v < wanted.Length; v++)
        {
            wanted[v] = Encoding.UTF8.GetBytes(values[v]);
        }
        var length = data.Length;
        var bits = new byte[BitUtil.BytesFor(length)];
        var validity = Bitmaps.Validity(data);
        if (dictionary is null)
        {
            var strings = (StringArray)array;
            for (var i = 0; i < length; i++)
            {
                if (!strings.IsNull(i) && Contains(wanted, strings.GetBytes(i)))
                {
                    BitUtil.SetBit(bits, i);
                }
            }
            return Bitmaps.Boolean(bits, validity, length);
        }
        var entries = (StringArray)ArrowArray.Create(dictionary);
        // 1: the entry is listed; 0: it is not; -1: the entry is null (so is the answer).
        var entry = new sbyte[entries.Length];
        for (var e = 0; e < entry.Length; e++)
        {
            entry[e] = entries.IsNull(e) ? (sbyte)-1 : Contains(wanted, entries.GetBytes(e)) ? (sbyte)1 : (sbyte)0;
        }
        var indices = Comparison.DictionaryIndices(data);
        for (var i = 0; i < length; i++)
        {
            var index = indices[i];
            if (index < 0)
            {
                continue;
            }
            switch (entry[index])
            {
                case 1:
                    BitUtil.SetBit(bits, i);
                    break;
                case -1:
                    validity ??= AllValid(length);
                    BitUtil.ClearBit(validity, i);
                    break;
            }
        }
        return Bitmaps.Boolean(bits, validity, length);
    }

    private static bool Contains(byte[][] wanted, ReadOnlySpan<byte> value)
    {
        foreach (var w in wanted)
        {
            if (value.SequenceEqual(w))
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] AllValid(int length)
    {
        var bits = new byte[BitUtil.BytesFor(length)];
        bits.AsSpan().Fill(0xFF);
        return bits;
    }
}
