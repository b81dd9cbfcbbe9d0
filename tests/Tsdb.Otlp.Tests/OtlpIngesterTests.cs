using Tsdb.Catalog;
using Tsdb.ObjectStore;
using Tsdb.Otlp.Protocol;
using Tsdb.Prometheus;
using Tsdb.PromQL;
using Tsdb.Storage;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;
using static Tsdb.Otlp.Tests.Otlp;
using MatchType = Tsdb.PromQL.MatchType;

namespace Tsdb.Otlp.Tests;

/// <summary>OTLP requests stored through remote write's staging into a real WAL and buffer, and read back as PromQL series.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class OtlpIngesterTests : IAsyncLifetime
{
    private const string Db = "otel";

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-otlp-").FullName;
    private readonly InMemoryObjectStore _store = new();
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private OtlpIngester _ingester = null!;
    private MetricMetadataStore _metadata = null!;
    private bool _overBudget;

    public Task InitializeAsync()
    {
        _catalog = new Catalog.Catalog(new ObjectStoreCatalogStore(_store));
        _buffer = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, _buffer);
        _metadata = new MetricMetadataStore();
        _ingester = new OtlpIngester(new RemoteWriteIngester(_catalog, _wal, () => _overBudget, _metadata), new OtlpOptions());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<List<SeriesSamples>> Select(string metric) =>
        [.. await new StorageSeriesSource(_catalog, new StorageTableSource(_catalog, _buffer, null), Db)
            .SelectAsync([new LabelMatcher("__name__", MatchType.Equal, metric)], long.MinValue / 2, long.MaxValue / 2, CancellationToken.None)];

    private Task<OtlpOutcome> Send(ExportMetricsServiceRequest request, OtlpEncoding encoding = OtlpEncoding.Protobuf) =>
        _ingester.WriteAsync(Db, encoding == OtlpEncoding.Protobuf ? request.Bytes() : System.Text.Encoding.UTF8.GetBytes(Google.Protobuf.JsonFormatter.Default.Format(request)), encoding).AsTask();

    private static ulong Now => (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    [Fact]
    public async Task Every_point_is_stored_and_the_metadata_kept()
    {
        var request = Request(Service(),
            Sum("orders", "", true, AggregationTemporality.Cumulative, Number(3, Now, Attr("shop", "a"))),
            Histogram("latency", "s", AggregationTemporality.Cumulative, HistogramPoint([0.5], [1, 2], 2.5)));
        request.ResourceMetrics[0].ScopeMetrics[0].Metrics[1].Histogram.DataPoints[0].TimeUnixNano = Now;
        var outcome = await Send(request, OtlpEncoding.Json);
        Assert.Equal((OtlpStatus.Ok, (string?)null, 2L, 0L, 5L), (outcome.Status, outcome.Message, outcome.DataPoints, outcome.RejectedDataPoints, outcome.SamplesWritten));
        var orders = Assert.Single(await Select("orders_total"));
        Assert.Equal(3, Assert.Single(orders.Values));
        Assert.Equal("a", orders.Labels.Get("shop"));
        Assert.Equal(2, (await Select("latency_seconds_bucket")).Count);
        Assert.Contains(_metadata.List(Db), e => e.Key == "latency_seconds" && e.Value == new MetricMetadata("histogram", "", "seconds"));
    }

    [Fact]
    public async Task A_point_whose_series_storage_refuses_is_counted_once_and_the_others_are_stored()
    {
        // An attribute with an empty key makes a label with an empty name, which staging refuses for every series of that
        // histogram point: one rejected data point, not four.
        var request = Request(Service(),
            Histogram("latency", "s", AggregationTemporality.Cumulative, HistogramPoint([0.5, 1], [1, 2, 3], 2.5, Attr("", "x"))),
            Gauge("temperature", "Cel", Number(21.5, Now)),
            Sum("delta", "", true, AggregationTemporality.Delta, Number(1, Now)));
        request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Histogram.DataPoints[0].TimeUnixNano = Now;
        var outcome = await Send(request);
        Assert.Equal(OtlpStatus.Ok, outcome.Status);
        Assert.Equal(3, outcome.DataPoints);
        Assert.Equal(2, outcome.RejectedDataPoints);
        Assert.Contains("metric \"delta\": delta aggregation temporality is not supported", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("a label has an empty name", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(21.5, Assert.Single(Assert.Single(await Select("temperature_celsius")).Values));
        var response = ExportMetricsServiceResponse.Parser.ParseFrom(OtlpIngester.EncodeResponse(outcome, OtlpEncoding.Protobuf));
        Assert.Equal((2L, outcome.Message), (response.PartialSuccess.RejectedDataPoints, response.PartialSuccess.ErrorMessage));
    }

    [Fact]
    public async Task Exponential_histograms_are_stored_as_native_histograms_and_delta_ones_refused()
    {
        var now = Now;
        var point = new ExponentialHistogramDataPoint { TimeUnixNano = now, Scale = 0, Count = 4, Sum = 9, ZeroCount = 1, ZeroThreshold = 0.5 };
        point.Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1, BucketCounts = { 2, 1 } };   // (2,4] and (4,8]
        var inconsistent = new ExponentialHistogramDataPoint { TimeUnixNano = now, Scale = 0, Count = 1, Positive = new() { BucketCounts = { 5 } } };
        inconsistent.Attributes.Add(Attr("k", "bad"));
        var metric = new Metric { Name = "size", Unit = "By", ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative } };
        metric.ExponentialHistogram.DataPoints.AddRange([point, inconsistent]);
        var delta = new Metric { Name = "delta_size", ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Delta } };
        delta.ExponentialHistogram.DataPoints.Add(point.Clone());
        var outcome = await Send(Request(Service(), metric, delta, Gauge("g", "", Number(1, now))));
        Assert.Equal((4L, 2L, 2L), (outcome.DataPoints, outcome.RejectedDataPoints, outcome.SamplesWritten));
        Assert.Contains("metric \"size_bytes\": 1 exponential histogram data points are inconsistent, e.g. more observations in the buckets (5) than the count (1)", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("metric \"delta_size\": delta aggregation temporality is not supported", outcome.Message, StringComparison.Ordinal);
        var stored = Assert.Single(await Select("size_bytes"));
        var h = Assert.Single(stored.Histograms!)!;
        Assert.Equal((long)(now / 1_000_000), Assert.Single(stored.TimestampsMs));
        Assert.True(new FloatHistogram(0, 0.5, 1, 4, 9, [new(2, 2)], [2, 1], null, null).ExactlyEquals(h), h.ToString());
        Assert.Equal("histogram", _metadata.List(Db).Single(e => e.Key == "size_bytes").Value.Type);
    }

    [Theory]
    [InlineData(OtlpEncoding.Protobuf)]
    [InlineData(OtlpEncoding.Json)]
    public async Task Exemplars_are_stored_and_a_refused_one_is_a_warning_with_nothing_rejected(OtlpEncoding encoding)
    {
        var now = Now;
        var point = Number(1, now, Attr("shop", "a"));
        point.Exemplars.Add(new Exemplar { AsDouble = 0.75, TimeUnixNano = now, TraceId = Google.Protobuf.ByteString.CopyFrom(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray()) });
        point.Exemplars.Add(new Exemplar { TimeUnixNano = now + 1_000_000 });
        var outcome = await Send(Request(Service(), Sum("orders", "", true, AggregationTemporality.Cumulative, point)), encoding);
        const string warning = "1 exemplars refused, 1 samples (and 1 exemplars) stored: series orders_total{shop=\"a\", ";
        Assert.Equal(0L, outcome.RejectedDataPoints);
        Assert.StartsWith(warning, outcome.Message, StringComparison.Ordinal);
        Assert.EndsWith($"}}: exemplar {{}} at {(long)(now / 1_000_000) + 1} ms: the exemplar has no value (as_double or as_int)", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(1, outcome.ExemplarsWritten);
        var json = System.Text.Encoding.UTF8.GetString(OtlpIngester.EncodeResponse(outcome, OtlpEncoding.Json));
        Assert.StartsWith("{ \"partialSuccess\": { \"errorMessage\": \"1 exemplars refused", json, StringComparison.Ordinal);

        var found = Assert.Single(await new StorageExemplarSource(_catalog, new StorageTableSource(_catalog, _buffer, null), Db)
            .SelectAsync([[new LabelMatcher("__name__", MatchType.Equal, "orders_total")]], long.MinValue / 2, long.MaxValue / 2, CancellationToken.None));
        Assert.Equal("a", found.SeriesLabels.Get("shop"));
        var exemplar = Assert.Single(found.Exemplars);
        Assert.Equal(("0102030405060708090a0b0c0d0e0f10", 0.75, (long)(now / 1_000_000)), (exemplar.Labels.Get("trace_id"), exemplar.Value, exemplar.TimestampMs));
        // The exemplar table is no metric of its own.
        Assert.Single(await Select("orders_total"));
        Assert.Empty(await Select("orders_total#exemplars"));
    }

    [Fact]
    public async Task Exemplars_refused_by_the_table_limit_leave_the_points_stored()
    {
        // orders_total and other fill the database (no target_info: the resource has only identifying attributes);
        // orders_total#exemplars would be a third table.
        var catalog = new Catalog.Catalog(new InMemoryCatalogStore(), new CatalogLimits { MaxTablesPerDatabase = 2 });
        var ingester = new OtlpIngester(new RemoteWriteIngester(catalog, _wal, () => false, new MetricMetadataStore()), new OtlpOptions());
        var first = await ingester.WriteAsync(Db, Request(Service(), Sum("orders", "", true, AggregationTemporality.Cumulative, Number(1, Now)), Gauge("other", "", Number(1, Now))).Bytes(), OtlpEncoding.Protobuf);
        Assert.Null(first.Message);
        var point = Number(1, Now);
        point.Exemplars.Add(new Exemplar { AsDouble = 1, TimeUnixNano = Now });
        var outcome = await ingester.WriteAsync(Db, Request(Service(), Sum("orders", "", true, AggregationTemporality.Cumulative, point)).Bytes(), OtlpEncoding.Protobuf);
        Assert.Equal((OtlpStatus.Ok, 0L, 1L, 0L), (outcome.Status, outcome.RejectedDataPoints, outcome.SamplesWritten, outcome.ExemplarsWritten));
        Assert.Contains("its 1 exemplars were not stored: table limit reached: database 'otel' already has 2 tables, cannot create table 'orders_total#exemplars'", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undecodable_bodies_bad_databases_and_a_full_buffer_are_refused_whole()
    {
        Assert.Equal(OtlpStatus.BadRequest, (await _ingester.WriteAsync(Db, new byte[] { 0x12, 0xff }, OtlpEncoding.Protobuf)).Status);
        var badName = await _ingester.WriteAsync("bad\u0001name", Request(Service(), Gauge("g", "", Number(1, Now))).Bytes(), OtlpEncoding.Protobuf);
        Assert.Equal(OtlpStatus.BadRequest, badName.Status);
        _overBudget = true;
        var full = await Send(Request(Service(), Gauge("g", "", Number(1, Now))));
        Assert.Equal((OtlpStatus.Overloaded, "the write buffer is full; retry after the data has been persisted"), (full.Status, full.Message));
        Assert.Equal("{ \"code\": 3, \"message\": \"m\" }", System.Text.Encoding.UTF8.GetString(OtlpIngester.EncodeStatus(3, "m", OtlpEncoding.Json)));
    }
}
