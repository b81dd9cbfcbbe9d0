using Tsdb.Otlp.Protocol;
using Tsdb.Prometheus;
using Tsdb.PromQL;
using static Tsdb.Otlp.Tests.Otlp;

namespace Tsdb.Otlp.Tests;

public sealed class OtlpTranslatorTests
{
    private const long StaleBits = 0x7FF0000000000002;

    private static OtlpTranslation Translate(ExportMetricsServiceRequest request, OtlpOptions? options = null) =>
        new OtlpTranslator(options ?? new OtlpOptions()).Translate(request);

    private static Dictionary<string, string> Labels(PromSeries series) => series.Labels.ToDictionary(l => l.Name, l => l.Value);

    private static PromSeries Only(OtlpTranslation t, string name, params (string Name, string Value)[] labels) =>
        Assert.Single(t.Series, s => Labels(s).GetValueOrDefault("__name__") == name && labels.All(l => Labels(s).GetValueOrDefault(l.Name) == l.Value));

    private static double Value(PromSeries series) => Assert.Single(series.Values.ToArray());

    [Fact]
    public void A_gauge_is_one_series_per_point_with_its_attributes_job_instance_and_scope()
    {
        var t = Translate(Request(Service(), Gauge("queue.size", "{item}", Number(7, T0, Attr("queue", "a")), Number(9, T0, Attr("queue", "b")))));
        var a = Only(t, "queue_size", ("queue", "a"));
        Assert.Equal(7, Value(a));
        Assert.Equal(T0Ms, Assert.Single(a.TimestampsMs.ToArray()));
        Assert.Equal(
            new Dictionary<string, string> { ["__name__"] = "queue_size", ["queue"] = "a", ["job"] = "shop", ["instance"] = "i-1", ["otel_scope_name"] = "test.scope", ["otel_scope_version"] = "1.0", ["otel_scope_schema_url"] = "" },
            Labels(a));
        Assert.Equal(9, Value(Only(t, "queue_size", ("queue", "b"))));
        Assert.Equal(2, t.DataPoints);
        Assert.Equal(0, t.Rejected);
        Assert.Equal(("queue_size", new MetricMetadata("gauge", "queue.size help", "")), Assert.Single(t.Metadata));
    }

    [Fact]
    public void Integer_points_and_no_recorded_value_become_floats_and_staleness_markers()
    {
        var intPoint = new NumberDataPoint { AsInt = -42, TimeUnixNano = T0 };
        var stale = new NumberDataPoint { AsDouble = 3, TimeUnixNano = T0, Flags = 1 };
        stale.Attributes.Add(Attr("k", "stale"));
        var t = Translate(Request(Service(), Gauge("g", "", intPoint, stale)));
        Assert.Equal(-42, Value(Only(t, "g", ("k", null!))));
        Assert.Equal(StaleBits, BitConverter.DoubleToInt64Bits(Value(Only(t, "g", ("k", "stale")))));
    }

    [Fact]
    public void Monotonic_cumulative_sums_are_counters_with_total_and_up_down_counters_are_gauges()
    {
        var t = Translate(Request(Service(),
            Sum("http.requests", "{request}", true, AggregationTemporality.Cumulative, Number(5)),
            Sum("active.requests", "{request}", false, AggregationTemporality.Cumulative, Number(-2))));
        Assert.Equal(5, Value(Only(t, "http_requests_total")));
        Assert.Equal(-2, Value(Only(t, "active_requests")));
        Assert.Contains(("http_requests_total", new MetricMetadata("counter", "", "")), t.Metadata);
        Assert.Contains(("active_requests", new MetricMetadata("gauge", "", "")), t.Metadata);
    }

