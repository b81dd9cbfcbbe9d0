using System.Globalization;
using System.Text.RegularExpressions;

namespace Tsdb.Cli.Writing;

/// <summary>Timestamps of CSV and Parquet rows as line-protocol integers in the write's precision.</summary>
internal static partial class TimeText
{
    /// <summary>Nanoseconds per unit of a write precision (auto writes nanoseconds, which auto reads back as such).</summary>
    public static long NanosecondsPer(string precision) => precision switch
    {
        "auto" or "ns" or "n" or "nanosecond" => 1,
        "us" or "u" or "microsecond" => 1_000,
        "ms" or "millisecond" => 1_000_000,
        "s" or "second" => 1_000_000_000,
        _ => throw new FormatException($"unknown precision '{precision}': use auto, ns, us, ms or s"),
    };

    /// <summary>
    /// An integer is taken as already in the precision's unit; RFC 3339 text (<c>2024-01-02T03:04:05.123456789Z</c>,
    /// a space for the T, no zone meaning UTC as the query API prints it) is converted to it.
    /// </summary>
    public static long Parse(string text, long nanosecondsPerUnit)
    {
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }
        var m = Rfc3339().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"time '{text}' is neither an integer nor an RFC 3339 timestamp (2024-01-02T03:04:05Z)");
        }
        var zone = m.Groups["zone"].Value;
        var offset = zone is "" or "Z" or "z" ? "+00:00" : zone.Length == 5 ? zone[..3] + ":" + zone[3..] : zone;
        if (!DateTimeOffset.TryParseExact($"{m.Groups["date"].Value}T{m.Groups["time"].Value}{offset}", "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            throw new FormatException($"time '{text}' is not a valid date and time");
        }
        var fraction = m.Groups["fraction"].Value;
        var nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        var total = checked(((instant.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond * 1_000_000_000) + nanos);
        return FromNanoseconds(total, nanosecondsPerUnit, text);
    }

    public static long FromNanoseconds(long nanoseconds, long nanosecondsPerUnit, string shown)
    {
        if (nanoseconds % nanosecondsPerUnit != 0)
        {
            throw new FormatException($"time '{shown}' is finer than the precision: pick a finer --precision");
        }
        return nanoseconds / nanosecondsPerUnit;
    }

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[Tt ](?<time>\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<zone>[Zz]|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex Rfc3339();
}
