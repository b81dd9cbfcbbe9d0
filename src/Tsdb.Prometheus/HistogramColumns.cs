using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Tsdb.Core.Schema;
using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>
/// How a native histogram sample is stored in its metric's table beside the float samples (docs/promql.md, "Storage
/// layout"): the float field <c>value</c> holds <see cref="Marker"/> (a NaN no float sample has), and the fields
/// <c>histogram:count</c>, <c>…:sum</c>, <c>…:zero_count</c>, <c>…:zero_threshold</c> (float), <c>…:schema</c>,
/// <c>…:reset_hint</c> (integer), <c>…:positive</c>, <c>…:negative</c> and <c>…:custom_values</c> (string) hold the
/// histogram, every one of them non-null. Rows with the same tags and time merge field by field (the later non-null
/// value wins), so this keeps a float and a histogram written at one timestamp apart: a later float sets
/// <c>value</c> to a number and the histogram fields left from before are ignored; a later histogram sets the marker
/// and every histogram field. A stale histogram is stored as the float staleness marker.
/// </summary>
public static class HistogramColumns
{
    public const string Prefix = "histogram:";
    public const string Count = Prefix + "count";
    public const string Sum = Prefix + "sum";
    public const string Schema = Prefix + "schema";
    public const string ZeroThreshold = Prefix + "zero_threshold";
    public const string ZeroCount = Prefix + "zero_count";
    public const string ResetHint = Prefix + "reset_hint";
    public const string Positive = Prefix + "positive";
    public const string Negative = Prefix + "negative";
    public const string CustomValues = Prefix + "custom_values";

    /// <summary>The columns in the order a histogram row writes them, with their kinds.</summary>
    public static IReadOnlyList<(string Name, ColumnKind Kind)> Columns { get; } =
    [
        (Count, ColumnKind.Float), (Sum, ColumnKind.Float), (Schema, ColumnKind.Integer), (ZeroThreshold, ColumnKind.Float),
        (ZeroCount, ColumnKind.Float), (ResetHint, ColumnKind.Integer), (Positive, ColumnKind.String),
        (Negative, ColumnKind.String), (CustomValues, ColumnKind.String),
    ];

    /// <summary>The bits of <see cref="Marker"/>: the NaN after Prometheus' staleness marker (0x7ff0000000000002).</summary>
    public const long MarkerBits = 0x7ff0000000000003;

    /// <summary>What <c>value</c> holds in a histogram row.</summary>
    public static double Marker { get; } = BitConverter.Int64BitsToDouble(MarkerBits);

    /// <summary>Prometheus' staleness marker.</summary>
    public const long StaleBits = 0x7ff0000000000002;

    public static bool IsMarker(double value) => BitConverter.DoubleToInt64Bits(value) == MarkerBits;

    /// <summary>Whether a column is part of the histogram layout (not a metric of its own).</summary>
    public static bool IsHistogramColumn(string column) => column.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// One side's buckets as text: the spans as <c>offset:length</c> separated by commas, a <c>;</c>, then the
    /// absolute bucket counts separated by commas (shortest round-trip form), e.g. <c>-2:2,1:1;3,5,1</c> for buckets
    /// −2, −1 and 1. Empty buckets are left out; no buckets is the empty string.
    /// </summary>
    public static string FormatBuckets(IReadOnlyList<HistogramSpan> spans, IReadOnlyList<double> counts)
    {
        if (spans.Count == 0)
        {
            return "";
        }
        var text = new StringBuilder(spans.Count * 5 + counts.Count * 4);
        for (var i = 0; i < spans.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(spans[i].Offset.ToString(CultureInfo.InvariantCulture)).Append(':')
                .Append(spans[i].Length.ToString(CultureInfo.InvariantCulture));
        }
        text.Append(';');
        AppendNumbers(text, counts);
        return text.ToString();
    }

