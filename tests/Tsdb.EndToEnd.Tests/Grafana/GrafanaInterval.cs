using System.Globalization;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>
/// Grafana's interval arithmetic, from its sources: the frontend's <c>rangeutil.calculateInterval</c> (the query's
/// <c>intervalMs</c>: time range / max data points, rounded to a "nice" interval by the kbn table
/// (<c>gtime.RoundInterval</c> in grafana-plugin-sdk-go), never below the minimum interval), the Prometheus backend's
/// <c>calculatePrometheusInterval</c> and <c>interpolateVariables</c> (<c>pkg/promlib/models/query.go</c>: step, the
/// 11,000-point safe interval, <c>$__rate_interval</c> = max(interval + scrape interval, 4 × scrape interval)),
/// and the two ways Go prints a duration that end up in queries: <c>gtime.FormatInterval</c> ("1m", truncating) and
/// <c>time.Duration.String</c> ("1m0s", used for <c>$__rate_interval</c>).
/// </summary>
internal static class GrafanaInterval
{
    private static readonly (long UpToMs, long ResultMs)[] RoundTable =
    [
        (10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1_500, 1_000), (3_500, 2_000),
        (7_500, 5_000), (12_500, 10_000), (17_500, 15_000), (25_000, 20_000), (45_000, 30_000), (90_000, 60_000),
        (210_000, 120_000), (450_000, 300_000), (750_000, 600_000), (1_050_000, 900_000), (1_500_000, 1_200_000),
        (2_700_000, 1_800_000), (5_400_000, 3_600_000), (9_000_000, 7_200_000), (16_200_000, 10_800_000),
        (32_400_000, 21_600_000), (86_400_000, 43_200_000), (172_800_000, 86_400_000), (604_800_000, 86_400_000),
        (1_814_400_000, 604_800_000), (3_628_800_000 - 1, 2_592_000_000),
    ];

    public static long RoundMs(long ms)
    {
        foreach (var (upTo, result) in RoundTable)
        {
            if (ms <= upTo)
            {
                return result;
            }
        }
        return 31_536_000_000;
    }

    /// <summary>The interval Grafana's frontend sends with a query (<c>intervalMs</c>), which <c>$__interval</c> is made from.</summary>
    public static long IntervalMs(long rangeMs, long maxDataPoints, long minIntervalMs) =>
        Math.Max(RoundMs(rangeMs / maxDataPoints), Math.Max(1, minIntervalMs));

    /// <summary>The Prometheus step: <c>intervalMs</c> as the lower limit of range / max data points, and at least range / 11,000.</summary>
    public static long PrometheusStepMs(long rangeMs, long maxDataPoints, long intervalMs)
    {
        var raw = rangeMs / maxDataPoints;
        var calculated = raw < intervalMs ? intervalMs : RoundMs(raw);
        var safe = RoundMs(rangeMs / 11_000);
        return Math.Max(calculated, safe);
    }

    /// <summary><c>$__rate_interval</c> when the query sets no minimum step: max(intervalMs + scrape, 4 × scrape).</summary>
    public static long RateIntervalMs(long intervalMs, long scrapeMs) => Math.Max(intervalMs + scrapeMs, 4 * scrapeMs);

    /// <summary>gtime.FormatInterval: the largest whole unit, truncated ("90s" prints "1m").</summary>
    public static string Format(long ms)
    {
        const long second = 1_000, minute = 60 * second, hour = 60 * minute, day = 24 * hour, year = 365 * day;
        return ms switch
        {
            >= year => $"{ms / year}y",
            >= day => $"{ms / day}d",
            >= hour => $"{ms / hour}h",
            >= minute => $"{ms / minute}m",
            >= second => $"{ms / second}s",
            >= 1 => $"{ms}ms",
            _ => "1ms",
        };
    }

    /// <summary>Go's time.Duration.String for whole milliseconds: "500ms", "1m0s", "1h2m3.5s".</summary>
    public static string GoDuration(long ms)
    {
        if (ms == 0)
        {
            return "0s";
        }
        if (ms < 1_000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = (ms % 60_000) / 1_000.0;
        var text = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return $"{hours}h{minutes}m{text}";
        }
        return minutes > 0 ? $"{minutes}m{text}" : text;
    }

    /// <summary>Grafana's interval strings ("15s", "1m", "500ms", "1h") in milliseconds.</summary>
    public static long ParseMs(string text)
    {
        var unitStart = text.TakeWhile(char.IsAsciiDigit).Count();
        var number = long.Parse(text.AsSpan(0, unitStart), CultureInfo.InvariantCulture);
        return text[unitStart..] switch
        {
            "ms" => number,
            "s" or "" => number * 1_000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            "d" => number * 86_400_000,
            "w" => number * 604_800_000,
            var unit => throw new FormatException($"unknown interval unit '{unit}' in '{text}'"),
        };
    }
}
