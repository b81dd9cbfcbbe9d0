using System.Text;

namespace Tsdb.Otlp;

/// <summary>
/// OTLP metric, unit and attribute names → Prometheus names, by the rules of Prometheus' otlptranslator: unit
/// suffixes from the UCUM unit (<c>s</c> → <c>seconds</c>, <c>By/s</c> → <c>bytes_per_second</c>, <c>{request}</c>
/// and <c>1</c> → none), <c>_total</c> for monotonic counters, <c>_ratio</c> for gauges of unit <c>1</c>, and with
/// escaping every run of characters outside <c>[a-zA-Z0-9:]</c> turned into one <c>_</c>.
/// </summary>
internal static class OtlpNames
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds", ["ms"] = "milliseconds", ["us"] = "microseconds", ["ns"] = "nanoseconds",
        ["By"] = "bytes", ["KiBy"] = "kibibytes", ["MiBy"] = "mebibytes", ["GiBy"] = "gibibytes", ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes", ["MBy"] = "megabytes", ["GBy"] = "gigabytes", ["TBy"] = "terabytes",
        ["m"] = "meters", ["V"] = "volts", ["A"] = "amperes", ["J"] = "joules", ["W"] = "watts", ["g"] = "grams",
        ["Cel"] = "celsius", ["Hz"] = "hertz", ["1"] = "", ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second", ["m"] = "minute", ["h"] = "hour", ["d"] = "day", ["w"] = "week", ["mo"] = "month", ["y"] = "year",
    };

    /// <summary>The metric (family) name, or null when escaping leaves nothing usable.</summary>
    public static string? MetricName(string name, string unit, OtlpMetricKind kind, OtlpTranslationStrategy strategy)
    {
        var suffixes = strategy.AddsSuffixes();
        if (!strategy.Escapes())
        {
            return name.Length == 0 ? null : suffixes ? WithSuffixesUnescaped(name, unit, kind) : name;
        }
        string result;
        if (suffixes)
        {
            var tokens = Tokens(name);
            var (main, per) = UnitSuffixes(unit);
            main = CleanUnit(main);
            per = CleanUnit(per);
            if (tokens.Contains(main))
            {
                main = "";
            }
            if (per == "per_")
            {
                per = "";
            }
            else
            {
                per = per.TrimEnd('_');
                if (tokens.Contains(per))
                {
                    per = "";
                }
            }
            if (per.Length > 0)
            {
                main = main.TrimEnd('_');
            }
            if (main.Length > 0)
            {
                tokens.Add(main);
            }
            if (per.Length > 0)
            {
                tokens.Add(per);
            }
            if (kind == OtlpMetricKind.MonotonicCounter)
            {
                tokens.RemoveAll(t => t == "total");
                tokens.Add("total");
            }
            if (unit == "1" && kind == OtlpMetricKind.Gauge)
            {
                tokens.RemoveAll(t => t == "ratio");
                tokens.Add("ratio");
            }
            result = string.Join('_', tokens);
        }
        else
        {
            // Without suffixes a run of invalid characters is one '_', and the name's own '_' stay (Prometheus' simple case).
            result = string.Join('_', name.Split(c => !IsMetricChar(c) && c != '_'));
        }
        if (result.Length > 0 && char.IsAsciiDigit(result[0]))
        {
            result = "_" + result;
        }
        return result.Length == 0 || (result != name && result.All(c => c == '_')) ? null : result;
    }

    /// <summary>The label an attribute key becomes (escaped: invalid characters to <c>_</c>, <c>key_</c> before a digit, <c>key</c> before one <c>_</c>).</summary>
    public static string LabelName(string key, OtlpTranslationStrategy strategy)
    {
        if (!strategy.Escapes() || key.Length == 0)
        {
            return key;
        }
        var builder = new StringBuilder(key.Length + 4);
        foreach (var c in key)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }
        var label = builder.ToString();
        if (char.IsAsciiDigit(label[0]))
        {
            return "key_" + label;
        }
        return label.StartsWith('_') && !label.StartsWith("__", StringComparison.Ordinal) ? "key" + label : label;
    }

    /// <summary>The unit as Prometheus' metadata has it (<c>s</c> → <c>seconds</c>, <c>By/s</c> → <c>bytes_per_second</c>).</summary>
    public static string UnitName(string unit, OtlpTranslationStrategy strategy)
    {
        var (main, per) = UnitSuffixes(unit);
        if (strategy.Escapes())
        {
            main = CleanUnit(main);
            per = CleanUnit(per);
        }
        var u = main.Length > 0 && per.Length > 0 ? main + "_" + per : main.Length > 0 ? main : per;
        return u.Trim('_');
    }

    private static string WithSuffixesUnescaped(string name, string unit, OtlpMetricKind kind)
    {
        var ratio = unit == "1" && kind == OtlpMetricKind.Gauge;
        var total = kind == OtlpMetricKind.MonotonicCounter;
        if (ratio)
        {
            name = TrimSuffixAndDelimiter(name, "ratio");
        }
        if (total)
        {
            name = TrimSuffixAndDelimiter(name, "total");
        }
        var (main, per) = UnitSuffixes(unit);
        if (per.Length > 0)
        {
            name = TrimSuffixAndDelimiter(name, per);
        }
        if (main.Length > 0 && !name.EndsWith(main, StringComparison.Ordinal))
        {
            name += "_" + main;
        }
        if (per.Length > 0)
        {
            name += "_" + per;
        }
        if (total)
        {
            name += "_total";
        }
        if (ratio)
        {
            name += "_ratio";
        }
        return name;
    }

    private static string TrimSuffixAndDelimiter(string name, string suffix) =>
        name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length + 1 ? name[..^(suffix.Length + 1)] : name;

    private static (string Main, string Per) UnitSuffixes(string unit)
    {
        var slash = unit.IndexOf('/', StringComparison.Ordinal);
        var mainPart = (slash < 0 ? unit : unit[..slash]).Trim();
        var main = mainPart.Length > 0 && mainPart.IndexOfAny(['{', '}']) < 0 ? Units.GetValueOrDefault(mainPart, mainPart) : "";
        var per = "";
        if (slash >= 0 && slash + 1 < unit.Length)
        {
            var perPart = unit[(slash + 1)..].Trim();
            if (perPart.Length > 0 && perPart.IndexOfAny(['{', '}']) < 0)
            {
                per = "per_" + PerUnits.GetValueOrDefault(perPart, perPart);
            }
        }
        return (main, per);
    }

    /// <summary>Invalid characters to '_', runs of '_' collapsed, a leading '_' removed.</summary>
    private static string CleanUnit(string unit)
    {
        var builder = new StringBuilder(unit.Length);
        foreach (var c in unit)
        {
            var mapped = IsMetricChar(c) ? c : '_';
            if (mapped == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }
            builder.Append(mapped);
        }
        return builder.Length > 0 && builder[0] == '_' ? builder.ToString(1, builder.Length - 1) : builder.ToString();
    }

    private static List<string> Tokens(string name) => [.. name.Split(c => !IsMetricChar(c))];

    private static bool IsMetricChar(char c) => char.IsAsciiLetterOrDigit(c) || c == ':';

    private static string[] Split(this string text, Func<char, bool> isSeparator)
    {
        var parts = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || isSeparator(text[i]))
            {
                if (start >= 0)
                {
                    parts.Add(text[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        return [.. parts];
    }
}
