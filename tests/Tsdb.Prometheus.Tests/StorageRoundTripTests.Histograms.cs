using Google.Protobuf;
using Tsdb.Core.Compression;
using Tsdb.PromQL;
using Tsdb.Storage.Persistence;
using V1 = Tsdb.Prometheus.Protocol.V1;
using V2 = Tsdb.Prometheus.Protocol.V2;

namespace Tsdb.Prometheus.Tests;

/// <summary>Native histograms through remote write, WAL, buffer, Parquet and compaction, and back out.</summary>
public sealed partial class StorageRoundTripTests
{
    private static readonly FloatHistogram IntegerHistogram =
        new(-4, 0.001, 2, 12, 7.5, [new(-2, 2), new(1, 1)], [3, 5, 1], [new(0, 1)], [1], counterResetHint: HistogramCounterResetHint.NotCounterReset);

    private static readonly FloatHistogram FloatHistogramSample =
        new(8, 0, 0, 10.6, -3.25, [new(-300, 5)], [1.5, 2, 3, 1e-5, 3.999999999], null, null, counterResetHint: HistogramCounterResetHint.Gauge);

    private static readonly FloatHistogram CustomHistogram =
        new(-53, 0, 0, 9, 42, [new(0, 2), new(2, 1)], [4, 2, 3], null, null, [0.1, 0.25, 1, 2.5, 1e6]);

    /// <summary>A remote-write histogram message for <paramref name="h"/>, as an integer one (deltas) when asked.</summary>
    private static V1.Histogram ToV1(FloatHistogram h, long ms, bool integer)
    {
        var m = new V1.Histogram { Sum = h.Sum, Schema = h.Schema, ZeroThreshold = h.ZeroThreshold, Timestamp = ms, ResetHint = (V1.Histogram.Types.ResetHint)h.CounterResetHint };
        m.CustomValues.AddRange(h.CustomValues);
        foreach (var s in h.PositiveSpans)
        {
            m.PositiveSpans.Add(new V1.BucketSpan { Offset = s.Offset, Length = s.Length });
        }
        foreach (var s in h.NegativeSpans)
        {
            m.NegativeSpans.Add(new V1.BucketSpan { Offset = s.Offset, Length = s.Length });
        }
        if (integer)
        {
            m.CountInt = (ulong)h.Count;
            m.ZeroCountInt = (ulong)h.ZeroCount;
            m.PositiveDeltas.AddRange(Deltas(h.PositiveBuckets));
            m.NegativeDeltas.AddRange(Deltas(h.NegativeBuckets));
        }
        else
        {
            m.CountFloat = h.Count;
            m.ZeroCountFloat = h.ZeroCount;
            m.PositiveCounts.AddRange(h.PositiveBuckets);
            m.NegativeCounts.AddRange(h.NegativeBuckets);
        }
        return m;
    }

    private static IEnumerable<long> Deltas(IReadOnlyList<double> counts)
    {
        long previous = 0;
        foreach (var c in counts)
        {
            yield return (long)c - previous;
            previous = (long)c;
        }
    }

    private static V1.TimeSeries WithHistograms(V1.TimeSeries series, params V1.Histogram[] histograms)
    {
        series.Histograms.AddRange(histograms);
        return series;
    }

    private Compactor NewCompactor() => new(_catalog, _store, new ParquetFileWriter(_store, new StorageOptions(), TimeProvider.System), new FileRewriteGate(), new StorageOptions(), TimeProvider.System);

    /// <summary>"t=float" or "t=histogram" per sample, the histogram in Prometheus' String() form with its hint.</summary>
    private static string Show(SeriesSamples s) =>
        string.Join(" ", s.TimestampsMs.Select((t, i) => s.Histograms?[i] is { } h
            ? $"{t}={h}/{h.CounterResetHint}"
            : $"{t}={BitConverter.DoubleToInt64Bits(s.Values[i]):X}"));

    private static string Expected(params (long Ms, object Sample)[] samples) =>
        string.Join(" ", samples.Select(x => x.Sample is FloatHistogram h ? $"{x.Ms}={h}/{h.CounterResetHint}" : $"{x.Ms}={BitConverter.DoubleToInt64Bits((double)x.Sample):X}"));

