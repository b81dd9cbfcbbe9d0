using Tsdb.PromQL;
using V1 = Tsdb.Prometheus.Protocol.V1;

namespace Tsdb.Prometheus.Tests;

/// <summary>
/// Native histograms in streamed remote-read chunks (<see cref="HistogramChunk"/>, <see cref="RemoteReader"/>): a
/// layout worked by hand from Prometheus' chunkenc, random series read back by the independent
/// <see cref="HistogramChunkReader"/>, and where Prometheus' own cuts (resets, 120 samples, layout changes) go.
/// Byte identity with the chunks Prometheus 2.42 serves is in <see cref="RemoteReadTests"/>.
/// </summary>
public sealed class HistogramChunkTests
{
    private const double Stale = 0;   // a placeholder value: stale samples are made with StaleValue
    private static readonly double StaleValue = BitConverter.UInt64BitsToDouble(HistogramChunkReader.StaleBits);

    private static List<V1.Chunk> Chunks(long[] times, double[] values, FloatHistogram?[] histograms) =>
        [.. RemoteReader.Chunks(new SeriesSamples(Labels.From([new Label("__name__", "h")]), times, values) { Histograms = histograms })];

    [Fact]
    public void Integer_layout_matches_prometheus_bit_by_bit()
    {
        // Worked by hand from histogram.go, histogram_meta.go and varbit.go: count 1 (00 01), header 00; zero
        // threshold 0 as one byte 00; then schema 0 → 0; one positive span → varbit uint 1 = 10 001; its length 1 →
        // 10 001, offset 0 → 0; no negative spans → 0; t 0 → 0; count 1 → 10 001; zero count 0 → 0; the sum's 64
        // bits (0.0); the bucket as a delta 1 → varbit int 10 001. 0100 0110 0010 0010 0010 | 64 zeros | 10001 pad.
        var h = new FloatHistogram(0, 0, 0, 1, 0, [new(0, 1)], [1], null, null);
        var chunk = Assert.Single(Chunks([0], [0], [h]));
        Assert.Equal(V1.Chunk.Types.Encoding.Histogram, chunk.Type);
        Assert.Equal("00010000462220000000000000000880", Convert.ToHexString(chunk.Data.ToByteArray()));
    }

    [Fact]
    public void Float_counts_make_a_float_histogram_chunk_and_powers_of_two_thresholds_take_one_byte()
    {
        var h = new FloatHistogram(2, Math.ScaleB(1, -128), 0.5, 2.5, 3, [new(-1, 2)], [1, 1], null, null);
        var chunk = Assert.Single(Chunks([1000], [0], [h]));
        Assert.Equal(V1.Chunk.Types.Encoding.FloatHistogram, chunk.Type);
        var data = chunk.Data.ToByteArray();
        // 2^−128 is 0.5 · 2^−127: the byte −127 + 243 = 116, as histogram_meta.go documents for the default threshold.
        Assert.Equal(116, data[3]);
        var (_, samples) = HistogramChunkReader.Read(data, isFloat: true);
        Assert.Equal("1000: schema 2 zt 2.938735877055719E-39 count 2.5 zero 0.5 sum 3 +[-1:1,0:1] -[] cv[]", Assert.Single(samples).ToString());
    }

