using System.Buffers.Binary;
using Google.Protobuf;
using Tsdb.Core.Compression;
using Tsdb.Core.Hashing;
using Tsdb.Prometheus.Protocol.V1;
using Tsdb.PromQL;
using Tsdb.Query;
using Label = Tsdb.Prometheus.Protocol.V1.Label;
using QueryResult = Tsdb.Prometheus.Protocol.V1.QueryResult;

namespace Tsdb.Prometheus;

/// <summary>
/// Remote read (<c>POST /api/v1/read</c>): answers a <see cref="RemoteReadRequest"/> from storage through
/// <see cref="StorageSeriesSource"/>, the chunk scan PromQL reads. SAMPLES is one snappy-compressed ReadResponse;
/// native histograms go in SAMPLES responses as float histograms. STREAMED_XOR_CHUNKS is a frame per series (a large
/// series in several, each at most about <see cref="MaxBytesInFrame"/>): uvarint length, big-endian CRC-32C of the
/// message, then a ChunkedReadResponse with Prometheus' chunks of at most 120 samples (XOR for floats, HISTOGRAM or
/// FLOAT_HISTOGRAM for native histograms, see <see cref="HistogramChunk"/>), written as each query's series come. A request reads at most
/// <see cref="SampleLimit"/> samples (all queries together): past it the read fails before the samples are held.
/// </summary>
public sealed class RemoteReader(Catalog.Catalog catalog, ITableSource tables)
{
    public const string SamplesContentType = "application/x-protobuf";
    public const string StreamedContentType = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

    /// <summary>Prometheus' <c>--storage.remote.read-sample-limit</c> default.</summary>
    public long SampleLimit { get; init; } = 50_000_000;

    /// <summary>
    /// What a SAMPLES answer holds per sample besides the sample itself (which the source reserves as it reads): its
    /// message object and list slot, the serialized response and its snappy copy, all alive at once before the write.
    /// </summary>
    internal const long SamplesAnswerBytesPerSample = 96;

    /// <summary>Prometheus' <c>--storage.remote.read-max-bytes-in-frame</c> default (1 MiB).</summary>
    public int MaxBytesInFrame { get; init; } = 1 << 20;

    /// <summary>
    /// Reads the request and writes the answer. <paramref name="start"/> is called once, before the first byte, with
    /// the content type and content encoding (null: none), and returns the body to write to. Errors before that
    /// (<see cref="DatabaseNotFoundException"/>, <see cref="SampleLimitExceededException"/>, a bad regex) leave the
    /// response untouched for the caller to answer; a streamed answer can still fail between frames.
    /// <paramref name="memory"/>: where what the read holds is reserved (its scans' decodes, the samples and series it
    /// keeps, a SAMPLES answer as it is built), against the query's limit and the process's budget; a
    /// <see cref="Tsdb.Query.QueryLimitException"/> when either has no room.
    /// </summary>
    public async Task ReadAsync(string database, RemoteReadRequest request, Func<string, string?, Stream> start, CancellationToken cancellationToken, Tsdb.Query.Execution.MemoryReservation? memory = null)
    {
        if (catalog.Current.FindDatabase(database) is null)
        {
            throw new DatabaseNotFoundException(database);
        }
        var source = new StorageSeriesSource(catalog, tables, database) { SampleLimit = SampleLimit, Memory = memory };
        if (!request.Streamed)
        {
            var response = new ReadResponse();
            foreach (var query in request.Queries)
            {
                var result = new QueryResult();
                var selected = await source.SelectAsync(query.Matchers, query.StartMs, query.EndMs, cancellationToken).ConfigureAwait(false);
                if (memory is not null)
                {
                    long samples = 0;
                    foreach (var series in selected)
                    {
                        samples += series.TimestampsMs.Length;
                    }
                    await memory.GrowAsync(samples * SamplesAnswerBytesPerSample, running: true, cancellationToken).ConfigureAwait(false);
                }
                foreach (var series in selected)
                {
                    var ts = new TimeSeries();
                    AddLabels(ts.Labels, series.Labels);
                    for (var i = 0; i < series.TimestampsMs.Length; i++)
                    {
                        if (series.Histograms?[i] is { } histogram)
                        {
                            ts.Histograms.Add(ToMessage(histogram, series.TimestampsMs[i]));
                        }
                        else
                        {
                            ts.Samples.Add(new Sample { Timestamp = series.TimestampsMs[i], Value = series.Values[i] });
                        }
                    }
                    result.Timeseries.Add(ts);
                }
                response.Results.Add(result);
            }
            var compressed = Snappy.Compress(response.ToByteArray());
            var body = start(SamplesContentType, "snappy");
            await body.WriteAsync(compressed, cancellationToken).ConfigureAwait(false);
            return;
        }
        Stream? output = null;
        for (var q = 0; q < request.Queries.Count; q++)
        {
            var query = request.Queries[q];
            var found = await source.SelectAsync(query.Matchers, query.StartMs, query.EndMs, cancellationToken).ConfigureAwait(false);
            output ??= start(StreamedContentType, null);
            foreach (var series in found)
            {
                await WriteSeriesAsync(output, q, series, cancellationToken).ConfigureAwait(false);
            }
        }
        _ = output ?? start(StreamedContentType, null);
    }