    [Fact]
    public async Task Histograms_keep_every_field_through_buffer_wal_replay_parquet_and_compaction()
    {
        var stale = BitConverter.Int64BitsToDouble(StaleBits);
        var series = WithHistograms(WithSamples(Series(("__name__", "latency"), ("job", "a")), (500, 1.5)),
            ToV1(IntegerHistogram, 1000, integer: true), ToV1(FloatHistogramSample, 2000, integer: false), ToV1(CustomHistogram, 3000, integer: true),
            new V1.Histogram { Sum = stale, Timestamp = 4000 });
        var outcome = await Send(series);
        Assert.True(outcome.Status == RemoteWriteStatus.Ok, outcome.Message);
        Assert.Equal(1, outcome.SamplesWritten);
        Assert.Equal(4, outcome.HistogramsWritten);
        var expected = Expected((500, 1.5), (1000, IntegerHistogram), (2000, FloatHistogramSample), (3000, CustomHistogram), (4000, stale));

        async Task Check(string where)
        {
            var found = Assert.Single(await Select(Eq("__name__", "latency")));
            Assert.True(expected == Show(found), $"{where}: {Show(found)}");
            // The histogram fields are no metrics of their own.
            Assert.Equal(["latency{job=\"a\"}"], (await Source.SeriesAsync([], long.MinValue / 2, long.MaxValue / 2, default)).Select(l => l.ToString()));
        }

        await Check("buffer");
        _persister.Dispose();
        await _wal.DisposeAsync();
        OpenWal();
        await Check("after WAL replay");
        await _persister.PersistAsync();
        await Check("Parquet");
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(WithHistograms(Series(("__name__", "latency"), ("job", "a")), ToV1(IntegerHistogram, 5000, integer: false)))).Status);
        await _persister.PersistAsync();
        expected += " " + Expected((5000, IntegerHistogram));
        await Check("two files");
        Assert.Equal(1, (await NewCompactor().CompactAsync(minFiles: 2)).FilesWritten);
        Assert.Single(_catalog.Current.Files);
        await Check("compacted");
    }

    /// <summary>
    /// A size budget (deterministic data, no timing): 100 counter histograms of 20 buckets (schema 3) every 15 s for
    /// 3 h, compacted, stay under 48 bytes per sample (measured 36.8, docs/performance.md).
    /// </summary>
    [Fact]
    public async Task Compacted_histogram_samples_stay_within_their_size_budget()
    {
        var random = new Random(1);
        const int SeriesCount = 100, Samples = 720;
        for (var s = 0; s < SeriesCount; s++)
        {
            var counts = new double[20];
            double sum = 0;
            var series = Series(("__name__", "http_request_duration_seconds"), ("code", "200"), ("instance", "host-" + s), ("job", "api"));
            for (var i = 0; i < Samples; i++)
            {
                for (var b = 0; b < counts.Length; b++)
                {
                    var add = random.Next(0, 3) * (b is > 5 and < 14 ? 4 : 1);
                    counts[b] += add;
                    sum += add * Math.Pow(2, (b - 10) / 8.0);
                }
                var h = new FloatHistogram(3, 1e-128, 0, counts.Sum(), sum, [new(-10, 20)], [.. counts], null, null);
                series.Histograms.Add(ToV1(h, 1_700_000_000_000 + (i * 15_000L), integer: true));
            }
            Assert.Equal(RemoteWriteStatus.Ok, (await Send(series)).Status);
        }
        await _persister.PersistAsync();
        await NewCompactor().CompactAsync(minFiles: 1);
        var bytes = _catalog.Current.Files.Sum(f => f.SizeBytes);
        var perSample = (double)bytes / (SeriesCount * Samples);
        Assert.True(perSample < 48, $"{SeriesCount * Samples} samples in {bytes} bytes: {perSample:F2} bytes/sample");
        Assert.Equal(SeriesCount * Samples, (await Select(Eq("__name__", "http_request_duration_seconds"))).Sum(x => x.Histograms!.Count(h => h is not null)));
    }

    [Fact]
    public async Task Pages_that_hold_only_histogram_rows_persist_and_compact()
    {
        // Such a page's value column is all NaN (the marker), which has no Parquet bounds: the writer once failed
        // ordering the column index's empty bounds, now writes no column index for that chunk.
        _persister.Dispose();
        _persister = NewPersister(new StorageOptions { TruncateWal = false, Parquet = Tsdb.Parquet.Writing.ParquetWriterOptions.Default with { PageRowLimit = 64 } });
        var series = Series(("__name__", "h"), ("job", "a"));
        for (var i = 0; i < 300; i++)
        {
            series.Histograms.Add(ToV1(IntegerHistogram, 1000 + (i * 1000L), integer: true));
        }
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(series)).Status);
        await _persister.PersistAsync();
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(WithSamples(Series(("__name__", "h"), ("job", "a")), (500, 1)))).Status);
        await _persister.PersistAsync();
        await NewCompactor().CompactAsync(minFiles: 2);
        var found = Assert.Single(await Select(Eq("__name__", "h")));
        Assert.Equal(301, found.TimestampsMs.Length);
        Assert.Null(found.Histograms![0]);
        Assert.All(found.Histograms.Skip(1), h => Assert.True(IntegerHistogram.ExactlyEquals(h!)));
    }

    [Fact]
    public async Task A_float_and_a_histogram_at_one_timestamp_leave_the_later_one_whole()
    {
        // Rows at one series and time merge field by field, the later non-null value winning: the later sample must
        // come out whole, whichever kind it is, wherever the two rows are (buffer, Parquet, a compacted file).
        var smaller = new FloatHistogram(0, 0, 0, 1, 1, [new(0, 1)], [1], null, null);
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(
            WithSamples(Series(("__name__", "m"), ("s", "float-then-histogram")), (1000, 1)),
            WithHistograms(Series(("__name__", "m"), ("s", "histogram-then-float")), ToV1(IntegerHistogram, 1000, integer: true)),
            WithHistograms(Series(("__name__", "m"), ("s", "histogram-then-histogram")), ToV1(CustomHistogram, 1000, integer: true)))).Status);
        await _persister.PersistAsync();
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(
            WithHistograms(Series(("__name__", "m"), ("s", "float-then-histogram")), ToV1(FloatHistogramSample, 1000, integer: false)),
            WithSamples(Series(("__name__", "m"), ("s", "histogram-then-float")), (1000, 2)),
            WithHistograms(Series(("__name__", "m"), ("s", "histogram-then-histogram")), ToV1(smaller, 1000, integer: false)))).Status);

        async Task Check(string where)
        {
            var found = (await Select(Eq("__name__", "m"))).ToDictionary(s => s.Labels.Get("s")!, Show);
            Assert.True(Expected((1000, FloatHistogramSample)) == found["float-then-histogram"], $"{where}: {found["float-then-histogram"]}");
            Assert.True(Expected((1000, 2.0)) == found["histogram-then-float"], $"{where}: {found["histogram-then-float"]}");
            Assert.True(Expected((1000, smaller)) == found["histogram-then-histogram"], $"{where}: {found["histogram-then-histogram"]}");
        }

        await Check("Parquet and buffer");
        await _persister.PersistAsync();
        await Check("two files");
        await NewCompactor().CompactAsync(minFiles: 2);
        Assert.Single(_catalog.Current.Files);
        await Check("compacted");
    }

    [Fact]
    public async Task Version_2_histograms_are_stored_and_bad_ones_refuse_their_series_only()
    {
        var request = new V2.Request();
        request.Symbols.AddRange(["", "__name__", "rpc_seconds", "code", "200", "500", "400"]);
        var good = new V2.TimeSeries();
        good.LabelsRefs.AddRange([1, 2, 3, 4]);
        var h = V2.Histogram.Parser.ParseFrom(ToV1(CustomHistogram, 7000, integer: true).ToByteArray());
        good.Histograms.Add(h);
        var badSchema = new V2.TimeSeries();
        badSchema.LabelsRefs.AddRange([1, 2, 3, 5]);
        badSchema.Histograms.Add(new V2.Histogram { Schema = 9, CountInt = 0, Timestamp = 7000 });
        var badSpans = new V2.TimeSeries();
        badSpans.LabelsRefs.AddRange([1, 2, 3, 6]);
        badSpans.Histograms.Add(new V2.Histogram { Schema = 0, CountInt = 2, Timestamp = 7000, PositiveSpans = { new V2.BucketSpan { Offset = 0, Length = 2 } }, PositiveDeltas = { 2 } });
        request.Timeseries.AddRange([good, badSchema, badSpans]);
        var outcome = await _ingester.WriteAsync(Db, Snappy.Compress(request.ToByteArray()), RemoteWriteVersion.V2);
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal(1, outcome.HistogramsWritten);
        Assert.Contains("2 series refused, 0 samples and 1 histogram samples of the other series stored", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("series rpc_seconds{code=\"500\"}: histogram sample at 7000 ms: histogram schema 9 is out of range (−4…8 exponential, −53 custom buckets)", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("series rpc_seconds{code=\"400\"}: histogram sample at 7000 ms: spans describe 2 buckets, 1 counts given (positive buckets)", outcome.Message, StringComparison.Ordinal);
        var found = Assert.Single(await Select(Eq("__name__", "rpc_seconds")));
        Assert.Equal(Expected((7000, CustomHistogram)), Show(found));
    }
}
