using System.Buffers;
using System.Runtime.CompilerServices;

namespace Tsdb.LineProtocol;

/// <summary>
/// Parses the bytes of one line (no line break) into a <see cref="ParsedLine"/>. Returns null on success, or one
/// of the <see cref="Messages"/> with the absolute position of the offending byte. Allocates nothing.
/// </summary>
internal static class LineParser
{
    private static readonly SearchValues<byte> MeasurementStops = SearchValues.Create(", \\"u8);
    private static readonly SearchValues<byte> KeyStops = SearchValues.Create("=, \\"u8);
    private static readonly SearchValues<byte> TagValueStops = SearchValues.Create(", \\"u8);
    private static readonly SearchValues<byte> FieldValueStops = SearchValues.Create(", "u8);
    private static readonly SearchValues<byte> StringStops = SearchValues.Create("\"\\"u8);

    // Keys in a line past which the 64-bit filter is mostly set and a hash table (ParsedLine.WideKeys) takes over.
    private const int WideLine = 32;

    /// <param name="input">The whole input; ranges stored in <paramref name="line"/> are positions in it.</param>
    /// <param name="lineStart">Where the line starts (its first byte, leading blanks included).</param>
    /// <param name="start">The first byte after leading spaces and tabs.</param>
    /// <param name="end">One past the last byte of the line, line break and trailing CR excluded.</param>
    public static string? Parse(ReadOnlySpan<byte> input, int lineNumber, int lineStart, int start, int end, ParsedLine line, out int errorPosition)
    {
        var s = input[..end];
        line.Reset(lineNumber, new TextRange(lineStart, end - lineStart, false));
        var anyEscapes = false;

        // Measurement.
        var p = Scan(s, start, MeasurementStops, out var escaped);
        if (p == start)
        {
            errorPosition = start;
            return Messages.MissingMeasurement;
        }
        line.SetMeasurement(new TextRange(start, p - start, escaped));
        anyEscapes |= escaped;

        // Tag set: the measurement or a tag value stops at ',', ' ' or the end.
        var wide = false;
        ulong tagBloom = 0;
        var tagEscapes = false;
        while (p < end && s[p] == (byte)',')
        {
            var keyStart = p + 1;
            var keyEnd = Scan(s, keyStart, KeyStops, out var keyEscaped);
            if (keyEnd == keyStart)
            {
                errorPosition = keyStart;
                return Messages.MissingTagKey;
            }
            if (keyEnd == end || s[keyEnd] != (byte)'=')
            {
                errorPosition = keyEnd;
                return Messages.ExpectedTagEquals;
            }
            var valueStart = keyEnd + 1;
            var valueEnd = Scan(s, valueStart, TagValueStops, out var valueEscaped);
            if (valueEnd == valueStart)
            {
                errorPosition = valueStart;
                return Messages.MissingTagValue;
            }
            var key = new TextRange(keyStart, keyEnd - keyStart, keyEscaped);
            bool duplicate;
            if (line.TagCount >= WideLine)
            {
                if (!wide)
                {
                    StartKeyTable(input, line);
                    wide = true;
                }
                duplicate = line.WideKeys.FindOrAdd(input, line, key, line.TagCount + 1) != 0;
            }
            else
            {
                var bit = KeyBit(s, key);
                duplicate = (keyEscaped || tagEscapes || (tagBloom & bit) != 0) && IndexOfKey(input, line.TagKeys, key) >= 0;
                tagBloom |= bit;
                tagEscapes |= keyEscaped;
            }
            if (duplicate)
            {
                errorPosition = keyStart;
                return Messages.DuplicateTagKey;
            }
            anyEscapes |= keyEscaped | valueEscaped;
            line.AddTag(key, new TextRange(valueStart, valueEnd - valueStart, valueEscaped));
            p = valueEnd;
        }

        // Field set, after one or more spaces.
        p = SkipSpaces(s, p);
        if (p == end)
        {
            errorPosition = end;
            return Messages.MissingFields;
        }
        ulong fieldBloom = 0;
        var fieldEscapes = false;
        while (true)
        {
            var keyStart = p;
            var keyEnd = Scan(s, keyStart, KeyStops, out var keyEscaped);
            if (keyEnd == keyStart)
            {
                errorPosition = keyStart;
                return Messages.MissingFieldKey;
            }
            if (keyEnd == end || s[keyEnd] != (byte)'=')
            {
                errorPosition = keyEnd;
                return Messages.ExpectedFieldEquals;
            }
            var valueStart = keyEnd + 1;
            if (valueStart == end)
            {
                errorPosition = valueStart;
                return Messages.MissingFieldValue;
            }

            FieldKind kind;
            long bits;
            TextRange stringValue = default;
            int valueEnd;
            if (s[valueStart] == (byte)'"')
            {
                var close = ScanString(s, valueStart + 1, out var stringEscaped);
                if (close < 0)
                {
                    errorPosition = valueStart;
                    return Messages.UnterminatedString;
                }
                kind = FieldKind.String;
                bits = 0;
                stringValue = new TextRange(valueStart + 1, close - valueStart - 1, stringEscaped);
                anyEscapes |= stringEscaped;
                valueEnd = close + 1;
                if (valueEnd < end && s[valueEnd] != (byte)',' && s[valueEnd] != (byte)' ')
                {
                    errorPosition = valueEnd;
                    return Messages.ExpectedAfterString;
                }
            }
            else
            {
                var stop = s[valueStart..].IndexOfAny(FieldValueStops);
                valueEnd = stop < 0 ? end : valueStart + stop;
                if (valueEnd == valueStart)
                {
                    errorPosition = valueStart;
                    return Messages.MissingFieldValue;
                }
                var message = ParseValue(s[valueStart..valueEnd], out kind, out bits);
                if (message is not null)
                {
                    errorPosition = valueStart;
                    return message;
                }
            }

            var key = new TextRange(keyStart, keyEnd - keyStart, keyEscaped);
            bool repeated, isTag;
            if (line.TagCount + line.FieldCount >= WideLine)
            {
                if (!wide)
                {
                    StartKeyTable(input, line);
                    wide = true;
                }
                var found = line.WideKeys.FindOrAdd(input, line, key, -(line.FieldCount + 1));
                repeated = found < 0;
                isTag = found > 0;
            }
            else
            {
                var bit = KeyBit(s, key);
                repeated = (keyEscaped || fieldEscapes || (fieldBloom & bit) != 0) && IndexOfField(input, line.Fields, key) >= 0;
                isTag = !repeated && (keyEscaped || tagEscapes || (tagBloom & bit) != 0) && IndexOfKey(input, line.TagKeys, key) >= 0;
                fieldBloom |= bit;
                fieldEscapes |= keyEscaped;
            }
            // A repeated field would give one cell two values; InfluxDB 3 refuses the line rather than pick one.
            if (repeated)
            {
                errorPosition = keyStart;
                return Messages.RepeatedField(LineProtocolText.GetString(input, key, EscapeContext.FieldKey));
            }
            if (isTag)
            {
                errorPosition = keyStart;
                return Messages.FieldIsTag;
            }
            line.AddField(key, kind, bits, stringValue);
            anyEscapes |= keyEscaped;

            p = valueEnd;
            if (p < end && s[p] == (byte)',')
            {
                p++;
                continue;
            }
            break;
        }

        // Optional timestamp, then only spaces.
        p = SkipSpaces(s, p);
        if (p < end)
        {
            var stop = s[p..].IndexOf((byte)' ');
            var timestampEnd = stop < 0 ? end : p + stop;
            var status = NumberParser.ParseInt64(s[p..timestampEnd], out var timestamp);
            if (status != NumberStatus.Ok)
            {
                errorPosition = p;
                return status == NumberStatus.Overflow ? Messages.TimestampOutOfRange : Messages.InvalidTimestamp;
            }
            p = SkipSpaces(s, timestampEnd);
            if (p < end)
            {
                errorPosition = p;
                return Messages.TextAfterTimestamp;
            }
            line.SetTimestamp(timestamp);
        }

        if (anyEscapes)
        {
            line.MarkEscaped();
        }
        errorPosition = -1;
        return null;
    }