    [Theory]
    [InlineData(1, "delta")]
    [InlineData(0, "unspecified")]
    public void Sums_and_histograms_that_are_not_cumulative_are_refused_with_a_message(int temporalityNumber, string word)
    {
        var temporality = (AggregationTemporality)temporalityNumber;
        var t = Translate(Request(Service(),
            Sum("d", "", true, temporality, Number(1), Number(2)),
            Histogram("h", "s", temporality, HistogramPoint([1], [1, 1], 3)),
            Gauge("ok", "", Number(1))));
        Assert.Equal(4, t.DataPoints);
        Assert.Equal(3, t.Rejected);
        Assert.Equal([$"metric \"d\": {word} aggregation temporality is not supported, only cumulative (2 data points refused; configure the exporter's temporality preference as cumulative)",
            $"metric \"h\": {word} aggregation temporality is not supported, only cumulative (1 data points refused; configure the exporter's temporality preference as cumulative)"], t.Errors);
        Assert.DoesNotContain(t.Series, s => Labels(s)["__name__"] is "d_total" or "h_seconds_count");
        Only(t, "ok");
    }

    [Fact]
    public void A_histogram_becomes_cumulative_buckets_ending_in_inf_with_sum_and_count()
    {
        var t = Translate(Request(Service(), Histogram("http.server.duration", "s", AggregationTemporality.Cumulative,
            HistogramPoint([0.005, 0.1, 1], [2, 3, 0, 4], 12.5, Attr("route", "/a")))));
        Assert.Equal(2, Value(Only(t, "http_server_duration_seconds_bucket", ("le", "0.005"), ("route", "/a"))));
        Assert.Equal(5, Value(Only(t, "http_server_duration_seconds_bucket", ("le", "0.1"))));
        Assert.Equal(5, Value(Only(t, "http_server_duration_seconds_bucket", ("le", "1"))));
        Assert.Equal(9, Value(Only(t, "http_server_duration_seconds_bucket", ("le", "+Inf"))));
        Assert.Equal(9, Value(Only(t, "http_server_duration_seconds_count")));
        Assert.Equal(12.5, Value(Only(t, "http_server_duration_seconds_sum")));
        Assert.Equal(("http_server_duration_seconds", new MetricMetadata("histogram", "", "seconds")), Assert.Single(t.Metadata));
        // One data point, whatever the number of series it made.
        Assert.Equal(1, t.DataPoints);
        Assert.All(t.PointOfSeries.Take(6), p => Assert.Equal(0, p));
    }

    [Fact]
    public void A_histogram_without_sum_has_no_sum_series()
    {
        var t = Translate(Request(Service(), Histogram("h", "", AggregationTemporality.Cumulative, HistogramPoint([], [4], null))));
        Assert.DoesNotContain(t.Series, s => Labels(s)["__name__"] == "h_sum");
        Assert.Equal(4, Value(Only(t, "h_bucket", ("le", "+Inf"))));
    }

