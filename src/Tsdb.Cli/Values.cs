using System.Globalization;

namespace Tsdb.Cli;

/// <summary>Parses the sizes and durations the flags take ("10MiB", "512MB", "10ms", "1s").</summary>
internal static class Values
{
    public static long ParseSize(string text)
    {
        text = text.Trim();
        var units = new (string Suffix, long Factor)[]
        {
            ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
            ("KB", 1000L), ("MB", 1000_000L), ("GB", 1000_000_000L), ("TB", 1000_000_000_000L), ("B", 1L),
        };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                return checked((long)(n * factor));
            }
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : throw new FormatException($"'{text}' is not a size (use bytes, or a number with KiB, MiB, GiB, KB, MB or GB)");
    }

    public static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        var units = new (string Suffix, double Milliseconds)[] { ("ms", 1), ("us", 0.001), ("s", 1000), ("m", 60_000), ("h", 3_600_000) };
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                return TimeSpan.FromMilliseconds(n * ms);
            }
        }
        return text == "0" ? TimeSpan.Zero : throw new FormatException($"'{text}' is not a duration (use e.g. 0, 500us, 10ms, 1s)");
    }
}
