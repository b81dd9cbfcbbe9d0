namespace Tsdb.Otlp;

/// <summary>
/// How OTLP metric and attribute names become Prometheus names: Prometheus 3's <c>otlp.translation_strategy</c>,
/// with its names (<c>--otlp-translation-strategy</c>).
/// </summary>
public enum OtlpTranslationStrategy
{
    /// <summary>Characters outside <c>[a-zA-Z0-9_:]</c> become <c>_</c>; unit and type suffixes (<c>_seconds</c>, <c>_total</c>, <c>_ratio</c>) are added. Prometheus' default.</summary>
    UnderscoreEscapingWithSuffixes,

    /// <summary>Escaped as above, without the suffixes.</summary>
    UnderscoreEscapingWithoutSuffixes,

    /// <summary>Names kept as sent (UTF-8), with the suffixes.</summary>
    NoUTF8EscapingWithSuffixes,

    /// <summary>Names kept as sent, no suffixes.</summary>
    NoTranslation,
}

/// <summary>Parsing and properties of <see cref="OtlpTranslationStrategy"/>.</summary>
public static class OtlpTranslationStrategies
{
    /// <summary>The strategy named <paramref name="name"/> (Prometheus' spelling, case-insensitive), or null.</summary>
    public static OtlpTranslationStrategy? Parse(string name) =>
        Enum.TryParse<OtlpTranslationStrategy>(name.Trim(), ignoreCase: true, out var strategy) && Enum.IsDefined(strategy) && !int.TryParse(name, out _) ? strategy : null;

    public static bool Escapes(this OtlpTranslationStrategy strategy) =>
        strategy is OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes or OtlpTranslationStrategy.UnderscoreEscapingWithoutSuffixes;

    public static bool AddsSuffixes(this OtlpTranslationStrategy strategy) =>
        strategy is OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes or OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes;
}
