namespace Tsdb.PromQL.Engine;

/// <summary>
/// Natural string order, as sort_by_label uses it: runs of digits compare as numbers ("cpu2" before "cpu10",
/// "1.2.3" before "1.11.3"), everything else ordinally. Strings equal in that order fall back to ordinal, so the
/// order is total.
/// </summary>
internal static class NaturalOrder
{
    public static int Compare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var aDigits = char.IsAsciiDigit(a[i]);
            var bDigits = char.IsAsciiDigit(b[j]);
            var aEnd = RunEnd(a, i, aDigits);
            var bEnd = RunEnd(b, j, bDigits);
            var c = aDigits && bDigits
                ? CompareNumbers(a.AsSpan(i, aEnd - i), b.AsSpan(j, bEnd - j))
                : a.AsSpan(i, aEnd - i).SequenceCompareTo(b.AsSpan(j, bEnd - j));
            if (c != 0)
            {
                return c;
            }
            i = aEnd;
            j = bEnd;
        }
        if (i < a.Length || j < b.Length)
        {
            // One is a prefix (run by run) of the other: the shorter first.
            return i < a.Length ? 1 : -1;
        }
        return string.CompareOrdinal(a, b);
    }

    private static int RunEnd(string s, int start, bool digits)
    {
        var end = start;
        while (end < s.Length && char.IsAsciiDigit(s[end]) == digits)
        {
            end++;
        }
        return end;
    }

    /// <summary>Digit runs of any length by value: leading zeros dropped, then the longer is larger, then digit by digit.</summary>
    private static int CompareNumbers(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
    }
}
