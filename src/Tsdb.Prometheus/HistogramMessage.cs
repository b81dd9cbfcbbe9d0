using Tsdb.PromQL;
using V1 = Tsdb.Prometheus.Protocol.V1;
using V2 = Tsdb.Prometheus.Protocol.V2;

namespace Tsdb.Prometheus;

/// <summary>
/// The fields of a remote-write <c>Histogram</c> message (1.0 and 2.0 number them alike), filled by the hand-written
/// 1.0 reader or from the generated classes, and turned into a checked <see cref="FloatHistogram"/>: integer
/// histograms (delta-encoded counts) become absolute float counts, exact up to 2^53.
/// </summary>
internal sealed class HistogramMessage
{
    public bool IsInteger { get; set; } = true;
    public ulong CountInt { get; set; }
    public double CountFloat { get; set; }
    public double Sum { get; set; }
    public int Schema { get; set; }
    public double ZeroThreshold { get; set; }
    public ulong ZeroCountInt { get; set; }
    public double ZeroCountFloat { get; set; }
    public int ResetHint { get; set; }
    public long TimestampMs { get; set; }
    public List<HistogramSpan> PositiveSpans { get; } = [];
    public List<HistogramSpan> NegativeSpans { get; } = [];
    public List<long> PositiveDeltas { get; } = [];
    public List<long> NegativeDeltas { get; } = [];
    public List<double> PositiveCounts { get; } = [];
    public List<double> NegativeCounts { get; } = [];
    public List<double> CustomValues { get; } = [];

    public void Clear()
    {
        IsInteger = true;
        CountInt = ZeroCountInt = 0;
        CountFloat = Sum = ZeroThreshold = ZeroCountFloat = 0;
        Schema = ResetHint = 0;
        TimestampMs = 0;
        PositiveSpans.Clear();
        NegativeSpans.Clear();
        PositiveDeltas.Clear();
        NegativeDeltas.Clear();
        PositiveCounts.Clear();
        NegativeCounts.Clear();
        CustomValues.Clear();
    }

    /// <summary>The histogram, or null with the reason it is refused.</summary>
    public FloatHistogram? ToHistogram(out string? error)
    {
        error = null;
        if (Schema != FloatHistogram.CustomBucketsSchema && Schema is < FloatHistogram.MinExponentialSchema or > FloatHistogram.MaxExponentialSchema)
        {
            error = $"histogram schema {Schema} is out of range (−4…8 exponential, −53 custom buckets)";
            return null;
        }
        if (ResetHint is < 0 or > 3)
        {
            error = $"unknown reset hint {ResetHint}";
            return null;
        }
        if (Schema != FloatHistogram.CustomBucketsSchema && CustomValues.Count > 0)
        {
            error = $"custom bucket bounds with exponential schema {Schema}";
            return null;
        }
        var hint = (HistogramCounterResetHint)ResetHint;
        FloatHistogram histogram;
        try
        {
            // Integer and float are told apart by the count's oneof, as Prometheus does; the zero count's follows it.
            histogram = IsInteger
                ? FloatHistogram.FromIntegerDeltas(Schema, ZeroThreshold, ZeroCountInt, CountInt, Sum, PositiveSpans, PositiveDeltas, NegativeSpans, NegativeDeltas, CustomValues, hint)
                : new FloatHistogram(Schema, ZeroThreshold, ZeroCountFloat, CountFloat, Sum, PositiveSpans, PositiveCounts, NegativeSpans, NegativeCounts, CustomValues, hint);
        }
        catch (ArgumentException e)
        {
            // "… (Parameter 'positiveSpans')" → "… (positive buckets)"
            error = e.Message.Replace(" (Parameter 'positiveSpans')", " (positive buckets)", StringComparison.Ordinal)
                .Replace(" (Parameter 'negativeSpans')", " (negative buckets)", StringComparison.Ordinal)
                .Replace(" (Parameter 'customValues')", " (custom_values)", StringComparison.Ordinal);
            return null;
        }
        if ((IsInteger ? NegativeCounts.Count + PositiveCounts.Count : NegativeDeltas.Count + PositiveDeltas.Count) > 0)
        {
            error = IsInteger ? "an integer histogram (count_int) with float bucket counts" : "a float histogram (count_float) with integer bucket deltas";
            return null;
        }
        // A stale marker is checked no further: it only ends the series.
        if (BitConverter.DoubleToInt64Bits(Sum) == HistogramColumns.StaleBits)
        {
            return histogram;
        }
        error = HistogramColumns.Validate(histogram, IsInteger);
        return error is null ? histogram : null;
    }

