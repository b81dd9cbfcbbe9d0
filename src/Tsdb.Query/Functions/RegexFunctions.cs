using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>
/// regexp_like, regexp_replace and regexp_count with DataFusion's arguments. The pattern and the flags must be
/// constants (compiled once, and kept for the next batch); flags are i (case-insensitive), m (multi-line),
/// s (. matches newline), x (verbose) and, for regexp_replace only, g (every match, not just the first).
/// </summary>
internal static class RegexFunctions
{
    private const int CacheLimit = 256;

    /// <summary>A bound on one match: .NET's engine backtracks (Rust's does not), so a pathological pattern fails instead of hanging a query.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<(string Pattern, RegexOptions Options), Regex> Compiled = new();

    public static void Register(List<ScalarFunction> into)
    {
        into.Add(Define.Function("regexp_like", "string, pattern[, flags]", 2, 3, [ArgKind.String], _ => ArrowType.Boolean, Like));
        into.Add(Define.Function("regexp_replace", "string, pattern, replacement[, flags]", 3, 4, [ArgKind.String], _ => ArrowType.Utf8, Replace));
        into.Add(Define.Function("regexp_count", "string, pattern[, start[, flags]]", 2, 4, [ArgKind.String, ArgKind.String, ArgKind.Integer, ArgKind.String], _ => ArrowType.Int64, Count));
    }

    private static ColumnarValue Like(FunctionArguments a)
    {
        if (Compile(a, "regexp_like", 1, 2, allowGlobal: false, out _) is not { } regex)
        {
            return Kernel.Nulls(a, ArrowType.Boolean);
        }
        return Guard("regexp_like", regex, () => Kernel.MapString(a, (s, _, _) => regex.IsMatch(s), Kernel.Bools));
    }

    private static ColumnarValue Replace(FunctionArguments a)
    {
        if (Compile(a, "regexp_replace", 1, 3, allowGlobal: true, out var global) is not { } regex)
        {
            return Kernel.Nulls(a, ArrowType.Utf8);
        }
        var count = global ? -1 : 1;
        if (a[2].IsScalar)
        {
            if (a[2].Scalar is not string replacement)
            {
                return Kernel.Nulls(a, ArrowType.Utf8);
            }
            var template = new Replacement(regex, replacement);
            MatchEvaluator expand = template.Expand;
            return Guard("regexp_replace", regex, () => Kernel.MapString<string?>(a, (s, _, _) => regex.Replace(s, expand, count), Kernel.Strings));
        }
        // A replacement per row: each distinct text in a run is parsed once.
        Replacement? last = null;
        return Guard("regexp_replace", regex, () => Kernel.MapString<string?>(a, (s, r, i) =>
        {
            var text = r[2].String(i);
            if (last is null || !string.Equals(last.Text, text, StringComparison.Ordinal))
            {
                last = new Replacement(regex, text);
            }
            return regex.Replace(s, last.Expand, count);
        }, Kernel.Strings));
    }

    /// <summary>regexp_count: non-overlapping matches from the 1-based character <c>start</c> on.</summary>
    private static ColumnarValue Count(FunctionArguments a)
    {
        if (Compile(a, "regexp_count", 1, 3, allowGlobal: false, out _) is not { } regex)
        {
            return Kernel.Nulls(a, ArrowType.Int64);
        }
        var hasStart = a.Count > 2;
        return Guard("regexp_count", regex, () => Kernel.MapString(a, (s, r, i) =>
        {
            var start = hasStart ? r[2].Long(i) : 1;
            if (start < 1)
            {
                throw new FunctionException($"regexp_count: start must be 1 or more (it is 1-based), got {start}", 2);
            }
            return (long)regex.Count(s.AsSpan(StringFunctions.Offset(s, start - 1)));
        }, Kernel.Int64s));
    }

    private static ColumnarValue Guard(string function, Regex regex, Func<ColumnarValue> run)
    {
        try
        {
            return run();
        }
        catch (RegexMatchTimeoutException)
        {
            throw new FunctionException($"{function}: the regular expression '{regex}' took too long to match", 1);
        }
    }

