using System.Globalization;
using System.Text;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>
/// String functions. Positions and lengths count characters (Unicode scalar values, as Rust's chars in DataFusion),
/// not UTF-16 units; strings without surrogates take the direct path. Over a tag (dictionary) column with constant
/// other arguments each function runs once per dictionary entry (<see cref="Kernel.MapString"/>).
/// </summary>
internal static class StringFunctions
{
    /// <summary>Longest string lpad/rpad/repeat build (DataFusion's limit is i32::MAX; this keeps one row under 512 MB).</summary>
    internal const long MaxResultLength = 1 << 28;

    private static readonly ArgKind[] OneString = [ArgKind.String];
    private static readonly ArgKind[] TwoStrings = [ArgKind.String, ArgKind.String];
    private static readonly ArgKind[] StringAndInteger = [ArgKind.String, ArgKind.Integer];

    public static void Register(List<ScalarFunction> into)
    {
        into.Add(Define.Fixed("upper", "string", OneString, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, _, _) => s.ToUpperInvariant(), Kernel.Strings)));
        into.Add(Define.Fixed("lower", "string", OneString, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, _, _) => s.ToLowerInvariant(), Kernel.Strings)));
        into.Add(Define.Fixed("initcap", "string", OneString, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, _, _) => InitCap(s), Kernel.Strings)));
        into.Add(Define.Fixed("reverse", "string", OneString, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, _, _) => Reverse(s), Kernel.Strings)));
        foreach (var name in (string[])["length", "char_length", "character_length"])
        {
            into.Add(Define.Fixed(name, "string", OneString, ArrowType.Int64, a => Kernel.MapString(a, (s, _, _) => (long)CharLength(s), Kernel.Int64s)));
        }
        into.Add(Define.Fixed("octet_length", "string", OneString, ArrowType.Int64, a => Kernel.MapString(a, (s, _, _) => (long)Encoding.UTF8.GetByteCount(s), Kernel.Int64s)));
        into.Add(Define.Fixed("bit_length", "string", OneString, ArrowType.Int64, a => Kernel.MapString(a, (s, _, _) => 8L * Encoding.UTF8.GetByteCount(s), Kernel.Int64s)));
        into.Add(Define.Fixed("ascii", "string", OneString, ArrowType.Int64, a => Kernel.MapString(a, (s, _, _) => Ascii(s), Kernel.Int64s)));
        into.Add(Define.Fixed("chr", "code point", [ArgKind.Integer], ArrowType.Utf8, a => Kernel.Map<string?>(a, (r, i) => Chr(r[0].Long(i)), Kernel.Strings)));
        into.Add(Define.Fixed("to_hex", "integer", [ArgKind.Integer], ArrowType.Utf8, ToHex));
        foreach (var name in (string[])["substr", "substring"])
        {
            into.Add(Define.Function(name, "string, start[, length]", 2, 3, [ArgKind.String, ArgKind.Integer, ArgKind.Integer], _ => ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) =>
                Substring(s, r[1].Long(i), r.Length > 2 ? r[2].Long(i) : null), Kernel.Strings)));
        }
        into.Add(Define.Fixed("left", "string, n", StringAndInteger, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) => Left(s, r[1].Long(i)), Kernel.Strings)));
        into.Add(Define.Fixed("right", "string, n", StringAndInteger, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) => Right(s, r[1].Long(i)), Kernel.Strings)));
        into.Add(Define.Function("lpad", "string, length[, fill]", 2, 3, [ArgKind.String, ArgKind.Integer, ArgKind.String], _ => ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) =>
            Pad("lpad", s, r[1].Long(i), r.Length > 2 ? r[2].String(i) : " ", left: true), Kernel.Strings)));
        into.Add(Define.Function("rpad", "string, length[, fill]", 2, 3, [ArgKind.String, ArgKind.Integer, ArgKind.String], _ => ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) =>
            Pad("rpad", s, r[1].Long(i), r.Length > 2 ? r[2].String(i) : " ", left: false), Kernel.Strings)));
        into.Add(Define.Fixed("repeat", "string, n", StringAndInteger, ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) => Repeat(s, r[1].Long(i)), Kernel.Strings)));
        foreach (var (name, side) in (ReadOnlySpan<(string, int)>)[("btrim", 0), ("trim", 0), ("ltrim", -1), ("rtrim", 1)])
        {
            var trimSide = side;
            into.Add(Define.Function(name, "string[, characters]", 1, 2, TwoStrings, _ => ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) =>
                Trim(s, r.Length > 1 ? r[1].String(i) : " ", trimSide), Kernel.Strings)));
        }
        into.Add(Define.Fixed("starts_with", "string, prefix", TwoStrings, ArrowType.Boolean, a => Kernel.MapString(a, (s, r, i) => s.StartsWith(r[1].String(i), StringComparison.Ordinal), Kernel.Bools)));
        into.Add(Define.Fixed("ends_with", "string, suffix", TwoStrings, ArrowType.Boolean, a => Kernel.MapString(a, (s, r, i) => s.EndsWith(r[1].String(i), StringComparison.Ordinal), Kernel.Bools)));
        foreach (var name in (string[])["strpos", "instr"])
        {
            into.Add(Define.Fixed(name, "string, substring", TwoStrings, ArrowType.Int64, a => Kernel.MapString(a, (s, r, i) => Position(s, r[1].String(i)), Kernel.Int64s)));
        }
        into.Add(Define.Fixed("replace", "string, from, to", [ArgKind.String, ArgKind.String, ArgKind.String], ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) =>
            Replace(s, r[1].String(i), r[2].String(i)), Kernel.Strings)));
        into.Add(Define.Fixed("split_part", "string, delimiter, n", [ArgKind.String, ArgKind.String, ArgKind.Integer], ArrowType.Utf8, a => Kernel.MapString<string?>(a, (s, r, i) =>
            SplitPart(s, r[1].String(i), r[2].Long(i)), Kernel.Strings)));
        into.Add(Define.Function("concat", "value, ...", 1, int.MaxValue, [ArgKind.Any], _ => ArrowType.Utf8, Concat));
        into.Add(Define.Function("concat_ws", "separator, value, ...", 2, int.MaxValue, [ArgKind.String, ArgKind.Any], _ => ArrowType.Utf8, ConcatWs));
    }

    private static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>Characters (Unicode scalar values) in <paramref name="s"/>.</summary>
    internal static int CharLength(string s)
    {
        if (!HasSurrogates(s))
        {
            return s.Length;
        }
        var count = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>The UTF-16 offset of character position <paramref name="k"/> (0-based), clamped to the string.</summary>
    internal static int Offset(string s, long k)
    {
        if (k <= 0)
        {
            return 0;
        }
        if (!HasSurrogates(s))
        {
            return (int)Math.Min(k, s.Length);
        }
        var pos = 0;
        for (var count = 0L; pos < s.Length && count < k; count++)
        {
            pos += char.IsHighSurrogate(s[pos]) && pos + 1 < s.Length && char.IsLowSurrogate(s[pos + 1]) ? 2 : 1;
        }
        return pos;
    }

    /// <summary>Characters [<paramref name="from"/>, <paramref name="to"/>) (0-based, clamped).</summary>
    private static string Slice(string s, long from, long to)
    {
        var lo = Offset(s, from);
        var hi = Offset(s, to);
        return hi <= lo ? "" : s[lo..hi];
    }

    /// <summary>SQL substr: from 1-based <paramref name="start"/> for <paramref name="count"/> characters; positions before 1 count too.</summary>
    private static string Substring(string s, long start, long? count)
    {
        var from = start - 1;
        var to = count is not { } c ? long.MaxValue : c <= 0 ? from : c > long.MaxValue - start ? long.MaxValue : from + c;
        return Slice(s, Math.Max(from, 0), to);
    }

    /// <summary>The first n characters; for negative n, all but the last |n|.</summary>
    private static string Left(string s, long n) => n >= 0 ? Slice(s, 0, n) : Slice(s, 0, CharLength(s) + Math.Max(n, int.MinValue));

    /// <summary>The last n characters; for negative n, all but the first |n|.</summary>
    private static string Right(string s, long n)
    {
        var length = CharLength(s);
        return n >= 0 ? Slice(s, length - Math.Min(n, length), length) : Slice(s, n == long.MinValue ? long.MaxValue : -n, length);
    }

    private static string InitCap(string s)
    {
        // DataFusion: upper-case the first letter of each word, lower-case the rest; words are runs of letters and digits.
        var result = new StringBuilder(s.Length);
        var inWord = false;
        foreach (var c in s)
        {
            result.Append(inWord ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            inWord = char.IsLetterOrDigit(c);
        }
        return result.ToString();
    }

    private static string Reverse(string s)
    {
        if (!HasSurrogates(s))
        {
            return string.Create(s.Length, s, static (span, source) =>
            {
                source.AsSpan().CopyTo(span);
                span.Reverse();
            });
        }
        var runes = new List<Rune>(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            runes.Add(r);
        }
        var result = new StringBuilder(s.Length);
        for (var i = runes.Count - 1; i >= 0; i--)
        {
            result.Append(runes[i].ToString());
        }
        return result.ToString();
    }

    /// <summary>The two's complement bits of an integer in hex, in its own width (to_hex(-1) of an int32 is ffffffff).</summary>
    private static ColumnarValue ToHex(FunctionArguments a)
    {
        var type = a.Types[0];
        if (type.Id == ArrowTypeId.UInt64)
        {
            return Kernel.Map<string?>(a, (r, i) => r[0].ULong(i).ToString("x", CultureInfo.InvariantCulture), Kernel.Strings);
        }
        var mask = type.IsInteger && type.BitWidth < 64 ? (1UL << type.BitWidth) - 1 : ulong.MaxValue;
        return Kernel.Map<string?>(a, (r, i) => (unchecked((ulong)r[0].Long(i)) & mask).ToString("x", CultureInfo.InvariantCulture), Kernel.Strings);
    }

    /// <summary>The code point of the first character, 0 for "".</summary>
    private static long Ascii(string s)
    {
        if (s.Length == 0)
        {
            return 0;
        }
        Rune.DecodeFromUtf16(s, out var rune, out _);
        return rune.Value;
    }

    private static string Chr(long code)
    {
        // DataFusion's messages.
        if (code == 0)
        {
            throw new FunctionException("chr: null character not permitted", 0);
        }
        return code is > 0 and <= 0x10FFFF && Rune.IsValid((int)code)
            ? new Rune((int)code).ToString()
            : throw new FunctionException($"chr: requested character {code} too large for encoding", 0);
    }

    private static string Repeat(string s, long n)
    {
        if (n <= 0 || s.Length == 0)
        {
            return "";
        }
        if (n > MaxResultLength / s.Length)
        {
            throw new FunctionException($"repeat: the result would be longer than {MaxResultLength} characters", 1);
        }
        return new StringBuilder(s.Length * (int)n).Insert(0, s, (int)n).ToString();
    }

    /// <summary>
    /// DataFusion's lpad/rpad: a string longer than <paramref name="length"/> is cut to its first characters (both
    /// sides); a shorter one is padded with <paramref name="fill"/> repeated, unless the fill is empty.
    /// </summary>
    private static string Pad(string function, string s, long length, string fill, bool left)
    {
        if (length > MaxResultLength)
        {
            throw new FunctionException($"{function}: requested length {length} is too large (at most {MaxResultLength})", 1);
        }
        if (length <= 0)
        {
            return "";
        }
        var current = CharLength(s);
        if (length <= current)
        {
            return Slice(s, 0, length);
        }
        if (fill.Length == 0)
        {
            return s;
        }
        var missing = length - current;
        var pad = new StringBuilder();
        var fillLength = CharLength(fill);
        for (var whole = missing / fillLength; whole > 0; whole--)
        {
            pad.Append(fill);
        }
        pad.Append(Slice(fill, 0, missing % fillLength));
        return left ? pad.Append(s).ToString() : s + pad.ToString();
    }

    /// <summary>Trims any of <paramref name="characters"/> from the start (side -1), the end (1) or both (0). DataFusion trims spaces only by default.</summary>
    private static string Trim(string s, string characters, int side) => side switch
    {
        < 0 => s.AsSpan().TrimStart(characters).ToString(),
        > 0 => s.AsSpan().TrimEnd(characters).ToString(),
        _ => s.AsSpan().Trim(characters).ToString(),
    };

    /// <summary>1-based character position of the first <paramref name="sub"/>, 0 when absent.</summary>
    private static long Position(string s, string sub)
    {
        var index = s.IndexOf(sub, StringComparison.Ordinal);
        return index < 0 ? 0 : CharLength(s[..index]) + 1;
    }

    private static string Replace(string s, string from, string to)
    {
        if (from.Length > 0)
        {
            return s.Replace(from, to, StringComparison.Ordinal);
        }
        // As Rust's str::replace with an empty pattern (DataFusion): `to` before every character and at the end.
        var result = new StringBuilder(s.Length + ((s.Length + 1) * to.Length));
        result.Append(to);
        foreach (var rune in s.EnumerateRunes())
        {
            result.Append(rune.ToString()).Append(to);
        }
        return result.ToString();
    }

    /// <summary>Field <paramref name="n"/> (1-based; negative counts from the end) of <paramref name="s"/> split on the delimiter; "" past the end.</summary>
    private static string SplitPart(string s, string delimiter, long n)
    {
        if (n == 0)
        {
            throw new FunctionException("split_part: field position must not be zero", 2);
        }
        if (delimiter.Length == 0)
        {
            // PostgreSQL (and DataFusion): an empty delimiter leaves the whole string as the only field.
            return n is 1 or -1 ? s : "";
        }
        var parts = s.Split(delimiter, StringSplitOptions.None);
        var index = n > 0 ? n - 1 : parts.Length + n;
        return index >= 0 && index < parts.Length ? parts[index] : "";
    }

    /// <summary>DataFusion's concat: NULL arguments are skipped (all NULL gives ""); numbers and times as text.</summary>
    private static ColumnarValue Concat(FunctionArguments a)
    {
        var scalar = Kernel.AllScalar(a);
        var n = scalar ? 1 : a.RowCount;
        var r = Kernel.Read(a);
        var values = new string?[n];
        var valid = new bool[n];
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            sb.Clear();
            foreach (var arg in r)
            {
                if (!arg.IsNull(i))
                {
                    sb.Append(arg.Text(i));
                }
            }
            values[i] = sb.ToString();
            valid[i] = true;
        }
        return Kernel.Finish(Kernel.Strings(values, valid), scalar);
    }

    /// <summary>concat_ws: the non-NULL values joined by the separator; NULL when the separator is.</summary>
    private static ColumnarValue ConcatWs(FunctionArguments a)
    {
        var scalar = Kernel.AllScalar(a);
        var n = scalar ? 1 : a.RowCount;
        var r = Kernel.Read(a);
        var values = new string?[n];
        var valid = new bool[n];
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            if (r[0].IsNull(i))
            {
                continue;
            }
            var separator = r[0].String(i);
            sb.Clear();
            var first = true;
            for (var k = 1; k < r.Length; k++)
            {
                if (!r[k].IsNull(i))
                {
                    if (!first)
                    {
                        sb.Append(separator);
                    }
                    sb.Append(r[k].Text(i));
                    first = false;
                }
            }
            values[i] = sb.ToString();
            valid[i] = true;
        }
        return Kernel.Finish(Kernel.Strings(values, valid), scalar);
    }
}