    /// <summary>
    /// <see cref="FormatBuckets"/>'s text as UTF-8 into <paramref name="output"/>, straight from a histogram's held
    /// buckets (ascending indexes, zero counts skipped): the ingest path, without strings. Whole counts below 10^15
    /// are written as integers, which is the text "R" gives them.
    /// </summary>
    public static void WriteBuckets(ReadOnlySpan<int> indexes, ReadOnlySpan<double> counts, ArrayBufferWriter<byte> output)
    {
        var written = 0;
        long offset = 0;
        var length = 0;
        var previousEnd = 0;
        for (var i = 0; i < indexes.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }
            if (length > 0 && indexes[i] == previousEnd)
            {
                length++;
            }
            else
            {
                if (length > 0)
                {
                    WriteSpan(written++, offset, length, output);
                }
                offset = length == 0 ? indexes[i] : (long)indexes[i] - previousEnd;
                length = 1;
            }
            previousEnd = indexes[i] + 1;
        }
        if (length == 0)
        {
            return;
        }
        WriteSpan(written, offset, length, output);
        output.Write(";"u8);
        var first = true;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }
            if (!first)
            {
                output.Write(","u8);
            }
            WriteNumber(counts[i], output);
            first = false;
        }
    }

    private static void WriteSpan(int before, long offset, int length, ArrayBufferWriter<byte> output)
    {
        if (before > 0)
        {
            output.Write(","u8);
        }
        WriteLong(offset, output);
        output.Write(":"u8);
        WriteLong(length, output);
    }

    /// <summary>Custom bounds as <see cref="FormatBounds"/> writes them, as UTF-8.</summary>
    public static void WriteBounds(IReadOnlyList<double> bounds, ArrayBufferWriter<byte> output)
    {
        for (var i = 0; i < bounds.Count; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }
            WriteNumber(bounds[i], output);
        }
    }

    private static void WriteLong(long value, ArrayBufferWriter<byte> output)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    private static void WriteNumber(double value, ArrayBufferWriter<byte> output)
    {
        if (value >= 1 && value < 1e15 && Math.Floor(value) == value)
        {
            WriteLong((long)value, output);
            return;
        }
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"{value} did not fit 32 bytes");
        }
        output.Advance(written);
    }

    /// <summary>Custom bucket bounds (schema −53) separated by commas, +Inf left out; "" for exponential schemas.</summary>
    public static string FormatBounds(IReadOnlyList<double> bounds)
    {
        var text = new StringBuilder(bounds.Count * 4);
        AppendNumbers(text, bounds);
        return text.ToString();
    }

    private static void AppendNumbers(StringBuilder text, IReadOnlyList<double> numbers)
    {
        for (var i = 0; i < numbers.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(numbers[i].ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Reads what <see cref="FormatBuckets"/> wrote; false (with why) for anything else.</summary>
    public static bool TryParseBuckets(ReadOnlySpan<byte> utf8, out HistogramSpan[] spans, out double[] counts, out string? error)
    {
        spans = [];
        counts = [];
        error = null;
        if (utf8.IsEmpty)
        {
            return true;
        }
        var split = utf8.IndexOf((byte)';');
        if (split < 0)
        {
            error = "bucket text has no ';' between spans and counts";
            return false;
        }
        var spanText = utf8[..split];
        var spanList = new List<HistogramSpan>(4);
        while (!spanText.IsEmpty)
        {
            var end = spanText.IndexOf((byte)',');
            var item = end < 0 ? spanText : spanText[..end];
            var colon = item.IndexOf((byte)':');
            if (colon < 0 || !Utf8Parser.TryParse(item[..colon], out int offset, out var used) || used != colon
                || !Utf8Parser.TryParse(item[(colon + 1)..], out uint length, out used) || used != item.Length - colon - 1)
            {
                error = $"bad span '{Encoding.UTF8.GetString(item)}'";
                return false;
            }
            spanList.Add(new HistogramSpan(offset, length));
            spanText = end < 0 ? [] : spanText[(end + 1)..];
        }
        spans = [.. spanList];
        return TryParseNumbers(utf8[(split + 1)..], out counts, out error);
    }

    /// <summary>Reads comma-separated numbers (what <see cref="FormatBounds"/> writes).</summary>
    public static bool TryParseNumbers(ReadOnlySpan<byte> utf8, out double[] numbers, out string? error)
    {
        error = null;
        if (utf8.IsEmpty)
        {
            numbers = [];
            return true;
        }
        numbers = new double[utf8.Count((byte)',') + 1];
        Span<char> chars = stackalloc char[64];
        for (var i = 0; i < numbers.Length; i++)
        {
            var end = utf8.IndexOf((byte)',');
            var item = end < 0 ? utf8 : utf8[..end];
            // Via chars: Utf8Parser does not read "NaN", "Infinity" or every exponent form double.ToString("R") writes.
            if (item.Length > chars.Length || Encoding.UTF8.GetChars(item, chars) is var n
                && !double.TryParse(chars[..n], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = $"bad number '{Encoding.UTF8.GetString(item)}'";
                return false;
            }
            utf8 = end < 0 ? [] : utf8[(end + 1)..];
        }
        return true;
    }

    /// <summary>
    /// The histogram of a stored row; null (with why) when the text columns cannot be read or describe no valid
    /// histogram (a file written by something else).
    /// </summary>
    public static FloatHistogram? Decode(double count, double sum, long schema, double zeroThreshold, double zeroCount, long resetHint,
        ReadOnlySpan<byte> positive, ReadOnlySpan<byte> negative, ReadOnlySpan<byte> customValues, out string? error)
    {
        if (!TryParseBuckets(positive, out var posSpans, out var posCounts, out error)
            || !TryParseBuckets(negative, out var negSpans, out var negCounts, out error)
            || !TryParseNumbers(customValues, out var bounds, out error))
        {
            return null;
        }
        if (schema is < int.MinValue or > int.MaxValue || resetHint is < 0 or > 3)
        {
            error = $"schema {schema} or reset hint {resetHint} out of range";
            return null;
        }
        try
        {
            return new FloatHistogram((int)schema, zeroThreshold, zeroCount, count, sum, posSpans, posCounts, negSpans, negCounts, bounds,
                (HistogramCounterResetHint)resetHint);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>
    /// Prometheus' checks of a histogram sample before it is stored (its <c>Validate</c>); null when it passes.
    /// The spans, schema and custom bounds are checked by <see cref="FloatHistogram"/>'s constructor already.
    /// </summary>
    public static string? Validate(FloatHistogram h, bool integer)
    {
        if (double.IsNaN(h.ZeroThreshold) || h.ZeroThreshold < 0)
        {
            return $"zero threshold {h.ZeroThreshold} is not a non-negative number";
        }
        double buckets = h.ZeroCount;
        foreach (var c in h.PositiveBucketCounts)
        {
            buckets += c;
            if (c < 0)
            {
                return $"a positive bucket has a negative count ({c})";
            }
        }
        foreach (var c in h.NegativeBucketCounts)
        {
            buckets += c;
            if (c < 0)
            {
                return $"a negative bucket has a negative count ({c})";
            }
        }
        if (h.ZeroCount < 0 || h.Count < 0)
        {
            return $"negative count ({h.Count}) or zero count ({h.ZeroCount})";
        }
        // As Prometheus: an integer histogram's count is the sum of its buckets (at least that when the sum is NaN,
        // NaN observations being in no bucket); a float histogram's at least that.
        if (integer && !double.IsNaN(h.Sum) ? buckets != h.Count : buckets > h.Count * (1 + 1e-12))
        {
            return $"{(buckets > h.Count ? "more" : "fewer")} observations in the buckets ({buckets}) than the count ({h.Count})";
        }
        return null;
    }
}