    public void From(V1.Histogram h)
    {
        Clear();
        IsInteger = h.CountCase != V1.Histogram.CountOneofCase.CountFloat;
        CountInt = h.CountInt;
        CountFloat = h.CountFloat;
        Sum = h.Sum;
        Schema = h.Schema;
        ZeroThreshold = h.ZeroThreshold;
        ZeroCountInt = h.ZeroCountInt;
        ZeroCountFloat = h.ZeroCountFloat;
        ResetHint = (int)h.ResetHint;
        TimestampMs = h.Timestamp;
        foreach (var s in h.PositiveSpans)
        {
            PositiveSpans.Add(new HistogramSpan(s.Offset, s.Length));
        }
        foreach (var s in h.NegativeSpans)
        {
            NegativeSpans.Add(new HistogramSpan(s.Offset, s.Length));
        }
        PositiveDeltas.AddRange(h.PositiveDeltas);
        NegativeDeltas.AddRange(h.NegativeDeltas);
        PositiveCounts.AddRange(h.PositiveCounts);
        NegativeCounts.AddRange(h.NegativeCounts);
        CustomValues.AddRange(h.CustomValues);
    }

    public void From(V2.Histogram h)
    {
        Clear();
        IsInteger = h.CountCase != V2.Histogram.CountOneofCase.CountFloat;
        CountInt = h.CountInt;
        CountFloat = h.CountFloat;
        Sum = h.Sum;
        Schema = h.Schema;
        ZeroThreshold = h.ZeroThreshold;
        ZeroCountInt = h.ZeroCountInt;
        ZeroCountFloat = h.ZeroCountFloat;
        ResetHint = (int)h.ResetHint;
        TimestampMs = h.Timestamp;
        foreach (var s in h.PositiveSpans)
        {
            PositiveSpans.Add(new HistogramSpan(s.Offset, s.Length));
        }
        foreach (var s in h.NegativeSpans)
        {
            NegativeSpans.Add(new HistogramSpan(s.Offset, s.Length));
        }
        PositiveDeltas.AddRange(h.PositiveDeltas);
        NegativeDeltas.AddRange(h.NegativeDeltas);
        PositiveCounts.AddRange(h.PositiveCounts);
        NegativeCounts.AddRange(h.NegativeCounts);
        CustomValues.AddRange(h.CustomValues);
    }

    /// <summary>
    /// A series' histograms through <paramref name="fill"/>, with their times; null histograms and a message when one
    /// is refused (the whole series is then refused, as a sample it cannot store refuses a series).
    /// </summary>
    public static (long[] Times, FloatHistogram[] Histograms, string? Error) Convert<T>(IReadOnlyList<T> messages, Action<HistogramMessage, T> fill)
    {
        if (messages.Count == 0)
        {
            return ([], [], null);
        }
        var times = new long[messages.Count];
        var histograms = new FloatHistogram[messages.Count];
        var message = new HistogramMessage();
        for (var i = 0; i < messages.Count; i++)
        {
            fill(message, messages[i]);
            times[i] = message.TimestampMs;
            if (message.ToHistogram(out var error) is not { } h)
            {
                return ([], [], $"histogram sample at {message.TimestampMs} ms: {error}");
            }
            histograms[i] = h;
        }
        return (times, histograms, null);
    }
}