    /// <summary>Decides an unquoted field value's type from its spelling and decodes it.</summary>
    private static string? ParseValue(ReadOnlySpan<byte> token, out FieldKind kind, out long bits)
    {
        bits = 0;
        var first = token[0];
        if ((first | 0x20) is (byte)'t' or (byte)'f')
        {
            kind = FieldKind.Boolean;
            if (token.Length == 1)
            {
                bits = (first | 0x20) == (byte)'t' ? 1 : 0;
                return null;
            }
            if (token.SequenceEqual("true"u8) || token.SequenceEqual("True"u8) || token.SequenceEqual("TRUE"u8))
            {
                bits = 1;
                return null;
            }
            if (token.SequenceEqual("false"u8) || token.SequenceEqual("False"u8) || token.SequenceEqual("FALSE"u8))
            {
                return null;
            }
            return Messages.InvalidFieldValue;
        }

        var last = token[^1];
        if (last == (byte)'i')
        {
            kind = FieldKind.Integer;
            var status = NumberParser.ParseInt64(token[..^1], out var value);
            bits = value;
            return status switch
            {
                NumberStatus.Ok => null,
                NumberStatus.Overflow => Messages.IntegerOutOfRange,
                _ => Messages.InvalidFieldValue,
            };
        }
        if (last == (byte)'u')
        {
            kind = FieldKind.UInteger;
            var body = token[..^1];
            var negative = !body.IsEmpty && body[0] == (byte)'-';
            var status = NumberParser.ParseDigits(negative ? body[1..] : body, out var value);
            bits = unchecked((long)value);
            return status switch
            {
                NumberStatus.Ok => negative ? Messages.NegativeUnsigned : null,
                NumberStatus.Overflow => negative ? Messages.NegativeUnsigned : Messages.UnsignedOutOfRange,
                _ => Messages.InvalidFieldValue,
            };
        }

        kind = FieldKind.Float;
        var floatStatus = NumberParser.ParseFloat(token, out var number);
        bits = BitConverter.DoubleToInt64Bits(number);
        return floatStatus switch
        {
            NumberStatus.Ok => null,
            NumberStatus.Overflow => Messages.FloatOutOfRange,
            _ => Messages.InvalidFieldValue,
        };
    }