    [Fact]
    public void Chunks_are_cut_where_prometheus_cuts_them()
    {
        // 130 growing samples with a new bucket at 10 (the chunk is recoded, not cut), a reset at 50, a stale
        // marker at 60 and samples again from 61, then 120 more without a reset.
        var times = new List<long>();
        var histograms = new List<FloatHistogram?>();
        var values = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            times.Add(i * 15_000L);
            if (i == 60)
            {
                histograms.Add(null);
                values.Add(StaleValue);
                continue;
            }
            var level = i < 50 ? i + 1 : i - 49;
            histograms.Add(i < 10
                ? new FloatHistogram(1, 0.001, level, 3 * level, level * 1.5, [new(0, 2)], [level, level], null, null)
                : new FloatHistogram(1, 0.001, level, 4 * level, level * 1.5, [new(0, 2), new(3, 1)], [level, level, level], null, null));
            values.Add(Stale);
        }
        var chunks = Chunks([.. times], [.. values], [.. histograms]);
        var read = chunks.Select(c => HistogramChunkReader.Read(c.Data.ToByteArray(), c.Type == V1.Chunk.Types.Encoding.FloatHistogram)).ToList();
        // 0–49; 50–60 (reset; the stale sample joins); 61–180 (after a stale sample: unknown); 181–199 (120 samples: not a reset).
        Assert.Equal([50, 11, 120, 19], read.Select(r => r.Samples.Count));
        Assert.Equal([0b00, 0b10, 0b00, 0b01], read.Select(r => r.Header));
        Assert.All(chunks, c => Assert.Equal(V1.Chunk.Types.Encoding.Histogram, c.Type));
        Assert.True(read[1].Samples[^1].Stale);
        // The first chunk has the union layout: samples before bucket 3 appeared read it as empty.
        Assert.Equal("0: schema 1 zt 0.001 count 3 zero 1 sum 1.5 +[0:1,1:1] -[] cv[]", read[0].Samples[0].ToString());
        Assert.Equal(200, read.Sum(r => r.Samples.Count));
    }

    [Fact]
    public void Random_series_round_trip_through_an_independent_reader()
    {
        var random = new Random(2042);
        for (var round = 0; round < 300; round++)
        {
            var (times, values, histograms) = RandomSeries(random);
            var chunks = Chunks(times, values, histograms);
            var decoded = new List<string>();
            foreach (var chunk in chunks)
            {
                Assert.True(chunk.Data.Length > 3);
                switch (chunk.Type)
                {
                    case V1.Chunk.Types.Encoding.Xor:
                        decoded.AddRange(XorChunkReader.Read(chunk.Data.ToByteArray()).Select(s => $"{s.T}: float {BitConverter.DoubleToUInt64Bits(s.V):X}"));
                        break;
                    default:
                        var (_, samples) = HistogramChunkReader.Read(chunk.Data.ToByteArray(), chunk.Type == V1.Chunk.Types.Encoding.FloatHistogram);
                        Assert.InRange(samples.Count, 1, HistogramChunk.MaxSamples);
                        Assert.Equal(chunk.MinTimeMs, samples[0].T);
                        Assert.Equal(chunk.MaxTimeMs, samples[^1].T);
                        decoded.AddRange(samples.Select(s => s.Stale ? $"{s.T}: float {HistogramChunkReader.StaleBits:X}" : s.ToString()));
                        break;
                }
            }
            var expected = new List<string>();
            for (var i = 0; i < times.Length; i++)
            {
                expected.Add(histograms[i] is { } h ? Show(times[i], h) : $"{times[i]}: float {BitConverter.DoubleToUInt64Bits(values[i]):X}");
            }
            Assert.Equal(expected, decoded);
        }
    }

    private static string Show(long t, FloatHistogram h)
    {
        var positive = new SortedDictionary<int, double>();
        var negative = new SortedDictionary<int, double>();
        Fill(positive, h.PositiveSpans, h.PositiveBuckets);
        Fill(negative, h.NegativeSpans, h.NegativeBuckets);
        return new HistogramChunkReader.Sample(t, false, h.Schema, h.ZeroThreshold, h.Count, h.ZeroCount, BitConverter.DoubleToUInt64Bits(h.Sum),
            positive, negative, [.. h.CustomValues]).ToString();

        static void Fill(SortedDictionary<int, double> map, IReadOnlyList<HistogramSpan> spans, IReadOnlyList<double> counts)
        {
            var index = 0;
            var k = 0;
            foreach (var span in spans)
            {
                index += span.Offset;
                for (var j = 0; j < span.Length; j++)
                {
                    map[index++] = counts[k++];
                }
            }
        }
    }

    /// <summary>
    /// A series of counter or gauge histograms, integer or float counts, exponential or custom buckets, buckets
    /// appearing and emptying, resets, schema and threshold changes, stale markers and plain float samples between.
    /// </summary>
    private static (long[] Times, double[] Values, FloatHistogram?[] Histograms) RandomSeries(Random random)
    {
        var n = random.Next(1, 400);
        var times = new long[n];
        var values = new double[n];
        var histograms = new FloatHistogram?[n];
        var t = random.NextInt64(-1L << 40, 1L << 42);
        var gauge = random.Next(4) == 0;
        var integer = random.Next(3) != 0;
        var schema = random.Next(5) switch { 0 => FloatHistogram.CustomBucketsSchema, 1 => -4, 2 => 0, 3 => 3, _ => 8 };
        var threshold = random.Next(3) switch { 0 => 0, 1 => Math.ScaleB(1, -128), _ => 0.001 };
        double[] custom = [0.1, 0.25, 1, 2.5, 33554.431, -1 + 1e-3 - 5];
        Array.Sort(custom);
        var positive = new SortedDictionary<int, double>();
        var negative = new SortedDictionary<int, double>();
        double zero = 0, sum = 0;
        for (var i = 0; i < n; i++)
        {
            times[i] = t;
            t += random.Next(4) switch { 0 => 15_000, 1 => random.Next(1, 100_000), 2 => random.NextInt64(1, 1L << 33), _ => 15_000 + random.Next(-50, 50) };
            switch (random.Next(40))
            {
                case 0:
                    values[i] = StaleValue;
                    continue;
                case 1:
                    values[i] = random.NextDouble() * 100;
                    continue;
                case 2:
                    positive.Clear();
                    negative.Clear();
                    zero = 0;
                    sum = 0;
                    break;
                case 3:
                    integer = !integer;
                    break;
                case 4 when schema != FloatHistogram.CustomBucketsSchema:
                    schema = Math.Max(-4, schema - 1);
                    threshold = threshold == 0 ? 0.001 : threshold;
                    break;
            }
            var buckets = schema == FloatHistogram.CustomBucketsSchema ? custom.Length + 1 : 40;
            for (var k = random.Next(0, 4); k > 0; k--)
            {
                var index = schema == FloatHistogram.CustomBucketsSchema ? random.Next(buckets) : random.Next(-buckets / 2, buckets / 2);
                var add = integer ? random.Next(1, 2000) : random.NextDouble() * 3;
                positive[index] = gauge && random.Next(3) == 0 ? add / 2 : positive.GetValueOrDefault(index) + add;
                sum += add * 0.7;
                if (schema != FloatHistogram.CustomBucketsSchema && random.Next(2) == 0)
                {
                    var negativeIndex = random.Next(-buckets / 2, buckets / 2);
                    negative[negativeIndex] = negative.GetValueOrDefault(negativeIndex) + add;
                    zero += integer ? random.Next(0, 3) : random.NextDouble();
                    sum -= add;
                }
            }
            if (integer)
            {
                // Counts switched from float to integer keep whole numbers from here on.
                foreach (var key in positive.Keys.ToList())
                {
                    positive[key] = Math.Floor(positive[key]) + 1;
                }
                foreach (var key in negative.Keys.ToList())
                {
                    negative[key] = Math.Floor(negative[key]) + 1;
                }
                zero = Math.Floor(zero);
            }
            var isCustom = schema == FloatHistogram.CustomBucketsSchema;
            var z = isCustom ? 0 : zero;
            var count = z + positive.Values.Sum() + (isCustom ? 0 : negative.Values.Sum());
            histograms[i] = new FloatHistogram(schema, isCustom ? 0 : threshold, z, count, sum, Spans(positive.Keys), [.. positive.Values],
                isCustom ? null : Spans(negative.Keys), isCustom ? null : [.. negative.Values], isCustom ? custom : null,
                gauge ? HistogramCounterResetHint.Gauge : HistogramCounterResetHint.Unknown);
        }
        return (times, values, histograms);
    }

    private static HistogramSpan[] Spans(IEnumerable<int> indexes)
    {
        var spans = new List<HistogramSpan>();
        var previousEnd = 0;
        foreach (var index in indexes)
        {
            if (spans.Count > 0 && index == previousEnd)
            {
                spans[^1] = spans[^1] with { Length = spans[^1].Length + 1 };
            }
            else
            {
                spans.Add(new HistogramSpan(spans.Count == 0 ? index : index - previousEnd, 1));
            }
            previousEnd = index + 1;
        }
        return [.. spans];
    }
}
