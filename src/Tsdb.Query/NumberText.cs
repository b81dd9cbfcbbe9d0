using System.Globalization;

namespace Tsdb.Query;

/// <summary>Number text the query front ends print (output names, printed statements).</summary>
public static class NumberText
{
    /// <summary>
    /// A finite double as the shortest digits that read back, in plain notation (never an exponent), without a trailing
    /// ".0" on whole numbers; callers spell NaN and infinities in their own dialect.
    /// </summary>
    public static string Plain(double finite)
    {
        var r = finite.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOfAny(['E', 'e']);
        if (e < 0)
        {
            return r;
        }
        var negative = r[0] == '-';
        var mantissa = r[(negative ? 1 : 0)..e];
        var exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var plain = point <= 0
            ? "0." + new string('0', -point) + digits
            : point >= digits.Length
                ? digits + new string('0', point - digits.Length)
                : digits[..point] + "." + digits[point..];
        return negative ? "-" + plain : plain;
    }
}
