using System.Globalization;
using System.Text;

namespace Tsdb.Server.Http;

/// <summary>
/// Numbers as Prometheus' JSON writes them (<c>util/jsonutil/marshal.go</c>): sample values as Go's
/// <c>strconv.FormatFloat(f, 'f', -1, 64)</c> — the shortest digits that read back to the same double — switching to
/// the <c>'e'</c> form below 1e-6 and from 1e21 on; NaN and infinities as "NaN", "+Inf", "-Inf"; timestamps as
/// seconds with a three-digit millisecond fraction only when it is not zero.
/// </summary>
internal static class PromFormat
{
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }
        // .NET's "R" gives the shortest round-trip digits; only the layout differs from Go's.
        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var exponent = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }
        digits = digits[leading..];
        point -= leading;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        var builder = new StringBuilder(32);
        if (value < 0)
        {
            builder.Append('-');
        }
        var abs = Math.Abs(value);
        if (abs < 1e-6 || abs >= 1e21)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }
            var exp = point - 1;
            builder.Append('e').Append(exp < 0 ? '-' : '+');
            var expDigits = Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
            if (expDigits.Length < 2)
            {
                builder.Append('0');
            }
            builder.Append(expDigits);
            return builder.ToString();
        }
        if (point <= 0)
        {
            builder.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            builder.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            builder.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
        return builder.ToString();
    }

    /// <summary>Milliseconds since the epoch as Prometheus' JSON number of seconds.</summary>
    public static string Timestamp(long ms)
    {
        Span<byte> text = stackalloc byte[MaxTimestampLength];
        return Encoding.ASCII.GetString(text[..WriteTimestamp(text, ms)]);
    }

    /// <summary>The longest timestamp text: a sign, 16 digits of seconds, the point and 3 digits.</summary>
    public const int MaxTimestampLength = 24;

    /// <summary>The longest float text (the shortest round-trip digits in either layout).</summary>
    public const int MaxFloatLength = 32;

    /// <summary>Writes <see cref="Timestamp"/>'s text as UTF-8 into <paramref name="output"/>; returns its length.</summary>
    public static int WriteTimestamp(Span<byte> output, long ms)
    {
        var length = 0;
        if (ms < 0)
        {
            output[length++] = (byte)'-';
        }
        // Through ulong so long.MinValue has a magnitude too.
        var abs = ms < 0 ? (ulong)(-(ms + 1)) + 1 : (ulong)ms;
        (abs / 1000).TryFormat(output[length..], out var digits, default, CultureInfo.InvariantCulture);
        length += digits;
        var fraction = abs % 1000;
        if (fraction != 0)
        {
            output[length++] = (byte)'.';
            output[length++] = (byte)('0' + (int)(fraction / 100));
            output[length++] = (byte)('0' + (int)(fraction / 10 % 10));
            output[length++] = (byte)('0' + (int)(fraction % 10));
        }
        return length;
    }

    /// <summary>Writes <see cref="Float"/>'s text as UTF-8 into <paramref name="output"/>; returns its length.</summary>
    public static int WriteFloat(Span<byte> output, double value)
    {
        // .NET's shortest round-trip text equals Go's 'f' layout whenever it has no exponent (and is not one of the
        // special values): the common case, written without allocating. Anything else goes the general way.
        if (double.IsFinite(value) && value != 0 && value.TryFormat(output, out var written, "R", CultureInfo.InvariantCulture)
            && output[..written].IndexOf((byte)'E') < 0)
        {
            return written;
        }
        var text = Float(value);
        return Encoding.ASCII.GetBytes(text, output);
    }
}
