using System.Globalization;

namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>InfluxQL duration literals: 1.x's ParseDuration and FormatDuration.</summary>
internal static class DurationText
{
    private const long Microsecond = 1_000;
    private const long Millisecond = 1_000_000;
    private const long Second = 1_000_000_000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const long Week = 7 * Day;

    /// <summary>
    /// Digits-and-unit pairs summed (<c>1h30m</c>); units ns, u or µ, ms, s, m, h, d, w. Errors carry 1.x's text:
    /// "invalid duration", or "overflowed duration …" when the sum passes int64 nanoseconds.
    /// </summary>
    public static bool TryParse(string s, out long nanoseconds, out string error)
    {
        nanoseconds = 0;
        error = "invalid duration";
        if (s.Length < 2)
        {
            return false;
        }

        long total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i >= s.Length || i == start
                || !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var measure))
            {
                return false;
            }

            long unit;
            var unitText = s[i].ToString();
            switch (s[i])
            {
                case 'n' when i + 1 < s.Length && s[i + 1] == 's':
                    unit = 1;
                    unitText = "ns";
                    i++;
                    break;
                case 'u' or 'µ':
                    unit = Microsecond;
                    break;
                case 'm' when i + 1 < s.Length && s[i + 1] == 's':
                    unit = Millisecond;
                    unitText = "ms";
                    i++;
                    break;
                case 'm':
                    unit = Minute;
                    break;
                case 's':
                    unit = Second;
                    break;
                case 'h':
                    unit = Hour;
                    break;
                case 'd':
                    unit = Day;
                    break;
                case 'w':
                    unit = Week;
                    break;
                default:
                    return false;
            }

            i++;
            try
            {
                total = checked(total + checked(measure * unit));
            }
            catch (OverflowException)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"overflowed duration {measure}{unitText}: choose a smaller duration or INF");
                return false;
            }
        }

        nanoseconds = total;
        return true;
    }

    /// <summary>The largest unit that divides the duration exactly, as 1.x prints it (microseconds as u).</summary>
    public static string Format(long d)
    {
        if (d == 0)
        {
            return "0s";
        }

        (long unit, string suffix) = d % Week == 0 ? (Week, "w")
            : d % Day == 0 ? (Day, "d")
            : d % Hour == 0 ? (Hour, "h")
            : d % Minute == 0 ? (Minute, "m")
            : d % Second == 0 ? (Second, "s")
            : d % Millisecond == 0 ? (Millisecond, "ms")
            : d % Microsecond == 0 ? (Microsecond, "u")
            : (1L, "ns");
        return (d / unit).ToString(CultureInfo.InvariantCulture) + suffix;
    }
}
