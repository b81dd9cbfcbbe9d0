using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Tsdb.Server.Http;

/// <summary>
/// Request parameters as Prometheus' API reads them (<c>web/api/v1/api.go</c>): form body values first, then the URL
/// query; times as RFC 3339 or Unix seconds with decimals (rounded to milliseconds); durations as seconds or
/// Prometheus duration strings.
/// </summary>
internal static class PromParams
{
    /// <summary>The smallest and largest times the API accepts; the defaults of start and end.</summary>
    public const long MinTimeMs = -9_223_309_901_257_974;
    public const long MaxTimeMs = 9_223_309_901_257_974;

    public static string? Get(HttpRequest request, string name)
    {
        if (request.HasFormContentType && request.Form.TryGetValue(name, out var form) && form.Count > 0)
        {
            return form[0];
        }
        return request.Query.TryGetValue(name, out var query) && query.Count > 0 ? query[0] : null;
    }

    public static List<string> GetAll(HttpRequest request, string name)
    {
        var values = new List<string>();
        if (request.HasFormContentType && request.Form.TryGetValue(name, out var form))
        {
            values.AddRange(form.OfType<string>());
        }
        if (request.Query.TryGetValue(name, out var query))
        {
            values.AddRange(query.OfType<string>());
        }
        return values;
    }

    /// <summary>A time parameter in milliseconds; <paramref name="defaultMs"/> when absent. Throws <see cref="ParamException"/>.</summary>
    public static long Time(HttpRequest request, string name, long defaultMs)
    {
        var text = Get(request, name);
        if (string.IsNullOrEmpty(text))
        {
            return defaultMs;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            var whole = Math.Truncate(seconds);
            var fraction = Math.Round((seconds - whole) * 1000) / 1000;
            var ms = (whole * 1000) + Math.Round(fraction * 1000);
            if (ms >= MinTimeMs && ms <= MaxTimeMs)
            {
                return (long)ms;
            }
        }
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) && text.Contains('T', StringComparison.Ordinal))
        {
            return time.ToUnixTimeMilliseconds();
        }
        throw new ParamException($"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp");
    }

    /// <summary>A duration parameter in milliseconds, or null when absent. Throws <see cref="ParamException"/>.</summary>
    public static long? Duration(HttpRequest request, string name)
    {
        var text = Get(request, name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            var ms = seconds * 1000;
            if (double.IsFinite(ms) && ms <= long.MaxValue && ms >= long.MinValue)
            {
                return (long)Math.Round(ms);
            }
            throw new ParamException($"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration. It overflows int64");
        }
        if (TryParseDuration(text, out var parsed))
        {
            return parsed;
        }
        throw new ParamException($"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration");
    }

    /// <summary>Prometheus duration strings: units y, w, d, h, m, s, ms in that order, each at most once ("1h30m").</summary>
    public static bool TryParseDuration(string text, out long ms)
    {
        ms = 0;
        if (text.Length == 0)
        {
            return false;
        }
        if (text == "0")
        {
            return true;
        }
        string[] units = ["y", "w", "d", "h", "m", "s", "ms"];
        long[] scale = [365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000, 1000, 1];
        var last = -1;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            var unit = Array.IndexOf(units, text[unitStart..i]);
            if (unit <= last)
            {
                return false;
            }
            last = unit;
            try
            {
                ms = checked(ms + checked(number * scale[unit]));
            }
            catch (OverflowException)
            {
                return false;
            }
        }
        return true;
    }

    public static int Limit(HttpRequest request)
    {
        var text = Get(request, "limit");
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
        {
            throw new ParamException($"invalid parameter \"limit\": cannot parse \"{text}\" to a valid limit");
        }
        return limit;
    }
}
