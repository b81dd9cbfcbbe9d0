using System.Text.RegularExpressions;
using Tsdb.PromQL;
using MatchType = Tsdb.PromQL.MatchType;

namespace Tsdb.Prometheus;

/// <summary>
/// A label matcher ready to test values. Regexes are anchored at both ends and '.' matches newlines, as in Prometheus
/// (<c>^(?s:re)$</c>, with \z for the end so a trailing newline is not skipped); .NET's engine stands in for RE2 (the syntax Prometheus users write is common to both).
/// </summary>
internal sealed class CompiledMatcher
{
    private readonly Regex? _regex;

    public CompiledMatcher(LabelMatcher matcher)
    {
        Matcher = matcher;
        if (matcher.Type is MatchType.RegexMatch or MatchType.RegexNoMatch)
        {
            // Checked as written before it is wrapped: the wrapper would word the error in its own terms, or accept a
            // pattern such as "a)|(b" that closes its group and matches unanchored. Matchers from the parser were
            // checked there already; this covers any other caller.
            if (PromQLEngine.DescribeRegexError(matcher.Value) is { } error)
            {
                throw new PromQLException(PromQLErrorType.BadData, $"invalid regular expression in matcher {matcher.Name}{Operator(matcher.Type)}\"{matcher.Value}\": {error}");
            }
            _regex = new Regex("^(?:" + matcher.Value + @")\z", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        }
    }

    public LabelMatcher Matcher { get; }

    public string Name => Matcher.Name;

    /// <summary>An equality matcher with a non-empty value: the label must be present with exactly that value.</summary>
    public bool IsRequiredEquality => Matcher.Type == MatchType.Equal && Matcher.Value.Length > 0;

    public bool Matches(string value) => Matcher.Type switch
    {
        MatchType.Equal => value == Matcher.Value,
        MatchType.NotEqual => value != Matcher.Value,
        MatchType.RegexMatch => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

    public static bool MatchesAll(IReadOnlyList<CompiledMatcher> matchers, Labels labels)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels.Get(m.Name)))
            {
                return false;
            }
        }
        return true;
    }

    private static string Operator(MatchType type) => type switch
    {
        MatchType.Equal => "=",
        MatchType.NotEqual => "!=",
        MatchType.RegexMatch => "=~",
        _ => "!~",
    };
}
