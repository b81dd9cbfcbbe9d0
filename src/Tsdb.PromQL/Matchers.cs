using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Tsdb.PromQL;

/// <summary>
/// Matcher evaluation. Prometheus regexes are RE2 and fully anchored; .NET's non-backtracking engine is the
/// closest match (linear time, no backreferences or lookaround). Differences are listed in docs/promql.md.
/// </summary>
internal static class Matchers
{
    private const string NamedGroupRe2 = "(?P<";
    private const string NamedGroupNet = "(?<";

    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The anchored regex for <paramref name="pattern"/>; throws <see cref="ArgumentException"/> whose message
    /// describes the error in terms of the pattern as written (see <see cref="Describe"/>).
    /// </summary>
    public static Regex Compile(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        // Checked on its own first: wrapped in the anchors, a broken pattern can fail for the wrapper's sake ("[a-"
        // takes ")\z" into its set) or not fail at all ("a)|(b" closes the wrapper's group, leaving the match unanchored).
        if (Describe(pattern) is { } error)
        {
            throw new ArgumentException(error);
        }
        var anchored = "^(?:" + Translate(pattern) + ")\\z";
        Regex regex;
        try
        {
            regex = new Regex(anchored, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            regex = new Regex(anchored, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        }
        catch (RegexParseException e)
        {
            // Valid alone, invalid anchored: only .NET's inline options do that (a "(?x)" pattern ending in a '#'
            // comment swallows the closing anchor). The offset is the wrapper's, so it is left out.
            throw new ArgumentException(Wording(e.Error), e);
        }
        if (Cache.Count > 10_000)
        {
            Cache.Clear();
        }
        Cache[pattern] = regex;
        return regex;
    }

    /// <summary>
    /// What is wrong with <paramref name="pattern"/>, in RE2's words where it has them and with the offset in the
    /// pattern as the user wrote it, or null when it is a valid regex.
    /// </summary>
    public static string? Describe(string pattern)
    {
        // Storage checks every regex matcher of every query again; the parser has usually compiled it already.
        if (Cache.ContainsKey(pattern))
        {
            return null;
        }
        try
        {
            // The default engine parses everything (the non-backtracking one refuses some valid syntax); parse
            // errors do not depend on the engine.
            _ = new Regex(Translate(pattern), RegexOptions.CultureInvariant);
            return null;
        }
        catch (RegexParseException e)
        {
            return $"{Wording(e.Error)} at offset {OriginalOffset(pattern, e.Offset)}";
        }
    }

    /// <summary>RE2 spells named groups (?P&lt;name&gt;…); .NET spells them (?&lt;name&gt;…).</summary>
    private static string Translate(string pattern) => pattern.Replace(NamedGroupRe2, NamedGroupNet, StringComparison.Ordinal);

    /// <summary>Maps an offset in the translated pattern back to <paramref name="pattern"/>: each (?P&lt; before it is one character longer there.</summary>
    private static int OriginalOffset(string pattern, int translatedOffset)
    {
        var offset = translatedOffset;
        var removed = 0;
        for (var i = pattern.IndexOf(NamedGroupRe2, StringComparison.Ordinal); i >= 0; i = pattern.IndexOf(NamedGroupRe2, i + NamedGroupRe2.Length, StringComparison.Ordinal))
        {
            if (i - removed >= translatedOffset)
            {
                break;
            }
            removed++;
            offset++;
        }
        return Math.Clamp(offset, 0, pattern.Length);
    }

    /// <summary>Go's regexp/syntax wording for the error, so messages read as Prometheus users know them.</summary>
    private static string Wording(RegexParseError error) => error switch
    {
        RegexParseError.UnterminatedBracket => "missing closing ]",
        RegexParseError.InsufficientClosingParentheses => "missing closing )",
        RegexParseError.InsufficientOpeningParentheses => "unexpected )",
        RegexParseError.UnescapedEndingBackslash => "trailing backslash at end of expression",
        RegexParseError.QuantifierAfterNothing => "missing argument to repetition operator",
        RegexParseError.NestedQuantifiersNotParenthesized => "invalid nested repetition operator",
        RegexParseError.ReversedCharacterRange or RegexParseError.ShorthandClassInCharacterRange => "invalid character class range",
        RegexParseError.ReversedQuantifierRange or RegexParseError.QuantifierOrCaptureGroupOutOfRange => "invalid repeat count",
        RegexParseError.InvalidUnicodePropertyEscape or RegexParseError.MalformedUnicodePropertyEscape
            or RegexParseError.UnrecognizedUnicodeProperty => "invalid character class",
        RegexParseError.UnrecognizedEscape or RegexParseError.UnrecognizedControlCharacter or RegexParseError.MissingControlCharacter
            or RegexParseError.InsufficientOrInvalidHexDigits or RegexParseError.UndefinedNamedReference
            or RegexParseError.UndefinedNumberedReference or RegexParseError.MalformedNamedReference => "invalid escape sequence",
        RegexParseError.CaptureGroupNameInvalid or RegexParseError.CaptureGroupOfZero => "invalid named capture",
        _ => "invalid or unsupported Perl syntax",
    };

    public static bool Matches(LabelMatcher matcher, string value) => matcher.Type switch
    {
        MatchType.Equal => value == matcher.Value,
        MatchType.NotEqual => value != matcher.Value,
        MatchType.RegexMatch => Compile(matcher.Value).IsMatch(value),
        _ => !Compile(matcher.Value).IsMatch(value),
    };

    public static bool MatchesEmpty(LabelMatcher matcher) => Matches(matcher, "");

    public static bool Matches(IReadOnlyList<LabelMatcher> matchers, Labels labels)
    {
        foreach (var matcher in matchers)
        {
            if (!Matches(matcher, labels.Get(matcher.Name)))
            {
                return false;
            }
        }
        return true;
    }
}
