using System.Text;
using Tsdb.Otlp.Protocol;

namespace Tsdb.Otlp.Tests;

public sealed class OtlpDecoderTests
{
    [Fact]
    public void Otlp_json_reads_camel_case_string_int64s_integer_enums_hex_ids_and_ignores_unknown_fields()
    {
        const string json = """
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}],"entityRefs":[]},
             "scopeMetrics":[{"scope":{"name":"s"},"metrics":[
               {"name":"c","unit":"1","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
                 {"timeUnixNano":"1700000000000000000","asInt":"9007199254740993","flags":0,
                  "exemplars":[{"timeUnixNano":"1700000000000000000","asDouble":1.5,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}},
               {"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":1700000000000000000,"count":"3","sum":"NaN","bucketCounts":["1",2],"explicitBounds":[1.5]}]}},
               {"name":"future","someNewKind":{}}]}]}]}
            """;
        var request = OtlpDecoder.Decode(Encoding.UTF8.GetBytes(json), OtlpEncoding.Json);
        var metrics = request.ResourceMetrics[0].ScopeMetrics[0].Metrics;
        var point = metrics[0].Sum.DataPoints[0];
        Assert.Equal((AggregationTemporality.Cumulative, true, 9007199254740993L, 1_700_000_000_000_000_000UL), (metrics[0].Sum.AggregationTemporality, metrics[0].Sum.IsMonotonic, point.AsInt, point.TimeUnixNano));
        var exemplar = Assert.Single(point.Exemplars);
        // OTLP/JSON's ids are hex, not proto3 JSON's base64.
        Assert.Equal("5b8efff798038103d269b633813fc60c", Convert.ToHexStringLower(exemplar.TraceId.Span));
        Assert.Equal("eee19b7ec3c1b174", Convert.ToHexStringLower(exemplar.SpanId.Span));
        Assert.Equal(new ulong[] { 1, 2 }, metrics[1].Histogram.DataPoints[0].BucketCounts);
        Assert.True(double.IsNaN(metrics[1].Histogram.DataPoints[0].Sum));
        Assert.Equal(Metric.DataOneofCase.None, metrics[2].DataCase);
    }

    [Fact]
    public void Ids_that_are_not_hex_are_read_as_base64_as_generic_protobuf_json_writers_send_them()
    {
        const string json = """
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"asDouble":1,
              "exemplars":[{"asDouble":1,"trace_id":"AQIDBA==","spanId":"0a0b"}]}]}}]}]}]}
            """;
        var exemplar = Assert.Single(OtlpDecoder.Decode(Encoding.UTF8.GetBytes(json), OtlpEncoding.Json).ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Gauge.DataPoints[0].Exemplars);
        Assert.Equal([1, 2, 3, 4], exemplar.TraceId.ToByteArray());
        Assert.Equal([0x0a, 0x0b], exemplar.SpanId.ToByteArray());
    }

    [Fact]
    public void A_body_with_ids_and_a_repeated_key_is_still_read_by_the_parser()
    {
        const string json = """
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","name":"g","gauge":{"dataPoints":[{"asDouble":1,
              "exemplars":[{"asDouble":1,"spanId":"AQIDBA=="}]}]}}]}]}]}
            """;
        var metric = OtlpDecoder.Decode(Encoding.UTF8.GetBytes(json), OtlpEncoding.Json).ResourceMetrics[0].ScopeMetrics[0].Metrics[0];
        Assert.Equal("g", metric.Name);
        Assert.Equal([1, 2, 3, 4], Assert.Single(metric.Gauge.DataPoints[0].Exemplars).SpanId.ToByteArray());
    }

    [Fact]
    public void Protobuf_round_trips()
    {
        var request = Otlp.Request(Otlp.Service(), Otlp.Gauge("g", "s", Otlp.Number(1.25)));
        Assert.Equal(request, OtlpDecoder.Decode(request.Bytes(), OtlpEncoding.Protobuf));
    }

    [Theory]
    [InlineData("{bad", OtlpEncoding.Json, "the body is not valid OTLP JSON: ")]
    [InlineData("{\"resourceMetrics\":5}", OtlpEncoding.Json, "the body is not valid OTLP JSON: ")]
    [InlineData("\u0012\u00ff", OtlpEncoding.Protobuf, "the body is not a valid opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest protobuf message: ")]
    public void Undecodable_bodies_are_decode_exceptions(string body, OtlpEncoding encoding, string prefix)
    {
        var e = Assert.Throws<OtlpDecodeException>(() => OtlpDecoder.Decode(Encoding.Latin1.GetBytes(body), encoding));
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_and_mutated_bodies_give_only_decode_exceptions()
    {
        var random = new Random(22);
        var good = Otlp.Request(Otlp.Service(), Otlp.Histogram("h", "s", AggregationTemporality.Cumulative, Otlp.HistogramPoint([1, 2], [1, 2, 3], 4))).Bytes();
        var json = Encoding.UTF8.GetBytes(Google.Protobuf.JsonFormatter.Default.Format(OtlpDecoder.Decode(good, OtlpEncoding.Protobuf)));
        var translator = new OtlpTranslator(new OtlpOptions());
        for (var i = 0; i < 3000; i++)
        {
            var (source, encoding) = i % 2 == 0 ? (good, OtlpEncoding.Protobuf) : (json, OtlpEncoding.Json);
            var body = (byte[])source.Clone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }
            try
            {
                translator.Translate(OtlpDecoder.Decode(body, encoding));
            }
            catch (OtlpDecodeException)
            {
            }
        }
    }
}
