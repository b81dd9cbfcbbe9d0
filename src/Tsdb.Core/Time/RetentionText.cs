using System.Globalization;

namespace Tsdb.Core.Time;

/// <summary>How retention periods and the refusal of a point outside one read, the same for every write API.</summary>
public static class RetentionText
{
    /// <summary>A period the way the API takes it: whole weeks are given in days, then hours, minutes, seconds (30d, 1h, 90m).</summary>
    public static string Format(TimeSpan period) =>
        period.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)period.TotalDays}d"
        : period.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)period.TotalHours}h"
        : period.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)period.TotalMinutes}m"
        : $"{(long)period.TotalSeconds}s";

    /// <summary>A time in nanoseconds since the epoch as RFC 3339 UTC (to the second when it has no fraction).</summary>
    public static string Timestamp(long nanoseconds)
    {
        var seconds = Math.DivRem(nanoseconds, 1_000_000_000L, out var fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }
        if (seconds < -62_135_596_800L || seconds > 253_402_300_799L)
        {
            return nanoseconds.ToString(CultureInfo.InvariantCulture) + "ns";
        }
        var text = DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        return fraction == 0 ? text + "Z" : $"{text}.{fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0')}Z";
    }

    /// <summary>
    /// Why a point was refused: its time, the period and whose it is (<c>table 'cpu'</c> or <c>database 'db'</c>), and
    /// the oldest time accepted at this moment.
    /// </summary>
    public static string Expired(long time, TimeSpan period, string owner, long cutoff) =>
        $"point time {Timestamp(time)} is outside the retention period of {owner} ({Format(period)}): the oldest time accepted now is {Timestamp(cutoff)}";
}
