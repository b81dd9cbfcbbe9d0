using System.Globalization;

namespace Tsdb.Core.Time;

/// <summary>Day partitions: whole UTC days since the Unix epoch, shown as YYYY-MM-DD.</summary>
public static class PartitionDay
{
    public const long NanosecondsPerDay = 86_400_000_000_000;

    private static readonly int EpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>The day holding <paramref name="time"/> (nanoseconds since the epoch), rounding down for negative times.</summary>
    public static int FromNanoseconds(long time) => (int)(time >= 0 ? time / NanosecondsPerDay : ((time + 1) / NanosecondsPerDay) - 1);

    public static string Format(int day) => DateOnly.FromDayNumber(EpochDayNumber + day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