    /// <summary>The compiled pattern, or null when the pattern or the flags are NULL.</summary>
    private static Regex? Compile(FunctionArguments a, string function, int patternIndex, int flagsIndex, bool allowGlobal, out bool global)
    {
        global = false;
        if (!a[patternIndex].IsScalar)
        {
            throw new FunctionException($"the pattern of {function} must be a constant, not a column", patternIndex);
        }
        var options = RegexOptions.CultureInvariant;
        if (flagsIndex < a.Count)
        {
            if (!a[flagsIndex].IsScalar)
            {
                throw new FunctionException($"the flags of {function} must be a constant, not a column", flagsIndex);
            }
            if (a[flagsIndex].Scalar is not string flags)
            {
                return null;
            }
            foreach (var c in flags)
            {
                options |= c switch
                {
                    'i' => RegexOptions.IgnoreCase,
                    'm' => RegexOptions.Multiline,
                    's' => RegexOptions.Singleline,
                    'x' => RegexOptions.IgnorePatternWhitespace,
                    'g' when allowGlobal => RegexOptions.None,
                    'g' => throw new FunctionException($"{function} does not support the global flag 'g'", flagsIndex),
                    _ => throw new FunctionException($"{function}: unsupported regular expression flag '{c}'", flagsIndex),
                };
                global |= c == 'g';
            }
        }
        if (a[patternIndex].Scalar is not string pattern)
        {
            return null;
        }
        if (Compiled.TryGetValue((pattern, options), out var regex))
        {
            return regex;
        }
        try
        {
            regex = new Regex(RustNamedGroups(pattern), options, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new FunctionException($"invalid regular expression '{pattern}': {e.Message}", patternIndex);
        }
        if (Compiled.Count >= CacheLimit)
        {
            Compiled.Clear();
        }
        Compiled.TryAdd((pattern, options), regex);
        return regex;
    }

    /// <summary>Rust's <c>(?P&lt;name&gt;…)</c> as .NET spells it, <c>(?&lt;name&gt;…)</c> (both accept the latter).</summary>
    private static string RustNamedGroups(string pattern)
    {
        var at = pattern.IndexOf("(?P<", StringComparison.Ordinal);
        if (at < 0)
        {
            return pattern;
        }
        var result = new StringBuilder(pattern.Length);
        var escaped = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (!escaped && c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                result.Append("(?<");
                i += 3;
                continue;
            }
            escaped = !escaped && c == '\\';
            result.Append(c);
        }
        return result.ToString();
    }

    /// <summary>
    /// A replacement text as DataFusion reads it: <c>\1</c> is group 1 (PostgreSQL style, rewritten to <c>${1}</c>),
    /// then Rust's syntax: <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c>, <c>$$</c> for a dollar; a group that
    /// does not exist expands to nothing. (.NET's own syntax differs: <c>$1a</c> there is group 1 then "a".)
    /// </summary>
    private sealed class Replacement
    {
        private readonly List<(string? Literal, int Group)> _parts = [];

        public Replacement(Regex regex, string text)
        {
            Text = text;
            var literal = new StringBuilder();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
                {
                    var end = i + 1;
                    while (end < text.Length && char.IsAsciiDigit(text[end]))
                    {
                        end++;
                    }
                    AddGroup(literal, regex, text[(i + 1)..end]);
                    i = end;
                    continue;
                }
                if (c == '$' && i + 1 < text.Length)
                {
                    if (text[i + 1] == '$')
                    {
                        literal.Append('$');
                        i += 2;
                        continue;
                    }
                    if (text[i + 1] == '{')
                    {
                        var close = text.IndexOf('}', i + 2);
                        if (close > i + 2)
                        {
                            AddGroup(literal, regex, text[(i + 2)..close]);
                            i = close + 1;
                            continue;
                        }
                    }
                    else
                    {
                        var end = i + 1;
                        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
                        {
                            end++;
                        }
                        if (end > i + 1)
                        {
                            AddGroup(literal, regex, text[(i + 1)..end]);
                            i = end;
                            continue;
                        }
                    }
                }
                literal.Append(c);
                i++;
            }
            if (literal.Length > 0)
            {
                _parts.Add((literal.ToString(), -1));
            }
        }

        public string Text { get; }

        private void AddGroup(StringBuilder literal, Regex regex, string name)
        {
            if (literal.Length > 0)
            {
                _parts.Add((literal.ToString(), -1));
                literal.Clear();
            }
            var group = int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : regex.GroupNumberFromName(name);
            // A group the pattern does not have expands to "" (int.MaxValue is never a group number).
            _parts.Add((null, group < 0 ? int.MaxValue : group));
        }

        public string Expand(Match match)
        {
            if (_parts.Count == 1 && _parts[0].Literal is { } only)
            {
                return only;
            }
            var result = new StringBuilder();
            foreach (var (literal, group) in _parts)
            {
                if (literal is not null)
                {
                    result.Append(literal);
                }
                else if (group < match.Groups.Count)
                {
                    result.Append(match.Groups[group].ValueSpan);
                }
            }
            return result.ToString();
        }
    }
}
