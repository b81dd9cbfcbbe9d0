using Google.Protobuf;
using Tsdb.Otlp.Protocol;

namespace Tsdb.Otlp.Tests;

/// <summary>Builds OTLP requests for the tests.</summary>
internal static class Otlp
{
    public const ulong T0 = 1_700_000_000_000_000_000; // ns
    public const long T0Ms = 1_700_000_000_000;

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static ExportMetricsServiceRequest Request(IEnumerable<KeyValue> resource, params Metric[] metrics) =>
        Request(resource, new InstrumentationScope { Name = "test.scope", Version = "1.0" }, metrics);

    public static ExportMetricsServiceRequest Request(IEnumerable<KeyValue> resource, InstrumentationScope? scope, params Metric[] metrics)
    {
        var scopeMetrics = new ScopeMetrics { Scope = scope };
        scopeMetrics.Metrics.AddRange(metrics);
        var resourceMetrics = new ResourceMetrics { Resource = new Resource() };
        resourceMetrics.Resource.Attributes.AddRange(resource);
        resourceMetrics.ScopeMetrics.Add(scopeMetrics);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(resourceMetrics);
        return request;
    }

    public static KeyValue[] Service(string name = "shop", string? instance = "i-1", params KeyValue[] more)
    {
        var list = new List<KeyValue> { Attr("service.name", name) };
        if (instance is not null)
        {
            list.Add(Attr("service.instance.id", instance));
        }
        list.AddRange(more);
        return [.. list];
    }

    public static NumberDataPoint Number(double value, ulong time = T0, params KeyValue[] attributes)
    {
        var point = new NumberDataPoint { AsDouble = value, TimeUnixNano = time, StartTimeUnixNano = time - 1_000_000_000 };
        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Gauge(string name, string unit, params NumberDataPoint[] points)
    {
        var metric = new Metric { Name = name, Unit = unit, Description = name + " help", Gauge = new Gauge() };
        metric.Gauge.DataPoints.AddRange(points);
        return metric;
    }

    public static Metric Sum(string name, string unit, bool monotonic, AggregationTemporality temporality, params NumberDataPoint[] points)
    {
        var metric = new Metric { Name = name, Unit = unit, Sum = new Sum { IsMonotonic = monotonic, AggregationTemporality = temporality } };
        metric.Sum.DataPoints.AddRange(points);
        return metric;
    }

    public static HistogramDataPoint HistogramPoint(double[] bounds, ulong[] counts, double? sum, params KeyValue[] attributes)
    {
        var point = new HistogramDataPoint { TimeUnixNano = T0, Count = counts.Aggregate(0UL, (a, b) => a + b) };
        if (sum is { } s)
        {
            point.Sum = s;
        }
        point.ExplicitBounds.AddRange(bounds);
        point.BucketCounts.AddRange(counts);
        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Histogram(string name, string unit, AggregationTemporality temporality, params HistogramDataPoint[] points)
    {
        var metric = new Metric { Name = name, Unit = unit, Histogram = new Histogram { AggregationTemporality = temporality } };
        metric.Histogram.DataPoints.AddRange(points);
        return metric;
    }

    public static byte[] Bytes(this IMessage message) => message.ToByteArray();
}