    private async Task WriteSeriesAsync(Stream output, int queryIndex, SeriesSamples series, CancellationToken cancellationToken)
    {
        var labels = new Google.Protobuf.Collections.RepeatedField<Label>();
        AddLabels(labels, series.Labels);
        var labelBytes = labels.CalculateSize(FieldCodec.ForMessage(10, Label.Parser));
        var frame = NewFrame(labels);
        var left = MaxBytesInFrame - labelBytes;
        foreach (var chunk in Chunks(series))
        {
            if (left <= 0)
            {
                // As Prometheus does: a full frame goes out, the series goes on in the next one with the same labels.
                await WriteFrameAsync(output, queryIndex, frame, cancellationToken).ConfigureAwait(false);
                frame = NewFrame(labels);
                left = MaxBytesInFrame - labelBytes;
            }
            frame.Chunks.Add(chunk);
            left -= chunk.Data.Length + 32;
        }
        await WriteFrameAsync(output, queryIndex, frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The series as Prometheus chunks, in time order: XOR chunks for runs of float samples, HISTOGRAM or
    /// FLOAT_HISTOGRAM chunks for runs of native histograms (a staleness marker right after a histogram goes into the
    /// histogram chunk as a stale histogram, as Prometheus' TSDB writes it). Made lazily, one chunk at a time.
    /// </summary>
    internal static IEnumerable<Chunk> Chunks(SeriesSamples series)
    {
        var times = series.TimestampsMs;
        var histograms = series.Histograms;
        for (var i = 0; i < times.Length;)
        {
            if (histograms?[i] is { } first)
            {
                var chunk = new HistogramChunk(times[i], first, HistogramChunk.FirstHeader(first));
                for (i++; i < times.Length; i++)
                {
                    var h = histograms[i];
                    if (h is null && BitConverter.DoubleToInt64Bits(series.Values[i]) != HistogramColumns.StaleBits)
                    {
                        break;
                    }
                    if (!chunk.TryAppend(times[i], h, out var header))
                    {
                        yield return ToMessage(chunk);
                        chunk = new HistogramChunk(times[i], h, header);
                    }
                }
                yield return ToMessage(chunk);
                continue;
            }
            var xor = new XorChunk();
            for (; i < times.Length && xor.Count < XorChunk.MaxSamples && histograms?[i] is null; i++)
            {
                xor.Append(times[i], series.Values[i]);
            }
            yield return new Chunk { MinTimeMs = xor.MinTime, MaxTimeMs = xor.MaxTime, Type = Chunk.Types.Encoding.Xor, Data = ByteString.CopyFrom(xor.ToArray()) };
        }
    }

    private static Chunk ToMessage(HistogramChunk chunk) => new()
    {
        MinTimeMs = chunk.MinTime,
        MaxTimeMs = chunk.MaxTime,
        Type = chunk.IsFloat ? Chunk.Types.Encoding.FloatHistogram : Chunk.Types.Encoding.Histogram,
        Data = ByteString.CopyFrom(chunk.ToArray()),
    };

    private static ChunkedSeries NewFrame(Google.Protobuf.Collections.RepeatedField<Label> labels)
    {
        var series = new ChunkedSeries();
        series.Labels.Add(labels);
        return series;
    }

    private static async Task WriteFrameAsync(Stream output, int queryIndex, ChunkedSeries series, CancellationToken cancellationToken)
    {
        var message = new ChunkedReadResponse { QueryIndex = queryIndex };
        message.ChunkedSeries.Add(series);
        var bytes = message.ToByteArray();
        var header = new byte[10 + 4];
        var n = 0;
        for (var size = (ulong)bytes.Length; ; size >>= 7)
        {
            if (size < 0x80)
            {
                header[n++] = (byte)size;
                break;
            }
            header[n++] = (byte)(size | 0x80);
        }
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(n), Crc32C.Compute(bytes));
        await output.WriteAsync(header.AsMemory(0, n + 4), cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        // Each frame reaches the client as it is made, so neither side holds the whole answer.
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A stored histogram as remote read's float histogram message (counts absolute, as stored).</summary>
    private static Histogram ToMessage(FloatHistogram h, long ms)
    {
        var message = new Histogram
        {
            CountFloat = h.Count, Sum = h.Sum, Schema = h.Schema, ZeroThreshold = h.ZeroThreshold, ZeroCountFloat = h.ZeroCount,
            ResetHint = (Histogram.Types.ResetHint)h.CounterResetHint, Timestamp = ms,
        };
        foreach (var span in h.PositiveSpans)
        {
            message.PositiveSpans.Add(new BucketSpan { Offset = span.Offset, Length = span.Length });
        }
        foreach (var span in h.NegativeSpans)
        {
            message.NegativeSpans.Add(new BucketSpan { Offset = span.Offset, Length = span.Length });
        }
        message.PositiveCounts.AddRange(h.PositiveBuckets);
        message.NegativeCounts.AddRange(h.NegativeBuckets);
        message.CustomValues.AddRange(h.CustomValues);
        return message;
    }

    private static void AddLabels(Google.Protobuf.Collections.RepeatedField<Label> into, Labels labels)
    {
        foreach (var label in labels)
        {
            into.Add(new Label { Name = label.Name, Value = label.Value });
        }
    }
}
