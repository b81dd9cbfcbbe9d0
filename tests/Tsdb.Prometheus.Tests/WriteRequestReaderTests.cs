using Google.Protobuf;
using V1 = Tsdb.Prometheus.Protocol.V1;

namespace Tsdb.Prometheus.Tests;

/// <summary>The span reader of remote-write 1.0 against the classes Grpc.Tools generates from the same .proto.</summary>
public sealed class WriteRequestReaderTests
{
    private static V1.WriteRequest RandomRequest(Random random)
    {
        var request = new V1.WriteRequest();
        string[] names = ["__name__", "job", "instance", "mode", "é", "time", ""];
        string[] values = ["up", "node", "host-1:9100", "idle", "ünïcode ✓", "", "x"];
        for (var s = random.Next(0, 20); s > 0; s--)
        {
            var series = new V1.TimeSeries();
            for (var l = random.Next(0, 6); l > 0; l--)
            {
                series.Labels.Add(new V1.Label { Name = names[random.Next(names.Length)], Value = values[random.Next(values.Length)] });
            }
            for (var n = random.Next(0, 5); n > 0; n--)
            {
                var bits = random.Next(4) switch
                {
                    0 => 0x7FF0000000000002L,
                    1 => BitConverter.DoubleToInt64Bits(double.NaN),
                    _ => random.NextInt64(),
                };
                series.Samples.Add(new V1.Sample { Value = BitConverter.Int64BitsToDouble(bits), Timestamp = random.NextInt64(-1L << 50, 1L << 50) });
            }
            for (var n = random.Next(0, 3); n > 0; n--)
            {
                series.Histograms.Add(RandomHistogram(random));
            }
            for (var n = random.Next(0, 3); n > 0; n--)
            {
                var exemplar = new V1.Exemplar { Value = random.NextDouble() * 10, Timestamp = random.NextInt64(-1000, 1L << 40) };
                for (var l = random.Next(0, 3); l > 0; l--)
                {
                    exemplar.Labels.Add(new V1.Label { Name = names[random.Next(names.Length)], Value = random.Next(3) == 0 ? values[random.Next(values.Length)] : random.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture) });
                }
                series.Exemplars.Add(exemplar);
            }
            request.Timeseries.Add(series);
        }
        for (var m = random.Next(0, 3); m > 0; m--)
        {
            request.Metadata.Add(new V1.MetricMetadata { Type = (V1.MetricMetadata.Types.MetricType)random.Next(8), MetricFamilyName = "fam" + random.Next(3), Help = "help", Unit = "s" });
        }
        return request;
    }

    /// <summary>Integer and float histograms, sometimes invalid (bucket counts not matching the spans, a bad schema).</summary>
    private static V1.Histogram RandomHistogram(Random random)
    {
        var h = new V1.Histogram
        {
            Sum = random.Next(4) == 0 ? BitConverter.Int64BitsToDouble(0x7FF0000000000002L) : random.Next(100),
            Schema = random.Next(6) switch { 0 => -53, 1 => 9, _ => random.Next(-4, 9) },
            ZeroThreshold = random.Next(2) * 0.001,
            Timestamp = random.NextInt64(-1000, 1L << 40),
            ResetHint = (V1.Histogram.Types.ResetHint)random.Next(4),
        };
        var buckets = random.Next(0, 4);
        var total = 0L;
        if (buckets > 0)
        {
            h.PositiveSpans.Add(new V1.BucketSpan { Offset = random.Next(-3, 3), Length = (uint)(buckets + random.Next(2) - (random.Next(8) == 0 ? 1 : 0)) });
        }
        var integer = random.Next(2) == 0;
        for (var b = 0; b < buckets; b++)
        {
            var count = random.Next(0, 5);
            total += count;
            if (integer)
            {
                h.PositiveDeltas.Add(count);
            }
            else
            {
                h.PositiveCounts.Add(count);
            }
        }
        if (h.Schema == -53)
        {
            h.CustomValues.AddRange([0.5, 1, 2, 5, 10, 20]);
        }
        if (integer)
        {
            h.CountInt = (ulong)total;
        }
        else
        {
            h.CountFloat = total;
        }
        return h;
    }

    private static string Describe(List<PromSeries> series, MetricMetadataStore metadata) =>
        string.Join("\n", series.Select(s =>
            string.Join(",", s.Labels.Select(l => $"{l.Name}={l.Value}")) + "|" +
            string.Join(",", s.TimestampsMs.ToArray().Zip(s.Values.ToArray(), (t, v) => $"{t}:{BitConverter.DoubleToInt64Bits(v):X}")) +
            "|" + string.Join(",", s.HistogramTimestampsMs.ToArray().Zip(s.Histograms.ToArray(), (t, h) => $"{t}:{h}:{h.CounterResetHint}:{BitConverter.DoubleToInt64Bits(h.Sum):X}")) +
            $"|h{s.HistogramCount}|e" + string.Join(",", s.Exemplars.ToArray().Select(e => $"{{{string.Join(",", e.Labels.Select(l => $"{l.Name}={l.Value}"))}}}:{BitConverter.DoubleToInt64Bits(e.Value):X}@{e.TimestampMs}:{e.Error}")) + $"|{s.DecodeError}"))
        + "\n" + string.Join(";", metadata.List("db").Select(e => $"{e.Key}={e.Value}"));

    [Fact]
    public void Random_requests_have_valid_and_refused_histograms()
    {
        // The comparison below means something only if both kinds come up.
        var random = new Random(5);
        var all = Enumerable.Range(0, 200).SelectMany(_ => RemoteWriteDecoder.FromV1(RandomRequest(random), "db", new MetricMetadataStore())).ToList();
        Assert.Contains(all, s => s.Histograms.Length > 0);
        Assert.Contains(all, s => s.DecodeError is not null);
    }

    [Fact]
    public void Reads_what_the_generated_classes_read()
    {
        var random = new Random(5);
        for (var i = 0; i < 500; i++)
        {
            var bytes = RandomRequest(random).ToByteArray();
            var expectedMetadata = new MetricMetadataStore();
            var expected = RemoteWriteDecoder.FromV1(V1.WriteRequest.Parser.ParseFrom(bytes), "db", expectedMetadata);
            var actualMetadata = new MetricMetadataStore();
            var actual = WriteRequestReader.Read(bytes, "db", actualMetadata);
            Assert.Equal(Describe(expected, expectedMetadata), Describe(actual, actualMetadata));
        }
    }

    [Theory]
    [InlineData(3000, 1, 0)]      // one sample per series, as Prometheus sends: past the first chunk of samples
    [InlineData(400, 6, 0)]
    [InlineData(50, 1, 5000)]     // short series, then one longer than any chunk the estimate would give
    public void Large_requests_keep_every_sample_with_its_series(int seriesCount, int maxSamples, int longSeries)
    {
        // The reader puts the samples of all series into shared chunks; each series must keep its own slice.
        var random = new Random((seriesCount * 7) + maxSamples);
        var request = new V1.WriteRequest();
        for (var s = 0; s < seriesCount; s++)
        {
            var series = new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "m" }, new V1.Label { Name = "i", Value = "s" + s } } };
            for (var n = random.Next(0, maxSamples + 1); n > 0; n--)
            {
                series.Samples.Add(new V1.Sample { Value = random.NextDouble(), Timestamp = random.NextInt64(1L << 40) });
            }
            request.Timeseries.Add(series);
        }
        if (longSeries > 0)
        {
            var series = new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "long" } } };
            for (var n = 0; n < longSeries; n++)
            {
                series.Samples.Add(new V1.Sample { Value = n, Timestamp = n });
            }
            request.Timeseries.Add(series);
            request.Timeseries.Add(new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "after" } }, Samples = { new V1.Sample { Value = 1, Timestamp = 2 } } });
        }
        var bytes = request.ToByteArray();
        var expected = RemoteWriteDecoder.FromV1(request, "db", new MetricMetadataStore());
        var reused = WriteRequestReader.Read(RandomRequest(random).ToByteArray(), "db", new MetricMetadataStore());
        reused.Clear();
        var actual = WriteRequestReader.Read(bytes, "db", new MetricMetadataStore(), reused);
        Assert.Same(reused, actual);
        Assert.Equal(Describe(expected, new MetricMetadataStore()), Describe(actual, new MetricMetadataStore()));
    }

    [Fact]
    public void Series_cache_generations_turn_over_and_keep_every_series_right()
    {
        // Generations of 7 series against 60 distinct series written round after round: series move between
        // generations, fall out and come back; whatever the cache holds, every request reads its own labels.
        var cache = new WriteRequestReader.SeriesCache();
        WriteRequestReader.SeriesCache.GenerationSize = 7;
        try
        {
            var series = Enumerable.Range(0, 60).Select(i => new V1.TimeSeries
            {
                Labels = { new V1.Label { Name = "__name__", Value = "m" + (i % 3) }, new V1.Label { Name = "host", Value = "h" + i } },
                Samples = { new V1.Sample { Value = i, Timestamp = 1000 + i } },
            }).ToArray();
            var random = new Random(3);
            var hits = 0;
            for (var round = 0; round < 40; round++)
            {
                foreach (var s in series.OrderBy(_ => random.Next()).Take(random.Next(1, 20)))
                {
                    var key = s.Labels.Select(l => (l.Name, l.Value)).ToArray();
                    var labelBytes = new V1.TimeSeries { Labels = { s.Labels } }.ToByteArray();
                    if (cache.TryGet(labelBytes, out var found))
                    {
                        hits++;
                        Assert.Equal(key, found);
                    }
                    else
                    {
                        cache.Add(labelBytes, key);
                    }
                    Assert.InRange(cache.Count, 1, 2 * 7);
                }
            }
            Assert.True(hits > 0, "nothing was ever found in the cache");
        }
        finally
        {
            WriteRequestReader.SeriesCache.GenerationSize = 1 << 19;
        }
    }

    [Fact]
    public void Series_written_every_round_stay_cached_while_new_ones_pass_through()
    {
        var cache = new WriteRequestReader.SeriesCache();
        WriteRequestReader.SeriesCache.GenerationSize = 7;
        try
        {
            static byte[] Key(string host) => new V1.TimeSeries { Labels = { new V1.Label { Name = "host", Value = host } } }.ToByteArray();
            var misses = 0;
            var fresh = 0;
            for (var round = 0; round < 50; round++)
            {
                for (var s = 0; s < 4; s++)
                {
                    if (!cache.TryGet(Key("steady" + s), out _))
                    {
                        misses++;
                        cache.Add(Key("steady" + s), [("host", "steady" + s)]);
                    }
                }
                for (var n = 0; n < 3; n++)
                {
                    cache.Add(Key("once" + fresh++), [("host", "once")]);
                }
            }
            // Only the first round misses: a series found in the previous generation moves into the current one.
            Assert.Equal(4, misses);
        }
        finally
        {
            WriteRequestReader.SeriesCache.GenerationSize = 1 << 19;
        }
    }

    [Fact]
    public void Requests_read_right_while_the_series_cache_turns_over()
    {
        WriteRequestReader.SeriesCache.GenerationSize = 5;
        try
        {
            var random = new Random(11);
            for (var i = 0; i < 300; i++)
            {
                var bytes = RandomRequest(random).ToByteArray();
                var expected = RemoteWriteDecoder.FromV1(V1.WriteRequest.Parser.ParseFrom(bytes), "db", new MetricMetadataStore());
                var actual = WriteRequestReader.Read(bytes, "db", new MetricMetadataStore());
                Assert.Equal(Describe(expected, new MetricMetadataStore()), Describe(actual, new MetricMetadataStore()));
            }
        }
        finally
        {
            WriteRequestReader.SeriesCache.GenerationSize = 1 << 19;
        }
    }

    private static byte[] Field(int field, byte[] body)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(body));
        output.Flush();
        return stream.ToArray();
    }

    [Fact]
    public void Repeated_series_and_labels_out_of_their_usual_place_read_the_same_every_time()
    {
        byte[] Label(string name, string value) => Field(1, new V1.Label { Name = name, Value = value }.ToByteArray());
        byte[] Sample(long t, double v) => Field(2, new V1.Sample { Timestamp = t, Value = v }.ToByteArray());
        byte[][] series =
        [
            [.. Label("__name__", "m"), .. Label("job", "a"), .. Sample(1, 1)],
            [.. Sample(2, 2), .. Label("__name__", "m"), .. Label("job", "a")],
            [.. Label("__name__", "m"), .. Sample(3, 3), .. Label("job", "b")],
            [.. Label("__name__", "m"), .. Label("job", "a"), .. Sample(4, 4), .. Sample(5, 5)],
            [.. Label("__name__", "m"), .. Label("job", "a\u00e9")],
        ];
        var bytes = series.SelectMany(s => Field(1, s)).ToArray();
        var expected = Describe(RemoteWriteDecoder.FromV1(V1.WriteRequest.Parser.ParseFrom(bytes), "db", new MetricMetadataStore()), new MetricMetadataStore());
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(expected, Describe(WriteRequestReader.Read(bytes, "db", new MetricMetadataStore()), new MetricMetadataStore()));
        }
    }

    [Fact]
    public void Mutated_messages_fail_only_with_a_decode_error_and_agree_when_both_read_them()
    {
        var random = new Random(11);
        var agreed = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = RandomRequest(random).ToByteArray();
            if (bytes.Length == 0)
            {
                continue;
            }
            bytes = random.Next(3) switch
            {
                0 => bytes[..random.Next(bytes.Length)],
                1 => Flip(bytes, random),
                _ => [.. bytes, .. Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))],
            };
            List<PromSeries>? expected = null;
            var expectedMetadata = new MetricMetadataStore();
            try
            {
                expected = RemoteWriteDecoder.FromV1(V1.WriteRequest.Parser.ParseFrom(bytes), "db", expectedMetadata);
            }
            catch (InvalidProtocolBufferException)
            {
            }
            List<PromSeries>? actual = null;
            string? refusal = null;
            var actualMetadata = new MetricMetadataStore();
            try
            {
                actual = WriteRequestReader.Read(bytes, "db", actualMetadata);
            }
            catch (RemoteWriteDecodeException e)
            {
                Assert.StartsWith("the body is not a valid prometheus.WriteRequest protobuf message: ", e.Message, StringComparison.Ordinal);
                refusal = e.Message;
            }
            // The reader accepts at least what Google.Protobuf accepts (it skips histograms and exemplars unread).
            Assert.True(expected is null || actual is not null, $"message {i}: Google.Protobuf read it, the span reader refused it: {refusal} ({Convert.ToHexString(bytes)})");
            if (expected is not null && actual is not null)
            {
                Assert.Equal(Describe(expected, expectedMetadata), Describe(actual, actualMetadata));
                agreed++;
            }
        }
        Assert.True(agreed > 100, $"only {agreed} mutated messages were readable by both");
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }
}
