using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tsdb.LineProtocol;

/// <summary>Hand-written number parsing for the hot loop: exact grammar first, then the value.</summary>
internal static class NumberParser
{
    // ulong.MaxValue = 18446744073709551615: one more digit fits only below this prefix (or equal to it with d <= 5).
    private const ulong MaxBeforeLastDigit = ulong.MaxValue / 10;

    // Powers of ten that are exact doubles (10^22 is the largest).
    private static readonly double[] ExactPowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses one or more ASCII digits (nothing else) as an unsigned 64-bit integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NumberStatus ParseDigits(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return NumberStatus.Invalid;
        }
        var overflow = false;
        ulong acc = 0;
        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                return NumberStatus.Invalid;
            }
            if (acc > MaxBeforeLastDigit || (acc == MaxBeforeLastDigit && d > 5))
            {
                overflow = true;
            }
            else
            {
                acc = (acc * 10) + d;
            }
        }
        value = acc;
        return overflow ? NumberStatus.Overflow : NumberStatus.Ok;
    }

    /// <summary>Parses <c>-?digits</c> as a signed 64-bit integer.</summary>
    public static NumberStatus ParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        var status = ParseDigits(negative ? text[1..] : text, out var magnitude);
        if (status != NumberStatus.Ok)
        {
            return status;
        }
        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return NumberStatus.Overflow;
            }
            value = unchecked((long)(0 - magnitude));
        }
        else
        {
            if (magnitude > long.MaxValue)
            {
                return NumberStatus.Overflow;
            }
            value = (long)magnitude;
        }
        return NumberStatus.Ok;
    }

    /// <summary>
    /// Parses a float as line protocol writes it: <c>-?(digits[.digits*] | .digits)([eE][+-]?digits)?</c>.
    /// No leading '+', no NaN or infinity, and values too large for a double are <see cref="NumberStatus.Overflow"/>.
    /// </summary>
    public static NumberStatus ParseFloat(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == (byte)'-')
        {
            negative = true;
            i++;
        }
        // The mantissa may wrap for long inputs; it is only used when there are at most 15 digits.
        ulong mantissa = 0;
        var intStart = i;
        while (i < text.Length && IsDigit(text[i]))
        {
            mantissa = unchecked((mantissa * 10) + (uint)(text[i] - '0'));
            i++;
        }
        var digits = i - intStart;
        var fractionDigits = 0;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            var fractionStart = i;
            while (i < text.Length && IsDigit(text[i]))
            {
                mantissa = unchecked((mantissa * 10) + (uint)(text[i] - '0'));
                i++;
            }
            fractionDigits = i - fractionStart;
            digits += fractionDigits;
        }
        if (digits == 0)
        {
            return NumberStatus.Invalid;
        }
        var hasExponent = false;
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            hasExponent = true;
            i++;
            if (i < text.Length && (text[i] == (byte)'+' || text[i] == (byte)'-'))
            {
                i++;
            }
            var exponentStart = i;
            while (i < text.Length && IsDigit(text[i]))
            {
                i++;
            }
            if (i == exponentStart)
            {
                return NumberStatus.Invalid;
            }
        }
        if (i != text.Length)
        {
            return NumberStatus.Invalid;
        }

        // Clinger's fast path: with at most 15 digits the mantissa is an exact double below 2^53 and 10^k (k <= 22)
        // is exact, so one correctly rounded division gives the correctly rounded result.
        if (!hasExponent && digits <= 15)
        {
            var result = fractionDigits == 0 ? mantissa : mantissa / ExactPowersOfTen[fractionDigits];
            value = negative ? -result : result;
            return NumberStatus.Ok;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            value = 0;
            return NumberStatus.Overflow;
        }
        return NumberStatus.Ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
