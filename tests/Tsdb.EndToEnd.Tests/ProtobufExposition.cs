using Google.Protobuf;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Prometheus' protobuf exposition format (<c>io.prometheus.client</c>, metrics.proto): varint-length-delimited
/// MetricFamily messages, written here field by field for histogram families with native (integer) histograms, as
/// client_golang serves them to a scraper that accepts <see cref="ContentType"/>.
/// </summary>
internal static class ProtobufExposition
{
    public const string ContentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    /// <summary>One native histogram observation state: spans as (offset, length) and absolute bucket counts.</summary>
    public sealed record NativeHistogram(
        int Schema, double ZeroThreshold, ulong ZeroCount, double Sum,
        (int Offset, uint Length)[] PositiveSpans, long[] PositiveCounts,
        (int Offset, uint Length)[] NegativeSpans, long[] NegativeCounts)
    {
        public ulong Count => ZeroCount + (ulong)PositiveCounts.Sum() + (ulong)NegativeCounts.Sum();
    }

    /// <summary>A MetricFamily of type HISTOGRAM (4), one Metric per labelled histogram, length-delimited.</summary>
    public static byte[] HistogramFamily(string name, string help, IEnumerable<(IReadOnlyList<(string Name, string Value)> Labels, NativeHistogram Histogram)> metrics)
    {
        var family = new MemoryStream();
        var output = new CodedOutputStream(family);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(name);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(help);
        output.WriteTag(3, WireFormat.WireType.Varint);
        output.WriteEnum(4);
        foreach (var (labels, histogram) in metrics)
        {
            output.WriteTag(4, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Metric(labels, histogram)));
        }
        output.Flush();
        var body = family.ToArray();
        var delimited = new MemoryStream();
        var framing = new CodedOutputStream(delimited);
        framing.WriteLength(body.Length);
        framing.Flush();
        delimited.Write(body);
        return delimited.ToArray();
    }

    private static byte[] Metric(IReadOnlyList<(string Name, string Value)> labels, NativeHistogram h)
    {
        var metric = new MemoryStream();
        var output = new CodedOutputStream(metric);
        foreach (var (labelName, value) in labels)
        {
            var pair = new MemoryStream();
            var pairOutput = new CodedOutputStream(pair);
            pairOutput.WriteTag(1, WireFormat.WireType.LengthDelimited);
            pairOutput.WriteString(labelName);
            pairOutput.WriteTag(2, WireFormat.WireType.LengthDelimited);
            pairOutput.WriteString(value);
            pairOutput.Flush();
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(pair.ToArray()));
        }
        output.WriteTag(7, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(Histogram(h)));
        output.Flush();
        return metric.ToArray();
    }

    /// <summary>
    /// Histogram: sample_count 1, sample_sum 2, schema 5 (sint32), zero_threshold 6, zero_count 7, negative_span 9,
    /// negative_delta 10 (sint64, packed), positive_span 12, positive_delta 13. Counts go as deltas of the previous
    /// bucket, the first against zero, as in client_golang.
    /// </summary>
    private static byte[] Histogram(NativeHistogram h)
    {
        var histogram = new MemoryStream();
        var output = new CodedOutputStream(histogram);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteUInt64(h.Count);
        output.WriteTag(2, WireFormat.WireType.Fixed64);
        output.WriteDouble(h.Sum);
        output.WriteTag(5, WireFormat.WireType.Varint);
        output.WriteSInt32(h.Schema);
        output.WriteTag(6, WireFormat.WireType.Fixed64);
        output.WriteDouble(h.ZeroThreshold);
        output.WriteTag(7, WireFormat.WireType.Varint);
        output.WriteUInt64(h.ZeroCount);
        Buckets(output, 9, 10, h.NegativeSpans, h.NegativeCounts);
        Buckets(output, 12, 13, h.PositiveSpans, h.PositiveCounts);
        output.Flush();
        return histogram.ToArray();
    }

    private static void Buckets(CodedOutputStream output, int spanField, int deltaField, (int Offset, uint Length)[] spans, long[] counts)
    {
        foreach (var (offset, length) in spans)
        {
            var span = new MemoryStream();
            var spanOutput = new CodedOutputStream(span);
            spanOutput.WriteTag(1, WireFormat.WireType.Varint);
            spanOutput.WriteSInt32(offset);
            spanOutput.WriteTag(2, WireFormat.WireType.Varint);
            spanOutput.WriteUInt32(length);
            spanOutput.Flush();
            output.WriteTag(spanField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(span.ToArray()));
        }
        if (counts.Length == 0)
        {
            return;
        }
        var deltas = new MemoryStream();
        var deltaOutput = new CodedOutputStream(deltas);
        long previous = 0;
        foreach (var count in counts)
        {
            deltaOutput.WriteSInt64(count - previous);
            previous = count;
        }
        deltaOutput.Flush();
        output.WriteTag(deltaField, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(deltas.ToArray()));
    }
}
