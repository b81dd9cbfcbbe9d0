using System.Globalization;

namespace Tsdb.Query;

/// <summary>RFC 3339 timestamps and INTERVAL texts to nanoseconds, and nanoseconds back to text.</summary>
public static class TimestampText
{
    /// <summary>A timestamp as InfluxDB 3 prints it (see <see cref="TimeText.FormatTimestamp"/>).</summary>
    public static string Format(long nanos) => TimeText.FormatTimestamp(nanos);

    /// <summary>An RFC 3339 timestamp (or a date) to nanoseconds since the epoch, to the nanosecond.</summary>
    public static bool TryParse(string text, out long nanos) => TimeText.TryParseTimestamp(text, out nanos);
}

internal static class TimeText
{
    public static bool TryParseTimestamp(string text, out long nanos)
    {
        nanos = 0;
        var s = text.Trim();
        if (s.Length < 10 || !DateTime.TryParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            return false;
        }
        long result = (date.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        var i = 10;
        if (i < s.Length && (s[i] == 'T' || s[i] == 't' || s[i] == ' '))
        {
            if (s.Length < i + 9 || s[i + 3] != ':' || s[i + 6] != ':'
                || !int.TryParse(s.AsSpan(i + 1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                || !int.TryParse(s.AsSpan(i + 4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                || !int.TryParse(s.AsSpan(i + 7, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var sec)
                || h > 23 || m > 59 || sec > 60)
            {
                return false;
            }
            result += ((h * 3600L) + (m * 60L) + sec) * 1_000_000_000L;
            i += 9;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var digits = 0;
                long fraction = 0;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (digits < 9)
                    {
                        fraction = (fraction * 10) + (s[i] - '0');
                        digits++;
                    }
                    i++;
                }
                if (digits == 0)
                {
                    return false;
                }
                for (; digits < 9; digits++)
                {
                    fraction *= 10;
                }
                result += fraction;
            }
            if (i < s.Length)
            {
                if (s[i] is 'Z' or 'z' && i == s.Length - 1)
                {
                    i++;
                }
                else if (s[i] is '+' or '-' && s.Length == i + 6 && s[i + 3] == ':'
                    && int.TryParse(s.AsSpan(i + 1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var oh)
                    && int.TryParse(s.AsSpan(i + 4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var om))
                {
                    var offset = ((oh * 3600L) + (om * 60L)) * 1_000_000_000L;
                    result -= s[i] == '+' ? offset : -offset;
                    i = s.Length;
                }
                else
                {
                    return false;
                }
            }
        }
        if (i != s.Length)
        {
            return false;
        }
        nanos = result;
        return true;
    }

    public static bool TryParseInterval(string text, out long nanos)
    {
        nanos = 0;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Length % 2 != 0)
        {
            return false;
        }
        long total = 0;
        for (var p = 0; p < parts.Length; p += 2)
        {
            if (!long.TryParse(parts[p], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || UnitNanos(parts[p + 1]) is not { } unit)
            {
                return false;
            }
            total = checked(total + (n * unit));
        }
        nanos = total;
        return true;
    }

    public static long? UnitNanos(string unit) => unit.ToLowerInvariant() switch
    {
        "nanosecond" or "nanoseconds" or "ns" => 1L,
        "microsecond" or "microseconds" or "us" => 1_000L,
        "millisecond" or "milliseconds" or "ms" => 1_000_000L,
        "second" or "seconds" or "sec" or "secs" or "s" => 1_000_000_000L,
        "minute" or "minutes" or "min" or "mins" or "m" => 60_000_000_000L,
        "hour" or "hours" or "h" => 3_600_000_000_000L,
        "day" or "days" or "d" => 86_400_000_000_000L,
        "week" or "weeks" or "w" => 7 * 86_400_000_000_000L,
        _ => null,
    };

    /// <summary>
    /// As InfluxDB 3 prints timestamps (Arrow's display of timestamp[ns]: chrono's <c>%Y-%m-%dT%H:%M:%S%.f</c>): no
    /// zone suffix, and the fraction with 0, 3, 6 or 9 digits as needed.
    /// </summary>
    public static string FormatTimestamp(long nanos)
    {
        var seconds = Math.DivRem(nanos, 1_000_000_000L, out var fraction);
        if (fraction < 0)
        {
            fraction += 1_000_000_000L;
            seconds--;
        }
        var dt = DateTime.UnixEpoch.AddSeconds(seconds);
        var head = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (fraction == 0)
        {
            return head;
        }
        if (fraction % 1_000_000 == 0)
        {
            return head + "." + (fraction / 1_000_000).ToString("D3", CultureInfo.InvariantCulture);
        }
        if (fraction % 1_000 == 0)
        {
            return head + "." + (fraction / 1_000).ToString("D6", CultureInfo.InvariantCulture);
        }
        return head + "." + fraction.ToString("D9", CultureInfo.InvariantCulture);
    }
}
