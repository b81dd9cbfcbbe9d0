using System.Text;

namespace Tsdb.ObjectStore;

/// <summary>
/// The rules every store applies to keys, and the one order every listing uses.
/// </summary>
/// <remarks>
/// A key is a non-empty, '/'-separated relative path of at most 1024 UTF-8 bytes (S3's limit). Each segment is
/// non-empty and neither "." nor ".."; no backslash, no control character, no unpaired surrogate (it could not be
/// written as UTF-8). A segment that starts with '.' and ends with ".tmp" is reserved: the local store uses that
/// shape for its temporary files and skips it when listing, so such keys are refused everywhere to keep the
/// stores interchangeable.
/// </remarks>
public static class ObjectKey
{
    public const int MaxUtf8Length = 1024;

    /// <summary>Orders keys as S3 lists them: by UTF-8 bytes, which is Unicode code point order.</summary>
    public static IComparer<string> Comparer { get; } = new CodePointComparer();

    /// <exception cref="ArgumentException">the key breaks one of the rules above (the message says which).</exception>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var problem = FindProblem(key);
        if (problem is not null)
        {
            throw new ArgumentException($"invalid object key '{Printable(key)}': {problem}", nameof(key));
        }
    }

    /// <summary>
    /// A listing prefix may be empty and may end inside a segment or with '/'; the whole segments it contains
    /// follow the key rules (so no prefix can reach outside the store).
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }
        var slash = prefix.LastIndexOf('/');
        // The text after the last '/' is a partial segment: only character rules apply to it.
        var problem = prefix[0] == '/' ? "it starts with '/' (keys are relative)"
            : FindCharacterProblem(prefix) ?? (slash < 0 ? null : FindProblem(prefix[..slash]));
        if (problem is not null)
        {
            throw new ArgumentException($"invalid object key prefix '{Printable(prefix)}': {problem}", nameof(prefix));
        }
    }

    /// <summary>Compares keys by Unicode code point (= UTF-8 byte order, S3's listing order).</summary>
    public static int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null)
        {
            return -1;
        }
        if (y is null)
        {
            return 1;
        }
        var common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length - y.Length;
        }
        return CodePointRank(x[common]) - CodePointRank(y[common]);
    }

    /// <summary>Whether a file name has the reserved temporary shape (".name….tmp").</summary>
    internal static bool IsTemporaryName(ReadOnlySpan<char> segment) =>
        segment.Length > 4 && segment[0] == '.' && segment.EndsWith(".tmp", StringComparison.Ordinal);

    // UTF-16 ordinal order differs from code point order only between surrogates (D800–DFFF, which encode
    // code points above FFFF) and E000–FFFF; moving the surrogates above E000–FFFF fixes it (ICU's trick).
    private static int CodePointRank(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;

    private static string? FindProblem(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }
        if (key[0] == '/')
        {
            return "it starts with '/' (keys are relative)";
        }
        var characters = FindCharacterProblem(key);
        if (characters is not null)
        {
            return characters;
        }
        if (Encoding.UTF8.GetByteCount(key) > MaxUtf8Length)
        {
            return $"it is longer than {MaxUtf8Length} UTF-8 bytes";
        }
        foreach (var range in key.AsSpan().Split('/'))
        {
            var segment = key.AsSpan()[range];
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//' or a trailing '/')";
            }
            if (segment is "." or "..")
            {
                return $"it has a '{segment}' segment";
            }
            if (IsTemporaryName(segment))
            {
                return $"segment '{segment}' has the shape reserved for temporary files ('.' … '.tmp')";
            }
        }
        return null;
    }

    private static string? FindCharacterProblem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                return "it contains '\\' (the separator is '/')";
            }
            if (char.IsControl(c))
            {
                return $"it contains the control character U+{(int)c:X4}";
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"it contains an unpaired surrogate U+{(int)c:X4}";
            }
        }
        return null;
    }

    private static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append($"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y) => ObjectKey.Compare(x, y);
    }
}
