using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Boolean kernels with SQL three-valued (Kleene) logic, computed a byte (eight rows) at a time:
/// false AND null = false, true OR null = true, anything else with a null is null. IsNull/IsNotNull never return null.
/// </summary>
public static class Logical
{
    public static BooleanArray And(BooleanArray left, BooleanArray right) => Binary(left, right, isAnd: true);

    public static BooleanArray Or(BooleanArray left, BooleanArray right) => Binary(left, right, isAnd: false);

    public static BooleanArray Not(BooleanArray input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = Bitmaps.BooleanValues(input.Data);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (byte)~values[i];
        }
        return Bitmaps.Boolean(values, Bitmaps.Validity(input.Data), input.Length);
    }

    /// <summary>True where <paramref name="array"/> is null.</summary>
    public static BooleanArray IsNull(ArrowArray array) => NullTest(array, wantNull: true);

    /// <summary>True where <paramref name="array"/> is not null.</summary>
    public static BooleanArray IsNotNull(ArrowArray array) => NullTest(array, wantNull: false);

    private static BooleanArray NullTest(ArrowArray array, bool wantNull)
    {
        ArgumentNullException.ThrowIfNull(array);
        var length = array.Length;
        var validity = Bitmaps.Validity(array.Data);
        if (validity is null)
        {
            validity = new byte[BitUtil.BytesFor(length)];
            if (!wantNull)
            {
                validity.AsSpan().Fill(0xFF);
            }
        }
        else if (wantNull)
        {
            for (var i = 0; i < validity.Length; i++)
            {
                validity[i] = (byte)~validity[i];
            }
        }
        return Bitmaps.Boolean(validity, null, length);
    }

    private static BooleanArray Binary(BooleanArray left, BooleanArray right, bool isAnd)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.Length != right.Length)
        {
            throw new ArgumentException($"cannot combine arrays of {left.Length} and {right.Length} rows", nameof(right));
        }
        var length = left.Length;
        var l = Bitmaps.BooleanValues(left.Data);
        var r = Bitmaps.BooleanValues(right.Data);
        var lv = Bitmaps.Validity(left.Data);
        var rv = Bitmaps.Validity(right.Data);
        var values = new byte[l.Length];
        byte[]? validity = lv is null && rv is null ? null : new byte[l.Length];
        for (var i = 0; i < values.Length; i++)
        {
            int a = l[i], b = r[i];
            values[i] = (byte)(isAnd ? a & b : a | b);
            if (validity is not null)
            {
                var av = lv is null ? 0xFF : lv[i];
                var bv = rv is null ? 0xFF : rv[i];
                // A known false decides AND, a known true decides OR, whatever the other side is.
                var decisiveA = isAnd ? av & ~a : av & a;
                var decisiveB = isAnd ? bv & ~b : bv & b;
                validity[i] = (byte)((av & bv) | decisiveA | decisiveB);
            }
        }
        return Bitmaps.Boolean(values, validity, length);
    }
}
