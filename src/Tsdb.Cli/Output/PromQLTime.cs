using System.Globalization;
using Tsdb.Cli.Client;
using Tsdb.Cli.Writing;

namespace Tsdb.Cli.Output;

/// <summary>Times of PromQL flags: <c>now</c>, <c>now-1h</c> or <c>-1h</c>, RFC 3339, or Unix seconds.</summary>
internal static class PromQLTime
{
    public static DateTimeOffset Parse(string text, DateTimeOffset now)
    {
        text = text.Trim();
        if (text == "now")
        {
            return now;
        }
        var relative = text.StartsWith("now-", StringComparison.Ordinal) ? text[4..] : text.StartsWith('-') ? text[1..] : null;
        if (relative is not null)
        {
            return now - Duration(relative);
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        }
        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(TimeText.Parse(text, 1_000_000));
        }
        catch (FormatException)
        {
            throw new CliException($"'{text}' is not a time: use now, -1h (now-1h), RFC 3339 (2024-01-02T03:04:05Z) or Unix seconds", 2);
        }
    }

    /// <summary>A Prometheus duration: <c>1h30m</c>, <c>90s</c>, <c>500ms</c>, <c>2d</c>, <c>1w</c>.</summary>
    public static TimeSpan Duration(string text)
    {
        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var digits = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            if (digits == unitStart || unitStart == i || !long.TryParse(text.AsSpan(digits, unitStart - digits), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw new CliException($"'{text}' is not a duration (e.g. 1h30m, 15s, 500ms)", 2);
            }
            total += text[unitStart..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                "w" => TimeSpan.FromDays(7 * n),
                "y" => TimeSpan.FromDays(365 * n),
                _ => throw new CliException($"'{text}' is not a duration (units: ms, s, m, h, d, w, y)", 2),
            };
        }
        return total;
    }
}
