using System.Text;
using Google.Protobuf;
using Tsdb.Catalog;
using Tsdb.Core.Compression;
using Tsdb.Ingest;
using Tsdb.ObjectStore;
using Tsdb.PromQL;
using Tsdb.Storage;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;
using MatchType = Tsdb.PromQL.MatchType;
using V1 = Tsdb.Prometheus.Protocol.V1;
using V2 = Tsdb.Prometheus.Protocol.V2;

namespace Tsdb.Prometheus.Tests;

/// <summary>Remote-write into real storage (WAL on disk, buffer, Parquet in a memory store) and back out through the series source.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed partial class StorageRoundTripTests : IAsyncLifetime
{
    private const long StaleBits = 0x7FF0000000000002;
    private const string Db = "prometheus";

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-prom-").FullName;
    private readonly InMemoryObjectStore _store = new();
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private PersistService _persister = null!;
    private RemoteWriteIngester _ingester = null!;

    public Task InitializeAsync()
    {
        _catalog = new Catalog.Catalog(new ObjectStoreCatalogStore(_store));
        OpenWal();
        return Task.CompletedTask;
    }

    private void OpenWal()
    {
        _buffer = new WriteBuffer(1L << 30);
        _buffer.SkipThrough(_catalog.Current.PersistedSequence);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir, SequenceFloor = _catalog.Current.PersistedSequence }, _buffer);
        _persister = NewPersister(new StorageOptions { TruncateWal = false });
        _ingester = new RemoteWriteIngester(_catalog, _wal, () => false, new MetricMetadataStore());
    }

    private PersistService NewPersister(StorageOptions options) => new(_catalog, _buffer, _wal, new ParquetFileWriter(_store, options, TimeProvider.System), options);

    public async Task DisposeAsync()
    {
        _persister.Dispose();
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private StorageSeriesSource Source => new(_catalog, new StorageTableSource(_catalog, _buffer, new ParquetFiles(_store)), Db);

    private static V1.TimeSeries Series(params (string Name, string Value)[] labels)
    {
        var series = new V1.TimeSeries();
        foreach (var (name, value) in labels)
        {
            series.Labels.Add(new V1.Label { Name = name, Value = value });
        }
        return series;
    }

    private static V1.TimeSeries WithSamples(V1.TimeSeries series, params (long Ms, double Value)[] samples)
    {
        foreach (var (ms, value) in samples)
        {
            series.Samples.Add(new V1.Sample { Timestamp = ms, Value = value });
        }
        return series;
    }

    private Task<RemoteWriteOutcome> Send(params V1.TimeSeries[] series)
    {
        var request = new V1.WriteRequest();
        request.Timeseries.AddRange(series);
        return _ingester.WriteAsync(Db, Snappy.Compress(request.ToByteArray()), RemoteWriteVersion.V1).AsTask();
    }

    private async Task<List<SeriesSamples>> Select(params LabelMatcher[] matchers) =>
        [.. await Source.SelectAsync(matchers, long.MinValue / 2, long.MaxValue / 2, CancellationToken.None)];

    private static LabelMatcher Eq(string name, string value) => new(name, MatchType.Equal, value);

    [Fact]
    public async Task Reading_a_database_that_does_not_exist_throws_naming_it()
    {
        // An empty answer would read as "no data" to a client that named the wrong database.
        var source = new StorageSeriesSource(_catalog, new StorageTableSource(_catalog, _buffer, new ParquetFiles(_store)), "absent_db");
        Assert.Equal("absent_db", (await Assert.ThrowsAsync<DatabaseNotFoundException>(() => source.SelectAsync([], 0, 1, default).AsTask())).Database);
        Assert.Equal("absent_db", (await Assert.ThrowsAsync<DatabaseNotFoundException>(() => source.LabelNamesAsync([], 0, 1, default).AsTask())).Database);
        var error = await Assert.ThrowsAsync<DatabaseNotFoundException>(() => source.LabelValuesAsync("job", [], 0, 1, default).AsTask());
        Assert.Equal("database 'absent_db' not found", error.Message);
    }

    [Theory]
    [InlineData("[a-", "invalid regular expression in matcher job=~\"[a-\": missing closing ] at offset 3")]
    // Accepted once wrapped in ^(?:…)\z, where it would match every value starting with "a".
    [InlineData("a)|(b", "invalid regular expression in matcher job=~\"a)|(b\": unexpected ) at offset 2")]
    public async Task A_matcher_with_an_invalid_regex_is_bad_data_about_the_pattern_as_written(string pattern, string message)
    {
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(WithSamples(Series(("__name__", "up"), ("job", "a")), (1000, 1)))).Status);
        var error = await Assert.ThrowsAsync<PromQLException>(() => Source.SelectAsync([new LabelMatcher("job", MatchType.RegexMatch, pattern)], 0, 2000, default).AsTask());
        Assert.Equal(message, error.Message);
        Assert.Equal(PromQLErrorType.BadData, error.ErrorType);
    }

    [Fact]
    public async Task Stale_markers_keep_their_bits_through_buffer_parquet_and_wal_replay()
    {
        var stale = BitConverter.Int64BitsToDouble(StaleBits);
        var outcome = await Send(WithSamples(Series(("__name__", "up"), ("job", "a")), (1000, 1), (2000, stale), (3000, double.NaN)));
        Assert.Equal(RemoteWriteStatus.Ok, outcome.Status);
        Assert.Equal(3, outcome.SamplesWritten);

        void Check(List<SeriesSamples> found, string where)
        {
            var series = Assert.Single(found);
            Assert.Equal([1000L, 2000L, 3000L], series.TimestampsMs);
            Assert.Equal(1.0, series.Values[0]);
            Assert.True(StaleBits == BitConverter.DoubleToInt64Bits(series.Values[1]), $"stale marker bits changed ({where}): {BitConverter.DoubleToInt64Bits(series.Values[1]):X}");
            Assert.True(double.IsNaN(series.Values[2]) && BitConverter.DoubleToInt64Bits(series.Values[2]) != StaleBits, where);
        }

        Check(await Select(Eq("__name__", "up")), "buffer");

        // Replay: a new WAL and buffer over the same directory.
        _persister.Dispose();
        await _wal.DisposeAsync();
        OpenWal();
        Check(await Select(Eq("__name__", "up")), "after WAL replay");

        await _persister.PersistAsync();
        Assert.Equal(0, _buffer.RowCount);
        Assert.NotEmpty(_catalog.Current.Files);
        Check(await Select(Eq("__name__", "up")), "Parquet");
    }

    [Fact]
    public async Task Labels_named_time_and_value_round_trip_and_matchers_select()
    {
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(
            WithSamples(Series(("__name__", "m"), ("time", "t1"), ("value", "v1"), ("zone", "eu")), (1000, 1)),
            WithSamples(Series(("__name__", "m"), ("zone", "us")), (1000, 2), (2000, 3)),
            WithSamples(Series(("__name__", "other"), ("zone", "eu")), (1000, 4)))).Status);

        var table = _catalog.Current.FindDatabase(Db)!.FindTable("m")!;
        Assert.Equal(["label:time", "label:value", "time", "value", "zone"], table.Columns.Select(c => c.Name).Order(StringComparer.Ordinal));

        var eu = await Select(Eq("zone", "eu"));
        Assert.Equal(["m{time=\"t1\", value=\"v1\", zone=\"eu\"}", "other{zone=\"eu\"}"], eu.Select(s => s.Labels.ToString()));
        Assert.Equal(["m{zone=\"us\"}"], (await Select(Eq("__name__", "m"), new LabelMatcher("time", MatchType.Equal, ""))).Select(s => s.Labels.ToString()));
        Assert.Equal(["m{time=\"t1\", value=\"v1\", zone=\"eu\"}"], (await Select(new LabelMatcher("value", MatchType.RegexMatch, "v.*"))).Select(s => s.Labels.ToString()));
        Assert.Equal(["m{zone=\"us\"}", "other{zone=\"eu\"}"], (await Select(new LabelMatcher("__name__", MatchType.RegexMatch, ".+"), new LabelMatcher("time", MatchType.NotEqual, "t1"))).Select(s => s.Labels.ToString()));
        Assert.Equal(["other{zone=\"eu\"}"], (await Select(new LabelMatcher("__name__", MatchType.RegexNoMatch, "m"))).Select(s => s.Labels.ToString()));
        var us = Assert.Single(await Select(Eq("zone", "us")));
        Assert.Equal([1000L, 2000L], us.TimestampsMs);
        Assert.Equal([2.0, 3.0], us.Values.ToArray());

        Assert.Equal(["__name__", "time", "value", "zone"], await Source.LabelNamesAsync([], long.MinValue / 2, long.MaxValue / 2, CancellationToken.None));
        Assert.Equal(["m", "other"], await Source.LabelValuesAsync("__name__", [], long.MinValue / 2, long.MaxValue / 2, CancellationToken.None));
        Assert.Equal(["eu", "us"], await Source.LabelValuesAsync("zone", [[Eq("__name__", "m")]], long.MinValue / 2, long.MaxValue / 2, CancellationToken.None));
    }

    [Fact]
    public async Task Time_range_and_persisted_files_are_respected()
    {
        await Send(WithSamples(Series(("__name__", "g"), ("host", "a")), (1000, 1), (2000, 2), (3000, 3)));
        await Send(WithSamples(Series(("__name__", "g"), ("host", "b")), (1000, 10)));
        await _persister.PersistAsync();
        await Send(WithSamples(Series(("__name__", "g"), ("host", "c")), (2500, 30)));

        var found = await Source.SelectAsync([Eq("__name__", "g")], 1500, 2500, CancellationToken.None);
        Assert.Equal(["g{host=\"a\"}:2000", "g{host=\"c\"}:2500"], found.Select(s => $"{s.Labels}:{string.Join(',', s.TimestampsMs)}"));
        // An equality matcher outside a file's tag range skips the file; inside it, the file is read.
        var b = Assert.Single(await Select(Eq("host", "b")));
        Assert.Equal(10.0, Assert.Single(b.Values));
        Assert.Empty(await Select(Eq("host", "zzz")));
        Assert.Single(await Source.SeriesAsync([[Eq("host", "c")]], 0, 5000, CancellationToken.None));
        Assert.Empty(await Source.SeriesAsync([[Eq("host", "c")]], 0, 2000, CancellationToken.None));
    }

    [Fact]
    public async Task Series_come_sorted_by_labels_with_samples_merged_across_buffer_and_parquet()
    {
        // Tag columns are created in the order the first series sends its labels (here not the label order), so
        // storage order is not label order and the reader must sort.
        await Send(WithSamples(Series(("zone", "b"), ("__name__", "s"), ("app", "x")), (3000, 3), (1000, 1)));
        await Send(WithSamples(Series(("__name__", "s"), ("zone", "a"), ("app", "y")), (1000, 10)));
        await _persister.PersistAsync();
        // The same series again in the buffer: a later sample, an earlier one, and a duplicate of a persisted one.
        await Send(WithSamples(Series(("__name__", "s"), ("app", "x"), ("zone", "b")), (4000, 4), (2000, 2), (3000, 30)));
        await Send(WithSamples(Series(("__name__", "s"), ("app", "z")), (500, 5)));

        var found = await Select(Eq("__name__", "s"));
        Assert.Equal(["s{app=\"x\", zone=\"b\"}", "s{app=\"y\", zone=\"a\"}", "s{app=\"z\"}"], found.Select(f => f.Labels.ToString()));
        Assert.Equal([1000L, 2000L, 3000L, 4000L], found[0].TimestampsMs);
        Assert.Equal([1.0, 2.0, 30.0, 4.0], found[0].Values);
        Assert.Equal([500L], found[2].TimestampsMs);
        Assert.Equal(["s{app=\"y\", zone=\"a\"}"], (await Select(Eq("zone", "a"))).Select(f => f.Labels.ToString()));
        Assert.Equal(["s{app=\"z\"}"], (await Select(Eq("__name__", "s"), Eq("zone", ""))).Select(f => f.Labels.ToString()));
    }

    [Fact]
    public async Task Every_kind_of_matcher_selects_the_same_series_as_filtering_all_of_them()
    {
        // 200 series over four tags (one absent on some series), half persisted in pages of 64 rows, half buffered:
        // the series source tests matchers once per dictionary entry and skips rows by key, and must agree with
        // testing each series' labels one by one.
        var all = new List<V1.TimeSeries>();
        for (var i = 0; i < 200; i++)
        {
            var labels = new List<(string, string)> { ("__name__", "cpu"), ("host", $"h{i % 50:D2}"), ("dc", i % 3 == 0 ? "east" : "west") };
            if (i % 4 != 0)
            {
                labels.Add(("rack", $"r{i % 7}"));
            }
            all.Add(WithSamples(Series([.. labels]), (1000 + i, i), (2000 + i, i + 0.5)));
        }
        await Send([.. all.Take(100)]);
        _persister.Dispose();
        _persister = NewPersister(new StorageOptions { TruncateWal = false, Parquet = Tsdb.Parquet.Writing.ParquetWriterOptions.Default with { PageRowLimit = 64 } });
        await _persister.PersistAsync();
        await Send([.. all.Skip(100)]);
        var everything = await Select(Eq("__name__", "cpu"));
        Assert.Equal(all.Select(s => string.Join(',', s.Labels.Select(l => $"{l.Name}={l.Value}").Order(StringComparer.Ordinal))).Distinct().Count(), everything.Count);

        LabelMatcher[][] cases =
        [
            [Eq("host", "h07")],
            [Eq("host", "h07"), Eq("dc", "west")],
            [new("host", MatchType.RegexMatch, "h0[1-3]|h4.")],
            [new("host", MatchType.NotEqual, "h07"), Eq("rack", "")],
            [new("rack", MatchType.RegexNoMatch, "r[0-3]"), new("dc", MatchType.NotEqual, "east")],
            [new("rack", MatchType.RegexMatch, ".+"), new("host", MatchType.RegexMatch, "h1.*")],
            [Eq("nolabel", ""), Eq("host", "h49")],
            [Eq("host", "nope")],
            [new("nolabel", MatchType.RegexMatch, ".+")],
        ];
        foreach (var matchers in cases)
        {
            var expected = everything.Where(s => matchers.All(m => new CompiledMatcher(m).Matches(s.Labels.Get(m.Name)))).Select(s => s.Labels.ToString());
            var found = await Select([Eq("__name__", "cpu"), .. matchers]);
            Assert.Equal(expected, found.Select(f => f.Labels.ToString()));
            Assert.All(found, f => Assert.Equal(everything.Single(e => e.Labels.Equals(f.Labels)).Values, f.Values));
        }
    }

    [Fact]
    public async Task Line_protocol_fields_appear_as_table_underscore_field_and_value_as_the_table()
    {
        var lp = new LineProtocolIngester(_catalog, _wal, TimeProvider.System, () => false);
        var outcome = await lp.WriteAsync(new WriteRequest(Db, Encoding.UTF8.GetBytes("cpu,host=a usage_user=1.5,value=2i,note=\"x\",ok=true 1000000000\n")));
        Assert.True(outcome.IsCompleteSuccess);
        var found = await Select(Eq("host", "a"));
        Assert.Equal(["cpu{host=\"a\"}=2", "cpu_usage_user{host=\"a\"}=1.5"], found.Select(s => $"{s.Labels}={s.Values[0]}"));
        Assert.Equal(1000L, found[0].TimestampsMs[0]);
    }

    [Fact]
    public async Task Bad_series_are_refused_and_the_good_ones_stored()
    {
        var histogram = WithSamples(Series(("__name__", "h"), ("a", "1")), (1000, 5));
        histogram.Histograms.Add(new V1.Histogram { CountInt = 3, Sum = 1, Timestamp = 1000 });
        var outcome = await Send(
            WithSamples(Series(("job", "noname")), (1000, 1)),
            WithSamples(Series(("__name__", "good")), (1000, 1)),
            WithSamples(Series(("__name__", "dup"), ("a", "1"), ("a", "2")), (1000, 1)),
            histogram);
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal(1, outcome.SamplesWritten);
        Assert.Contains("3 series refused, 1 samples of the other series stored", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("series {job=\"noname\"}: no metric name (label __name__)", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("label 'a' appears more than once", outcome.Message, StringComparison.Ordinal);
        // A histogram that cannot be stored refuses its series, float samples and all, as a bad sample would.
        Assert.Contains("series h{a=\"1\"}: histogram sample at 1000 ms: fewer observations in the buckets (0) than the count (3)", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(["good{}"], (await Select(new LabelMatcher("__name__", MatchType.RegexMatch, ".*"))).Select(s => s.Labels.ToString()));
    }

    [Fact]
    public async Task Samples_older_than_the_retention_are_dropped_as_out_of_bounds_and_the_rest_stored()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const long Hour = 3_600_000;
        await _catalog.UpdateAsync(e =>
        {
            e.EnsureDatabase(Db, out _);
            e.SetRetention(Db, TimeSpan.FromHours(1));
            return true;
        });
        var outcome = await Send(
            WithSamples(Series(("__name__", "m"), ("a", "1")), (now - (2 * Hour), 1), (now - 60_000, 2)),
            WithSamples(Series(("__name__", "m"), ("a", "2")), (now - (3 * Hour), 3)),
            WithSamples(Series(("__name__", "m"), ("a", "3")), (now, 4)));
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal(2, outcome.SamplesWritten);
        Assert.StartsWith("out of bounds: 2 samples older than the retention period dropped, 2 other samples stored: ", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("series m{a=\"1\"}: out of bounds: 1 of its 2 samples dropped, point time ", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("is outside the retention period of database 'prometheus' (1h): the oldest time accepted now is ", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(["m{a=\"1\"}=2", "m{a=\"3\"}=4"], (await Select(Eq("__name__", "m"))).Select(s => $"{s.Labels}={string.Join(',', s.Values)}"));
    }

    [Fact]
    public async Task A_value_column_of_another_type_is_a_type_conflict()
    {
        var lp = new LineProtocolIngester(_catalog, _wal, TimeProvider.System, () => false);
        Assert.True((await lp.WriteAsync(new WriteRequest(Db, Encoding.UTF8.GetBytes("m value=\"text\" 1")))).IsCompleteSuccess);
        var outcome = await Send(WithSamples(Series(("__name__", "m")), (1000, 1)));
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Contains("invalid column type for column 'value' in table 'm'", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_2_requests_resolve_symbols_and_keep_metadata()
    {
        var request = new V2.Request();
        request.Symbols.AddRange(["", "__name__", "requests_total", "code", "200", "Requests served.", "1"]);
        var series = new V2.TimeSeries { Metadata = new V2.Metadata { Type = V2.Metadata.Types.MetricType.Counter, HelpRef = 5 } };
        series.LabelsRefs.AddRange([1, 2, 3, 4]);
        series.Samples.Add(new V2.Sample { Timestamp = 5000, Value = 7 });
        var broken = new V2.TimeSeries();
        broken.LabelsRefs.AddRange([1, 99]);
        broken.Samples.Add(new V2.Sample { Timestamp = 5000, Value = 1 });
        request.Timeseries.AddRange([series, broken]);
        var outcome = await _ingester.WriteAsync(Db, Snappy.Compress(request.ToByteArray()), RemoteWriteVersion.V2);
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Contains("labels_refs entry 99 is outside the symbols table (7 symbols)", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(1, outcome.SamplesWritten);
        var found = Assert.Single(await Select(Eq("__name__", "requests_total")));
        Assert.Equal("requests_total{code=\"200\"}", found.Labels.ToString());
        var metadata = _ingester.Metadata.List(Db);
        Assert.Equal("requests_total", Assert.Single(metadata).Key);
        Assert.Equal(new MetricMetadata("counter", "Requests served.", ""), metadata[0].Value);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f }, "the body is not snappy (block format) data")]
    [InlineData(new byte[] { 0x05, 0x10, 0x01, 0x02 }, "the body is not snappy (block format) data")]
    public async Task Undecodable_bodies_are_refused(byte[] body, string message)
    {
        var outcome = await _ingester.WriteAsync(Db, body, RemoteWriteVersion.V1);
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.StartsWith(message, outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snappy_that_is_not_protobuf_is_refused()
    {
        var outcome = await _ingester.WriteAsync(Db, Snappy.Compress([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]), RemoteWriteVersion.V1);
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.StartsWith("the body is not a valid prometheus.WriteRequest protobuf message", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Series_from_another_protocol_take_the_same_path_and_name_the_ones_not_stored()
    {
        await _catalog.UpdateAsync(editor =>
        {
            editor.EnsureDatabase(Db, out _);
            editor.SetRetention(Db, TimeSpan.FromHours(1));
            return 0;
        });
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        List<PromSeries> series =
        [
            new([("__name__", "otel_up"), ("job", "a")], (long[])[now], (double[])[1.0]),
            new([("job", "nameless")], (long[])[now], (double[])[2.0]),
            new([("__name__", "otel_up"), ("job", "old")], (long[])[now - 7_200_000, now], (double[])[3.0, 4.0]),
        ];
        var refused = new List<int> { 99 };

        var outcome = await _ingester.WriteSeriesAsync(Db, series, refused);

        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal(2, outcome.SamplesWritten);
        Assert.Equal([1, 2], refused);
        Assert.Equal(["a|1", "old|4"], _buffer.Snapshot(Db, "otel_up").SelectMany(c => Enumerable.Range(0, c.Batch.Length)
            .Select(i => $"{c.Batch.Column(c.Batch.Schema.GetFieldIndex("job")).GetObject(i)}|{c.Batch.Column(c.Batch.Schema.GetFieldIndex("value")).GetObject(i)}")).Order(StringComparer.Ordinal));
    }
}