    [Fact]
    public void A_summary_becomes_quantile_series_sum_and_count()
    {
        var point = new SummaryDataPoint { TimeUnixNano = T0, Count = 10, Sum = 55 };
        point.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 4 });
        point.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 9.5 });
        var metric = new Metric { Name = "rpc.latency", Unit = "ms", Summary = new Summary() };
        metric.Summary.DataPoints.Add(point);
        var t = Translate(Request(Service(), metric));
        Assert.Equal(4, Value(Only(t, "rpc_latency_milliseconds", ("quantile", "0.5"))));
        Assert.Equal(9.5, Value(Only(t, "rpc_latency_milliseconds", ("quantile", "0.99"))));
        Assert.Equal(55, Value(Only(t, "rpc_latency_milliseconds_sum")));
        Assert.Equal(10, Value(Only(t, "rpc_latency_milliseconds_count")));
        Assert.Equal("summary", Assert.Single(t.Metadata).Metadata.Type);
    }

    [Fact]
    public void Exponential_histograms_become_native_histogram_points_with_prometheus_bucket_indexes()
    {
        var point = new ExponentialHistogramDataPoint { TimeUnixNano = T0, Scale = 2, Count = 6, Sum = 10, ZeroCount = 1, ZeroThreshold = 1e-9 };
        point.Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -1 };
        point.Positive.BucketCounts.AddRange([1, 2, 0, 2]);
        var fine = new ExponentialHistogramDataPoint { TimeUnixNano = T0, Scale = 10, Count = 4 };
        fine.Attributes.Add(Attr("k", "fine"));
        fine.Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 3 };
        fine.Positive.BucketCounts.AddRange([1, 1, 1, 1, 0, 0]); // indexes 3..8 at scale 10 → 0..2 at scale 8
        var tooCoarse = new ExponentialHistogramDataPoint { TimeUnixNano = T0, Scale = -5, Count = 1 };
        var metric = new Metric { Name = "latency", Unit = "s", ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative } };
        metric.ExponentialHistogram.DataPoints.AddRange([point, fine, tooCoarse]);
        var t = Translate(Request(Service(), metric));
        var histograms = t.Series.Where(s => !s.Histograms.IsEmpty).ToList();
        Assert.Equal(2, histograms.Count);
        Assert.All(histograms, s => Assert.Equal("latency_seconds", Labels(s)["__name__"]));
        var h = histograms[0].Histograms.Span[0];
        Assert.Equal((2, 1.0, 6.0, 10.0, 1e-9), (h.Schema, h.ZeroCount, h.Count, h.Sum, h.ZeroThreshold));
        // OTLP bucket -1 is Prometheus bucket 0; the empty bucket is left out.
        Assert.Equal([new HistogramSpan(0, 2), new HistogramSpan(1, 1)], h.PositiveSpans);
        Assert.Equal([1.0, 2, 2], h.PositiveBuckets);
        var f = histograms[1].Histograms.Span[0];
        Assert.Equal(8, f.Schema);
        Assert.Equal([new HistogramSpan(1, 2)], f.PositiveSpans);
        Assert.Equal([1.0, 3], f.PositiveBuckets);
        Assert.Equal("histogram", Assert.Single(t.Metadata).Metadata.Type);
        Assert.Equal(1, t.Rejected);
        Assert.Equal("metric \"latency_seconds\": 1 exponential histogram data points have a scale below -4, the coarsest native histogram schema", Assert.Single(t.Errors));
    }

    [Fact]
    public void Target_info_has_the_other_resource_attributes_and_job_from_namespace_and_name()
    {
        var t = Translate(Request(Service("cart", "pod-7", Attr("service.namespace", "shop"), Attr("host.name", "h1"), Attr("k8s.pod.uid", "u")), Gauge("g", "", Number(1))));
        Assert.Equal("shop/cart", Labels(Only(t, "g"))["job"]);
        Assert.False(Labels(Only(t, "g")).ContainsKey("host_name"));
        var info = Only(t, "target_info");
        Assert.Equal(new Dictionary<string, string> { ["__name__"] = "target_info", ["job"] = "shop/cart", ["instance"] = "pod-7", ["host_name"] = "h1", ["k8s_pod_uid"] = "u" }, Labels(info));
        Assert.Equal(1, Value(info));
        Assert.Equal(-1, t.PointOfSeries[t.Series.IndexOf(info)]);
    }

    [Fact]
    public void Target_info_keeps_identifying_attributes_when_asked_and_is_absent_without_other_attributes()
    {
        var kept = Translate(Request(Service(more: Attr("host.name", "h1")), Gauge("g", "", Number(1))), new OtlpOptions { KeepIdentifyingResourceAttributes = true });
        Assert.Equal("shop", Labels(Only(kept, "target_info"))["service_name"]);
        var none = Translate(Request(Service(), Gauge("g", "", Number(1))));
        Assert.DoesNotContain(none.Series, s => Labels(s)["__name__"] == "target_info");
        var anonymous = Translate(Request([Attr("host.name", "h1")], Gauge("g", "", Number(1))));
        Assert.DoesNotContain(anonymous.Series, s => Labels(s)["__name__"] == "target_info");
    }

    [Fact]
    public void Target_info_spans_the_points_of_the_request_at_the_interval()
    {
        var t = Translate(Request(Service(more: Attr("host.name", "h")), Gauge("g", "", Number(1, T0), Number(2, T0 + 400_000_000_000UL, Attr("a", "b")))));
        Assert.Equal([T0Ms, T0Ms + 150_000, T0Ms + 300_000, T0Ms + 400_000], Only(t, "target_info").TimestampsMs.ToArray());
    }

    [Fact]
    public void Promoted_resource_attributes_label_every_series_but_never_override_a_points_own()
    {
        var options = new OtlpOptions { PromoteResourceAttributes = ["deployment.environment", "absent"] };
        var t = Translate(Request(Service(more: Attr("deployment.environment", "prod")), Gauge("g", "", Number(1), Number(2, T0, Attr("deployment_environment", "mine")))), options);
        Assert.Equal("prod", Labels(Only(t, "g", ("deployment_environment", "prod")))["deployment_environment"]);
        Assert.Equal(2, Value(Only(t, "g", ("deployment_environment", "mine"))));
        Assert.DoesNotContain(t.Series, s => Labels(s).ContainsKey("absent"));
    }

    [Fact]
    public void Scope_attributes_are_labels_unless_turned_off()
    {
        var scope = new InstrumentationScope { Name = "lib", Version = "2" };
        scope.Attributes.Add(Attr("team", "core"));
        var t = Translate(Request(Service(), scope, Gauge("g", "", Number(1))));
        Assert.Equal("core", Labels(Only(t, "g"))["otel_scope_team"]);
        var off = Translate(Request(Service(), scope, Gauge("g", "", Number(1))), new OtlpOptions { PromoteScopeMetadata = false });
        Assert.DoesNotContain(Labels(Only(off, "g")).Keys, k => k.StartsWith("otel_scope_", StringComparison.Ordinal));
    }

    [Fact]
    public void Attributes_that_escape_to_one_label_join_their_values_in_key_order()
    {
        var t = Translate(Request(Service(), Gauge("g", "", Number(1, T0, Attr("a_b", "second"), Attr("a.b", "first")))));
        Assert.Equal("first;second", Labels(Only(t, "g"))["a_b"]);
    }

    [Fact]
    public void Attribute_values_of_every_type_become_text()
    {
        var list = new AnyValue { ArrayValue = new ArrayValue() };
        list.ArrayValue.Values.Add(new AnyValue { StringValue = "x" });
        list.ArrayValue.Values.Add(new AnyValue { IntValue = 2 });
        var point = Number(1, T0,
            new KeyValue { Key = "b", Value = new AnyValue { BoolValue = true } },
            new KeyValue { Key = "i", Value = new AnyValue { IntValue = -3 } },
            new KeyValue { Key = "d", Value = new AnyValue { DoubleValue = 0.25 } },
            new KeyValue { Key = "l", Value = list });
        var labels = Labels(Only(Translate(Request(Service(), Gauge("g", "", point))), "g"));
        Assert.Equal(("true", "-3", "0.25", "[\"x\",2]"), (labels["b"], labels["i"], labels["d"], labels["l"]));
    }

    [Fact]
    public void The_utf8_strategies_keep_names_and_labels()
    {
        var t = Translate(Request(Service(), Sum("http.requests", "", true, AggregationTemporality.Cumulative, Number(1, T0, Attr("http.method", "GET")))),
            new OtlpOptions { TranslationStrategy = OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes });
        Assert.Equal("GET", Labels(Only(t, "http.requests_total"))["http.method"]);
    }

    private static string Describe(PromSeries series) =>
        string.Join(" ", series.Exemplars.ToArray().Select(e => $"{{{string.Join(",", e.Labels.Select(l => $"{l.Name}={l.Value}"))}}}:{e.Value}@{e.TimestampMs}{(e.Error is null ? "" : "!" + e.Error)}"));

    private static Exemplar Ex(double value, string? traceHex = null, string? spanHex = null, params KeyValue[] attributes)
    {
        var exemplar = new Exemplar { AsDouble = value, TimeUnixNano = T0 + 5_000_000 };
        if (traceHex is not null)
        {
            exemplar.TraceId = Google.Protobuf.ByteString.CopyFrom(Convert.FromHexString(traceHex));
        }
        if (spanHex is not null)
        {
            exemplar.SpanId = Google.Protobuf.ByteString.CopyFrom(Convert.FromHexString(spanHex));
        }
        exemplar.FilteredAttributes.AddRange(attributes);
        return exemplar;
    }

    [Fact]
    public void Exemplars_of_sums_and_gauges_get_hex_trace_and_span_ids_then_their_filtered_attributes()
    {
        var sum = Number(1);
        sum.Exemplars.Add(Ex(1.5, "5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B174", Attr("user", "ann")));
        sum.Exemplars.Add(new Exemplar { AsInt = 2, TimeUnixNano = T0 });
        sum.Exemplars.Add(new Exemplar { TimeUnixNano = T0 });
        var gauge = Number(3);
        gauge.Exemplars.Add(Ex(3, spanHex: "0102030405060708"));
        var t = Translate(Request(Service(), Sum("orders", "", true, AggregationTemporality.Cumulative, sum), Gauge("g", "", gauge), new Metric { Name = "empty" }));
        Assert.Equal("{trace_id=5b8efff798038103d269b633813fc60c,span_id=eee19b7ec3c1b174,user=ann}:1.5@1700000000005 {}:2@1700000000000 {}:0@1700000000000!the exemplar has no value (as_double or as_int)",
            Describe(Only(t, "orders_total")));
        Assert.Equal("{span_id=0102030405060708}:3@1700000000005", Describe(Only(t, "g")));
        Assert.Equal("metric \"empty\": no data (none of gauge, sum, histogram, exponential_histogram, summary)", Assert.Single(t.Errors));
    }

    [Fact]
    public void Filtered_attributes_that_would_pass_128_characters_are_left_out_and_the_ids_kept()
    {
        var point = Number(1);
        // trace_id (8) + 32 + span_id (7) + 16 = 63 characters; the attribute brings 66 more.
        point.Exemplars.Add(Ex(1, "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", Attr("k", new string('é', 65))));
        point.Exemplars.Add(Ex(2, "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", Attr("k", new string('é', 64))));
        var t = Translate(Request(Service(), Sum("c", "", true, AggregationTemporality.Cumulative, point)));
        var exemplars = Only(t, "c_total").Exemplars.ToArray();
        Assert.Equal(["trace_id", "span_id"], exemplars[0].Labels.Select(l => l.Name));
        Assert.Equal(["trace_id", "span_id", "k"], exemplars[1].Labels.Select(l => l.Name));
    }

    [Fact]
    public void Classic_histogram_exemplars_go_to_the_first_bucket_whose_bound_holds_them_and_exponential_ones_to_the_histogram()
    {
        var point = HistogramPoint([0.5, 1], [1, 1, 1], 2.5);
        point.Exemplars.AddRange([Ex(0.2, "01"), Ex(0.5, "02"), Ex(0.7, "03"), Ex(9, "04"), Ex(double.NaN, "05")]);
        var exponential = new ExponentialHistogramDataPoint { TimeUnixNano = T0, Scale = 0, Count = 1, Sum = 3 };
        exponential.Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1 };
        exponential.Positive.BucketCounts.Add(1);
        exponential.Exemplars.Add(Ex(3, "06"));
        var native = new Metric { Name = "size", ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative } };
        native.ExponentialHistogram.DataPoints.Add(exponential);
        var t = Translate(Request(Service(), Histogram("latency", "", AggregationTemporality.Cumulative, point), native));
        Assert.Equal("{trace_id=01}:0.2@1700000000005 {trace_id=02}:0.5@1700000000005", Describe(Only(t, "latency_bucket", ("le", "0.5"))));
        Assert.Equal("{trace_id=03}:0.7@1700000000005", Describe(Only(t, "latency_bucket", ("le", "1"))));
        Assert.Equal("{trace_id=04}:9@1700000000005", Describe(Only(t, "latency_bucket", ("le", "+Inf"))));
        Assert.Equal("", Describe(Only(t, "latency_count")));
        Assert.Equal("{trace_id=06}:3@1700000000005", Describe(Only(t, "size")));
    }

    [Fact]
    public void A_metric_whose_name_escapes_to_nothing_is_refused()
    {
        var t = Translate(Request(Service(), Gauge("...", "", Number(1), Number(2))));
        Assert.Equal(2, t.Rejected);
        Assert.Equal("metric \"...\": its name leaves no valid Prometheus metric name (2 data points refused)", Assert.Single(t.Errors));
    }
}
