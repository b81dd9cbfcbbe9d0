using System.Collections.Concurrent;
using System.Globalization;

namespace Tsdb.Query.Functions;

/// <summary>
/// Time zones by IANA name ("America/New_York", read from the system's tzdata) or fixed offset ("+05:30"), looked up
/// once per name; and the UTC offset of an instant.
/// </summary>
internal static class TimeZones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Found = new(StringComparer.Ordinal);

    public static bool TryFind(string name, out TimeZoneInfo zone)
    {
        if (Found.TryGetValue(name, out zone!))
        {
            return true;
        }
        var text = name.Trim();
        if (text.Length == 6 && text[0] is '+' or '-' && text[3] == ':'
            && int.TryParse(text.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours) && hours <= 14
            && int.TryParse(text.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes < 60)
        {
            var offset = new TimeSpan(hours, minutes, 0);
            zone = TimeZoneInfo.CreateCustomTimeZone(text, text[0] == '-' ? -offset : offset, text, text);
        }
        else
        {
            if (text.Length == 0)
            {
                return false;
            }
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(text);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or System.Security.SecurityException or IOException)
            {
                // Unknown names are not cached: they are typos, and caching them would let queries grow the cache.
                return false;
            }
        }
        Found.TryAdd(name, zone);
        return true;
    }

    /// <summary>The offset from UTC, in ns, of <paramref name="zone"/> at the instant <paramref name="utcNanos"/>.</summary>
    public static long OffsetNanos(TimeZoneInfo zone, long utcNanos)
    {
        var ticks = Math.DivRem(utcNanos, 100, out var rest);
        if (rest < 0)
        {
            ticks--;
        }
        return zone.GetUtcOffset(new DateTime(DateTime.UnixEpoch.Ticks + ticks, DateTimeKind.Utc)).Ticks * 100;
    }
}
