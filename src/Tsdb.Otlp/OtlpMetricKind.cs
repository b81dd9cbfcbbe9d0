namespace Tsdb.Otlp;

/// <summary>What an OTLP metric becomes in Prometheus: decides the name suffixes and the metadata type.</summary>
internal enum OtlpMetricKind
{
    Gauge,
    MonotonicCounter,
    NonMonotonicCounter,
    Histogram,
    ExponentialHistogram,
    Summary,
}
