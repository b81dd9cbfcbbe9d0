using System.Globalization;

namespace Tsdb.Query.Functions;

/// <summary>
/// Interval strings as date_bin takes them: what <see cref="TimeText.TryParseInterval"/> reads ("1 hour 30 minutes"),
/// plus DataFusion's forms: fractional amounts ("1.5 hours"), units written against the number ("5m", "1h30m"),
/// arrow's unit spellings (hr, msec, usec, …) and a bare number of seconds.
/// </summary>
internal static class IntervalText
{
    /// <summary>Reads <paramref name="text"/>; on failure <paramref name="problem"/> says why.</summary>
    public static bool TryParse(string text, out long nanos, out string problem)
    {
        problem = "";
        if (TimeText.TryParseInterval(text, out nanos))
        {
            return true;
        }
        var s = text.Trim().ToLowerInvariant();
        decimal total = 0;
        var pos = 0;
        var terms = 0;
        while (pos < s.Length)
        {
            var start = pos;
            if (s[pos] is '+' or '-')
            {
                pos++;
            }
            while (pos < s.Length && (char.IsAsciiDigit(s[pos]) || s[pos] == '.'))
            {
                pos++;
            }
            if (!decimal.TryParse(s.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                problem = "expected a number";
                return false;
            }
            while (pos < s.Length && s[pos] == ' ')
            {
                pos++;
            }
            var unitStart = pos;
            while (pos < s.Length && char.IsAsciiLetter(s[pos]))
            {
                pos++;
            }
            var unit = s[unitStart..pos];
            terms++;
            long unitNanos;
            if (unit.Length == 0)
            {
                // arrow: a number without a unit is seconds, but only on its own.
                if (terms > 1 || pos < s.Length)
                {
                    problem = "expected a unit";
                    return false;
                }
                unitNanos = 1_000_000_000L;
            }
            else if (UnitNanos(unit) is { } u)
            {
                unitNanos = u;
            }
            else
            {
                problem = IsCalendarUnit(unit) ? $"'{unit}' has no fixed length (use days or weeks)" : $"unknown unit '{unit}'";
                return false;
            }
            try
            {
                total += amount * unitNanos;
            }
            catch (OverflowException)
            {
                problem = "too long";
                return false;
            }
            while (pos < s.Length && s[pos] == ' ')
            {
                pos++;
            }
        }
        if (terms == 0)
        {
            problem = "empty";
            return false;
        }
        if (total > long.MaxValue || total < long.MinValue)
        {
            problem = "too long";
            return false;
        }
        nanos = (long)decimal.Truncate(total);
        return true;
    }

    private static long? UnitNanos(string unit) => TimeText.UnitNanos(unit) ?? unit switch
    {
        "nsec" or "nsecs" => 1L,
        "usec" or "usecs" or "µs" => 1_000L,
        "msec" or "msecs" => 1_000_000L,
        "hr" or "hrs" => 3_600_000_000_000L,
        _ => null,
    };

    private static bool IsCalendarUnit(string unit) => unit is "mon" or "mons" or "month" or "months" or "y" or "yr" or "yrs" or "year" or "years"
        or "decade" or "decades" or "century" or "centuries" or "millennium" or "millennia";
}
