using System.Buffers.Binary;
using Google.Protobuf;
using Tsdb.Core.Compression;
using Tsdb.Core.Hashing;
using Tsdb.ObjectStore;
using Tsdb.Storage;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;
using V1 = Tsdb.Prometheus.Protocol.V1;

namespace Tsdb.Prometheus.Tests;

/// <summary>Remote read over real storage (WAL, buffer, Parquet-less here): both response types, frames, limits, bad requests.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class RemoteReadTests : IAsyncLifetime
{
    private const string Db = "prometheus";

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-read-").FullName;
    private readonly InMemoryObjectStore _store = new();
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private RemoteWriteIngester _ingester = null!;

    public Task InitializeAsync()
    {
        _catalog = new Catalog.Catalog(new Catalog.ObjectStoreCatalogStore(_store));
        _buffer = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, _buffer);
        _ingester = new RemoteWriteIngester(_catalog, _wal, () => false, new MetricMetadataStore());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private RemoteReader Reader(long sampleLimit = 50_000_000, int frameBytes = 1 << 20) =>
        new(_catalog, new StorageTableSource(_catalog, _buffer, new ParquetFiles(_store))) { SampleLimit = sampleLimit, MaxBytesInFrame = frameBytes };

    private async Task Write(string name, string job, int count, long startMs = 1_700_000_000_000)
    {
        var series = new V1.TimeSeries();
        series.Labels.Add(new V1.Label { Name = "__name__", Value = name });
        series.Labels.Add(new V1.Label { Name = "job", Value = job });
        for (var i = 0; i < count; i++)
        {
            series.Samples.Add(new V1.Sample { Timestamp = startMs + (i * 15_000), Value = i * 0.5 });
        }
        var request = new V1.WriteRequest();
        request.Timeseries.Add(series);
        var outcome = await _ingester.WriteAsync(Db, Snappy.Compress(request.ToByteArray()), RemoteWriteVersion.V1);
        Assert.Equal(RemoteWriteStatus.Ok, outcome.Status);
    }

    private static byte[] Request(bool streamed, params (long Start, long End, V1.LabelMatcher[] Matchers)[] queries)
    {
        var request = new V1.ReadRequest();
        if (streamed)
        {
            request.AcceptedResponseTypes.Add(V1.ReadRequest.Types.ResponseType.StreamedXorChunks);
            request.AcceptedResponseTypes.Add(V1.ReadRequest.Types.ResponseType.Samples);
        }
        foreach (var (start, end, matchers) in queries)
        {
            var query = new V1.Query { StartTimestampMs = start, EndTimestampMs = end };
            query.Matchers.AddRange(matchers);
            request.Queries.Add(query);
        }
        return Snappy.Compress(request.ToByteArray());
    }

    private static V1.LabelMatcher M(string name, V1.LabelMatcher.Types.Type type, string value) => new() { Name = name, Type = type, Value = value };

    private static async Task<(string ContentType, string? Encoding, byte[] Body)> Read(RemoteReader reader, byte[] request, Tsdb.Query.Execution.MemoryReservation? memory = null)
    {
        var body = new MemoryStream();
        string? contentType = null, encoding = null;
        await reader.ReadAsync(Db, RemoteReadRequest.Decode(request), (type, enc) =>
        {
            Assert.Null(contentType);   // called once
            contentType = type;
            encoding = enc;
            return body;
        }, CancellationToken.None, memory);
        return (contentType!, encoding, body.ToArray());
    }

    /// <summary>Splits a streamed body into frames, checking each CRC-32C.</summary>
    internal static List<V1.ChunkedReadResponse> Frames(byte[] body)
    {
        var frames = new List<V1.ChunkedReadResponse>();
        var position = 0;
        while (position < body.Length)
        {
            ulong size = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = body[position++];
                size |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }
            var crc = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(position));
            position += 4;
            var message = body.AsSpan(position, (int)size);
            Assert.Equal(crc, Crc32C.Compute(message));
            frames.Add(V1.ChunkedReadResponse.Parser.ParseFrom(message));
            position += (int)size;
        }
        return frames;
    }

    [Fact]
    public async Task Native_histograms_come_back_in_samples_responses_and_in_streamed_histogram_chunks()
    {
        var series = new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "latency" } } };
        series.Samples.Add(new V1.Sample { Timestamp = 1000, Value = 3 });
        var sent = new V1.Histogram
        {
            CountInt = 6, ZeroCountInt = 1, Sum = 12.5, Schema = 2, ZeroThreshold = 0.01, Timestamp = 2000, ResetHint = V1.Histogram.Types.ResetHint.No,
            PositiveSpans = { new V1.BucketSpan { Offset = -1, Length = 2 }, new V1.BucketSpan { Offset = 3, Length = 1 } },
            PositiveDeltas = { 2, -1, 1 },   // counts 2, 1, 2
            NegativeSpans = { new V1.BucketSpan { Offset = 0, Length = 0 } },
        };
        series.Histograms.Add(sent);
        var request = new V1.WriteRequest { Timeseries = { series } };
        Assert.Equal(RemoteWriteStatus.Ok, (await _ingester.WriteAsync(Db, Snappy.Compress(request.ToByteArray()), RemoteWriteVersion.V1)).Status);

        var (_, _, body) = await Read(Reader(), Request(false, (0, 5000, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "latency")])));
        var back = Assert.Single(V1.ReadResponse.Parser.ParseFrom(IronSnappy.Snappy.Decode(body)).Results[0].Timeseries);
        Assert.Equal([3.0], back.Samples.Select(s => s.Value));
        var h = Assert.Single(back.Histograms);
        // As a float histogram with absolute counts; empty spans are not repeated.
        var expected = new V1.Histogram
        {
            CountFloat = 6, ZeroCountFloat = 1, Sum = 12.5, Schema = 2, ZeroThreshold = 0.01, Timestamp = 2000, ResetHint = V1.Histogram.Types.ResetHint.No,
            PositiveSpans = { new V1.BucketSpan { Offset = -1, Length = 2 }, new V1.BucketSpan { Offset = 3, Length = 1 } },
            PositiveCounts = { 2, 1, 2 },
        };
        Assert.Equal(expected, h);

        // Streamed: the float sample in an XOR chunk, then the histogram in an integer HISTOGRAM chunk (its counts are whole).
        var (_, _, streamedBody) = await Read(Reader(), Request(true, (0, 5000, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "latency")])));
        var chunks = Assert.Single(Frames(streamedBody)).ChunkedSeries.Single().Chunks;
        Assert.Equal([V1.Chunk.Types.Encoding.Xor, V1.Chunk.Types.Encoding.Histogram], chunks.Select(c => c.Type));
        Assert.Equal([(1000L, 3.0)], XorChunkReader.Read(chunks[0].Data.ToByteArray()));
        var (_, samples) = HistogramChunkReader.Read(chunks[1].Data.ToByteArray(), isFloat: false);
        Assert.Equal("2000: schema 2 zt 0.01 count 6 zero 1 sum 12.5 +[-1:2,0:1,4:2] -[] cv[]", Assert.Single(samples).ToString());
    }

    [Fact]
    public async Task Streamed_histogram_chunks_match_what_prometheus_itself_serves_for_the_same_samples()
    {
        // Integer native histograms remote-written to Prometheus 2.42 (its receiver, native histograms on) and here:
        // a bucket appears at 10 (Prometheus recodes its chunk), the counters reset at 40 (Prometheus cuts a chunk
        // with the reset header), negative and zero buckets throughout.
        // Prometheus' head also cuts a chunk at every two-hour boundary (its block range); the 17.5 minutes of samples
        // start just after one, at least 30 minutes ago, so none falls inside them and the chunks compare.
        const long blockRange = 2 * 3_600_000L;
        var start = ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (30 * 60_000)) / blockRange * blockRange) + 60_000;
        var series = new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "hcmp" }, new V1.Label { Name = "job", Value = "a" } } };
        for (var i = 0; i < 70; i++)
        {
            var level = i < 40 ? i + 1 : i - 39;
            long[] positive = i < 10 ? [level, 2 * level, 3] : [level, 2 * level, 3, i];
            var h = new V1.Histogram
            {
                Schema = 1, ZeroThreshold = Math.ScaleB(1, -128), ZeroCountInt = (ulong)level, Sum = level * 2.75, Timestamp = start + (i * 15_000L) + (i % 7 == 0 ? 1_000 : 0),
                PositiveSpans = { new V1.BucketSpan { Offset = -2, Length = 3 } },
                NegativeSpans = { new V1.BucketSpan { Offset = 1, Length = 2 } },
                NegativeDeltas = { level, 0 },
            };
            if (i >= 10)
            {
                h.PositiveSpans.Add(new V1.BucketSpan { Offset = 4, Length = 1 });
            }
            long previous = 0;
            foreach (var count in positive)
            {
                h.PositiveDeltas.Add(count - previous);
                previous = count;
            }
            h.CountInt = (ulong)(level + positive.Sum() + (2 * level));
            series.Histograms.Add(h);
        }
        var write = new V1.WriteRequest { Timeseries = { series } };
        var body = Snappy.Compress(write.ToByteArray());
        Assert.Equal(RemoteWriteStatus.Ok, (await _ingester.WriteAsync(Db, body, RemoteWriteVersion.V1)).Status);

        var (port, directory) = Tsdb.Testing.PrometheusServer.Prepare();
        using var prometheus = Tsdb.Testing.PrometheusServer.Start(port, directory, "global:\n  scrape_interval: 1h\n",
            "--web.enable-remote-write-receiver", "--enable-feature=native-histograms");
        using var http = new HttpClient { BaseAddress = prometheus.Url };
        using (var content = new ByteArrayContent(body))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            content.Headers.ContentEncoding.Add("snappy");
            using var written = await http.PostAsync("/api/v1/write", content);
            Assert.True(written.IsSuccessStatusCode, $"{(int)written.StatusCode} {await written.Content.ReadAsStringAsync()}");
        }

        var request = Request(true, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "hcmp")]));
        using var readContent = new ByteArrayContent(request);
        readContent.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        readContent.Headers.ContentEncoding.Add("snappy");
        using var response = await http.PostAsync("/api/v1/read", readContent);
        var theirBody = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, System.Text.Encoding.UTF8.GetString(theirBody));
        var theirs = Frames(theirBody).SelectMany(f => f.ChunkedSeries).SelectMany(s => s.Chunks).ToList();
        var (_, _, ourBody) = await Read(Reader(), request);
        var ours = Frames(ourBody).SelectMany(f => f.ChunkedSeries).SelectMany(s => s.Chunks).ToList();
        string Describe(List<V1.Chunk> chunks) => string.Join(", ", chunks.Select(c => $"{c.Type} {c.MinTimeMs}-{c.MaxTimeMs} {c.Data.Length} B header {c.Data[2]:X2}"));
        Assert.True(theirs.Count > 0, "Prometheus sent no chunks");
        Assert.All(theirs, c => Assert.Equal(V1.Chunk.Types.Encoding.Histogram, c.Type));

        // The test's reader reads Prometheus' own chunks back to exactly the samples written, so it can judge ours.
        static List<string> Samples(List<V1.Chunk> chunks) =>
            [.. chunks.SelectMany(c => HistogramChunkReader.Read(c.Data.ToByteArray(), c.Type == V1.Chunk.Types.Encoding.FloatHistogram).Samples).Select(s => s.ToString())];
        Assert.Equal(70, Samples(theirs).Count);
        Assert.Equal(Samples(theirs), Samples(ours));
        // Where both cut a chunk over the same samples, the bytes are Prometheus' bytes, but for the counter-reset
        // header on the chunk cut at the reset: 2.42 leaves it unknown (00), Prometheus 3's appender (histogram.go)
        // writes "counter reset" (10) there, as this server does. Every other header is the same.
        var same = 0;
        var resetStart = start + (40 * 15_000L);
        foreach (var chunk in ours)
        {
            if (theirs.FirstOrDefault(c => c.MinTimeMs == chunk.MinTimeMs && c.MaxTimeMs == chunk.MaxTimeMs) is { } theirChunk)
            {
                var (theirBytes, ourBytes) = (theirChunk.Data.ToByteArray(), chunk.Data.ToByteArray());
                if (chunk.MinTimeMs == resetStart)
                {
                    Assert.Equal((0x00, 0x80), (theirBytes[2], ourBytes[2]));
                    theirBytes[2] = ourBytes[2];
                }
                Assert.True(theirBytes.AsSpan().SequenceEqual(ourBytes), $"chunk {chunk.MinTimeMs}-{chunk.MaxTimeMs}\ntheirs {Convert.ToHexString(theirBytes)}\nours   {Convert.ToHexString(ourBytes)}");
                same++;
            }
        }
        Assert.True(same >= 2, $"chunks cut alike: {same}\ntheirs: {Describe(theirs)}\nours: {Describe(ours)}");
    }

    [Fact]
    public async Task Samples_answer_is_a_snappy_read_response_per_query()
    {
        await Write("up", "api", 10);
        await Write("up", "db", 10);
        await Write("other", "api", 10);
        var (type, encoding, body) = await Read(Reader(), Request(false,
            (1_700_000_000_000, 1_700_000_045_000, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")]),
            (0, long.MaxValue / 2, [M("job", V1.LabelMatcher.Types.Type.Re, "a.*"), M("__name__", V1.LabelMatcher.Types.Type.Neq, "up")])));
        Assert.Equal("application/x-protobuf", type);
        Assert.Equal("snappy", encoding);
        var response = V1.ReadResponse.Parser.ParseFrom(IronSnappy.Snappy.Decode(body));
        Assert.Equal(2, response.Results.Count);
        var first = response.Results[0].Timeseries;
        Assert.Equal(["api", "db"], first.Select(s => s.Labels.Single(l => l.Name == "job").Value));
        Assert.All(first, s => Assert.Equal(["__name__", "job"], s.Labels.Select(l => l.Name)));
        // [start, end] inclusive: samples 0..3.
        Assert.Equal([0.0, 0.5, 1.0, 1.5], first[0].Samples.Select(s => s.Value));
        Assert.Equal(1_700_000_045_000, first[0].Samples[^1].Timestamp);
        var second = Assert.Single(response.Results[1].Timeseries);
        Assert.Equal("other", second.Labels[0].Value);
        Assert.Equal(10, second.Samples.Count);
    }

    [Fact]
    public async Task Streamed_answer_is_crc_checked_frames_of_xor_chunks_of_at_most_120_samples()
    {
        await Write("up", "api", 300);
        await Write("up", "db", 5);
        var (type, encoding, body) = await Read(Reader(), Request(true,
            (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")]),
            (0, long.MaxValue / 2, [M("job", V1.LabelMatcher.Types.Type.Eq, "db")])));
        Assert.Equal("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse", type);
        Assert.Null(encoding);
        var frames = Frames(body);
        Assert.Equal([0L, 0L, 1L], frames.Select(f => f.QueryIndex));
        var api = Assert.Single(frames[0].ChunkedSeries);
        Assert.Equal("api", api.Labels[1].Value);
        Assert.Equal([120, 120, 60], api.Chunks.Select(c => XorChunkReader.Read(c.Data.ToByteArray()).Count));
        Assert.All(api.Chunks, c => Assert.Equal(V1.Chunk.Types.Encoding.Xor, c.Type));
        var samples = api.Chunks.SelectMany(c => XorChunkReader.Read(c.Data.ToByteArray())).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (1_700_000_000_000 + (i * 15_000L), i * 0.5)), samples);
        Assert.Equal(1_700_000_000_000 + (120 * 15_000L), api.Chunks[1].MinTimeMs);
        Assert.Equal(1_700_000_000_000 + (239 * 15_000L), api.Chunks[1].MaxTimeMs);
        Assert.Equal("db", frames[2].ChunkedSeries[0].Labels[1].Value);
    }

    [Fact]
    public async Task A_series_larger_than_a_frame_goes_on_in_the_next_frame_with_the_same_labels()
    {
        await Write("up", "api", 1000);
        var (_, _, body) = await Read(Reader(frameBytes: 600), Request(true, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")])));
        var frames = Frames(body);
        Assert.True(frames.Count > 1);
        Assert.All(frames, f => Assert.Equal("api", Assert.Single(f.ChunkedSeries).Labels[1].Value));
        Assert.Equal(1000, frames.SelectMany(f => f.ChunkedSeries[0].Chunks).Sum(c => XorChunkReader.Read(c.Data.ToByteArray()).Count));
    }

    [Fact]
    public async Task Streamed_chunks_match_what_prometheus_itself_serves_for_the_same_samples()
    {
        // 300 samples in one 2-hour block, values that exercise every XOR case, 7.5 s off the block start.
        const long blockStart = 1_699_999_200_000;
        var samples = new List<(long T, double V)>();
        for (var i = 0; i < 300; i++)
        {
            samples.Add((blockStart + 7_500 + (i * 15_000L) + (i % 7 == 0 ? 1_000 : 0), (i % 5) switch { 0 => i * 1.5, 1 => i * 1.5, 2 => -i / 3.0, 3 => 1e300 / (i + 1), _ => 42 }));
        }
        var series = new V1.TimeSeries();
        series.Labels.Add(new V1.Label { Name = "__name__", Value = "cmp" });
        series.Labels.Add(new V1.Label { Name = "job", Value = "a" });
        series.Samples.AddRange(samples.Select(s => new V1.Sample { Timestamp = s.T, Value = s.V }));
        var write = new V1.WriteRequest();
        write.Timeseries.Add(series);
        Assert.Equal(RemoteWriteStatus.Ok, (await _ingester.WriteAsync(Db, Snappy.Compress(write.ToByteArray()), RemoteWriteVersion.V1)).Status);

        var (port, directory) = Tsdb.Testing.PrometheusServer.Prepare();
        var openMetrics = Path.Combine(directory, "cmp.om");
        var text = new System.Text.StringBuilder("# TYPE cmp gauge\n");
        foreach (var (t, v) in samples)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"cmp{{job=\"a\"}} {v:R} {t / 1000.0:0.###}\n");
        }
        File.WriteAllText(openMetrics, text.Append("# EOF\n").ToString());
        Tsdb.Testing.PrometheusServer.Backfill(openMetrics, Path.Combine(directory, "data"));
        using var prometheus = Tsdb.Testing.PrometheusServer.Start(port, directory, "global:\n  scrape_interval: 1h\n");
        using var http = new HttpClient { BaseAddress = prometheus.Url };
        var request = Request(true, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "cmp")]));
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var response = await http.PostAsync("/api/v1/read", content);
        var theirBody = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, System.Text.Encoding.UTF8.GetString(theirBody));
        Assert.Equal(RemoteReader.StreamedContentType, response.Content.Headers.ContentType!.ToString());

        var theirs = Frames(theirBody).SelectMany(f => f.ChunkedSeries).SelectMany(s => s.Chunks).ToList();
        var (_, _, ourBody) = await Read(Reader(), request);
        var ours = Frames(ourBody).SelectMany(f => f.ChunkedSeries).SelectMany(s => s.Chunks).ToList();
        // The test's reader reads Prometheus' own chunks back to exactly the samples, so it can judge ours.
        var expected = samples.Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))).ToList();
        Assert.Equal(expected, theirs.SelectMany(c => XorChunkReader.Read(c.Data.ToByteArray())).Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))));
        Assert.Equal(expected, ours.SelectMany(c => XorChunkReader.Read(c.Data.ToByteArray())).Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))));
        // Where both cut a chunk over the same samples, the bytes are Prometheus' bytes.
        var same = 0;
        foreach (var chunk in ours)
        {
            if (theirs.FirstOrDefault(c => c.MinTimeMs == chunk.MinTimeMs && c.MaxTimeMs == chunk.MaxTimeMs) is { } theirChunk)
            {
                Assert.Equal(Convert.ToHexString(theirChunk.Data.ToByteArray()), Convert.ToHexString(chunk.Data.ToByteArray()));
                same++;
            }
        }
        Assert.True(same > 0, $"no chunk cut alike: theirs {string.Join(",", theirs.Select(c => XorChunkReader.Read(c.Data.ToByteArray()).Count))}");
    }

    [Fact]
    public async Task More_samples_than_the_limit_fail_before_anything_is_written()
    {
        await Write("up", "api", 300);
        var reader = Reader(sampleLimit: 299);
        foreach (var streamed in new[] { false, true })
        {
            var e = await Assert.ThrowsAsync<SampleLimitExceededException>(() => Read(reader, Request(streamed, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")]))));
            Assert.StartsWith("exceeded sample limit (299)", e.Message, StringComparison.Ordinal);
        }
        var (_, _, body) = await Read(Reader(sampleLimit: 300), Request(false, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")])));
        Assert.Equal(300, V1.ReadResponse.Parser.ParseFrom(IronSnappy.Snappy.Decode(body)).Results[0].Timeseries[0].Samples.Count);
    }

    [Fact]
    public async Task A_read_reserves_what_it_holds_and_one_over_the_query_limit_fails_before_the_answer_starts()
    {
        await Write("up", "api", 1000);
        var process = new Tsdb.Core.Diagnostics.ProcessMemory(256L << 20);
        var pool = new Tsdb.Query.Execution.QueryMemoryPool(64L << 20, process);
        using (var memory = pool.Reserve("remote read"))
        {
            var (_, _, body) = await Read(Reader(), Request(false, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")])), memory);
            Assert.Equal(1000, V1.ReadResponse.Parser.ParseFrom(IronSnappy.Snappy.Decode(body)).Results[0].Timeseries[0].Samples.Count);
            // The samples it kept and the SAMPLES answer built from them, against the query's pool and the budget.
            Assert.True(memory.Size >= 1000 * RemoteReader.SamplesAnswerBytesPerSample, $"reserved {memory.Size}");
            Assert.True(process.Used >= memory.Size);
        }
        pool.Close();
        Assert.Equal(0, process.Used);

        // A query limit that holds the samples but not the answer: refused before anything is written.
        var tight = new Tsdb.Query.Execution.QueryMemoryPool(100_000, process);
        using (var memory = tight.Reserve("remote read"))
        {
            var e = await Assert.ThrowsAsync<Tsdb.Query.QueryLimitException>(() => Read(Reader(), Request(false, (0, long.MaxValue / 2, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")])), memory));
            Assert.Equal(Tsdb.Query.QueryLimit.Memory, e.Limit);
            Assert.StartsWith("the query exceeded its memory limit of 97.7 KiB: remote read needed ", e.Message, StringComparison.Ordinal);
        }
        tight.Close();
        Assert.Equal(0, process.Used);
    }

    [Fact]
    public async Task An_unknown_database_is_refused_before_the_answer_starts()
    {
        var reader = Reader();
        var request = RemoteReadRequest.Decode(Request(true, (0, 1, [M("__name__", V1.LabelMatcher.Types.Type.Eq, "up")])));
        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => reader.ReadAsync("nope", request, (_, _) => throw new InvalidOperationException("started"), CancellationToken.None));
    }

    [Fact]
    public void Bad_requests_get_clear_messages()
    {
        Assert.StartsWith("the body is not snappy (block format) data", Assert.Throws<RemoteReadException>(() => RemoteReadRequest.Decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).Message, StringComparison.Ordinal);
        Assert.StartsWith("the body is not a valid prometheus.ReadRequest protobuf message", Assert.Throws<RemoteReadException>(() => RemoteReadRequest.Decode(Snappy.Compress([0x0a, 0x05, 0x01]))).Message, StringComparison.Ordinal);
        var unknownType = new V1.ReadRequest();
        unknownType.AcceptedResponseTypes.Add((V1.ReadRequest.Types.ResponseType)7);
        Assert.Equal("server does not support any of the requested response types: 7; supported: SAMPLES, STREAMED_XOR_CHUNKS",
            Assert.Throws<RemoteReadException>(() => RemoteReadRequest.Decode(Snappy.Compress(unknownType.ToByteArray()))).Message);
        Assert.StartsWith("invalid regular expression in matcher job:", Assert.Throws<RemoteReadException>(() => RemoteReadRequest.Decode(Request(false, (0, 1, [M("job", V1.LabelMatcher.Types.Type.Re, "(")])))).Message, StringComparison.Ordinal);
        Assert.Equal("query 0: end_timestamp_ms 1 is before start_timestamp_ms 2", Assert.Throws<RemoteReadException>(() => RemoteReadRequest.Decode(Request(false, (2, 1, [])))).Message);
        Assert.False(RemoteReadRequest.Decode(Request(false, (0, 1, []))).Streamed);
        Assert.True(RemoteReadRequest.Decode(Request(true, (0, 1, []))).Streamed);
    }
}