    /// <summary>
    /// The position of the first unescaped byte of <paramref name="stops"/> (which holds the backslash) at or after
    /// <paramref name="p"/>, or the end. A backslash takes the next byte with it whatever that byte is: every
    /// delimiter of a context is escapable there, so this agrees with <see cref="LineProtocolText.Unescape"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Scan(ReadOnlySpan<byte> s, int p, SearchValues<byte> stops, out bool escaped)
    {
        escaped = false;
        while (true)
        {
            var i = s[p..].IndexOfAny(stops);
            if (i < 0)
            {
                return s.Length;
            }
            p += i;
            if (s[p] != (byte)'\\')
            {
                return p;
            }
            escaped = true;
            p += 2;
            if (p >= s.Length)
            {
                return s.Length;
            }
        }
    }

    /// <summary>The position of the closing quote of a string starting at <paramref name="p"/>, or -1.</summary>
    private static int ScanString(ReadOnlySpan<byte> s, int p, out bool escaped)
    {
        escaped = false;
        while (p < s.Length)
        {
            var i = s[p..].IndexOfAny(StringStops);
            if (i < 0)
            {
                return -1;
            }
            p += i;
            if (s[p] == (byte)'"')
            {
                return p;
            }
            escaped = true;
            p += 2;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipSpaces(ReadOnlySpan<byte> s, int p)
    {
        while (p < s.Length && s[p] == (byte)' ')
        {
            p++;
        }
        return p;
    }

    /// <summary>Records every key the line has so far in its key table; the line's later keys go through it.</summary>
    private static void StartKeyTable(ReadOnlySpan<byte> input, ParsedLine line)
    {
        var table = line.WideKeys;
        table.Clear();
        for (var i = 0; i < line.TagCount; i++)
        {
            table.FindOrAdd(input, line, line.TagKeys[i], i + 1);
        }
        for (var i = 0; i < line.FieldCount; i++)
        {
            table.FindOrAdd(input, line, line.Fields[i].Key, -(i + 1));
        }
    }

    /// <summary>
    /// One bit of a 64-bit filter per key (from its length and last byte), so that the search for a repeated key only
    /// runs when two keys might be equal. Keys with escapes are always searched, whatever their bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeyBit(ReadOnlySpan<byte> s, TextRange key) =>
        1UL << (((key.Length * 7) + s[key.End - 1]) & 63);

    private static int IndexOfKey(ReadOnlySpan<byte> input, ReadOnlySpan<TextRange> keys, TextRange key)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (LineProtocolText.RawEquals(input, keys[i], key, EscapeContext.TagKey))
            {
                return i;
            }
        }
        return -1;
    }

    private static int IndexOfField(ReadOnlySpan<byte> input, ReadOnlySpan<ParsedLine.FieldEntry> fields, TextRange key)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (LineProtocolText.RawEquals(input, fields[i].Key, key, EscapeContext.FieldKey))
            {
                return i;
            }
        }
        return -1;
    }
}
