namespace Tsdb.Otlp;

/// <summary>What an OTLP metric becomes in Prometheus: decides the name suffixes and the metadata type.</summary>
public enum OtlpMetricKind
{
    Gauge,
    MonotonicCounter,
    NonMonotonicCounter,
    Histogram,
    ExponentialHistogram,
    Summary,
}
