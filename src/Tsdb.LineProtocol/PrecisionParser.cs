namespace Tsdb.LineProtocol;

/// <summary>Parses the <c>precision</c> query parameter of the v1, v2 and v3 write APIs.</summary>
public static class PrecisionParser
{
    /// <summary>
    /// Accepts (ASCII case-insensitively) <c>ns n nanosecond us u microsecond ms millisecond s second</c>, and
    /// <c>auto</c> when <paramref name="allowAuto"/>. Null or empty gives <see cref="Precision.Nanosecond"/>;
    /// a caller with another default checks for that itself.
    /// </summary>
    public static bool TryParse(string? text, bool allowAuto, out Precision precision)
    {
        if (string.IsNullOrEmpty(text))
        {
            precision = Precision.Nanosecond;
            return true;
        }
        var span = text.AsSpan();
        if (Is(span, "ns") || Is(span, "n") || Is(span, "nanosecond"))
        {
            precision = Precision.Nanosecond;
            return true;
        }
        if (Is(span, "us") || Is(span, "u") || Is(span, "microsecond"))
        {
            precision = Precision.Microsecond;
            return true;
        }
        if (Is(span, "ms") || Is(span, "millisecond"))
        {
            precision = Precision.Millisecond;
            return true;
        }
        if (Is(span, "s") || Is(span, "second"))
        {
            precision = Precision.Second;
            return true;
        }
        if (allowAuto && Is(span, "auto"))
        {
            precision = Precision.Auto;
            return true;
        }
        precision = default;
        return false;
    }

    private static bool Is(ReadOnlySpan<char> text, string name) => text.Equals(name, StringComparison.OrdinalIgnoreCase);
}
