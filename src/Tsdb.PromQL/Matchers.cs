using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Tsdb.PromQL;

/// <summary>
/// Matcher evaluation. Prometheus regexes are RE2 and fully anchored; .NET's non-backtracking engine is the
/// closest match (linear time, no backreferences or lookaround). Differences are listed in docs/promql.md.
/// </summary>
internal static class Matchers
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The anchored regex for <paramref name="pattern"/>; throws <see cref="ArgumentException"/> when invalid.</summary>
    public static Regex Compile(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        // RE2 spells named groups (?P<name>…); .NET spells them (?<name>…).
        var translated = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        var anchored = "^(?:" + translated + ")\\z";
        Regex regex;
        try
        {
            regex = new Regex(anchored, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            regex = new Regex(anchored, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        }
        if (Cache.Count > 10_000)
        {
            Cache.Clear();
        }
        Cache[pattern] = regex;
        return regex;
    }

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
