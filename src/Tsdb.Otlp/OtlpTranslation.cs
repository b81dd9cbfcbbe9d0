using Tsdb.Prometheus;

namespace Tsdb.Otlp;

/// <summary>What one ExportMetricsServiceRequest translates into, and what it refused on the way.</summary>
internal sealed class OtlpTranslation
{
    /// <summary>Series in remote write's model, one sample (float, or native histogram for exponential histograms) each except <c>target_info</c>.</summary>
    public List<PromSeries> Series { get; } = [];

    /// <summary>For each of <see cref="Series"/>, the data point it came from (-1 for <c>target_info</c>), to count refusals in points.</summary>
    public List<int> PointOfSeries { get; } = [];

    public List<(string Metric, MetricMetadata Metadata)> Metadata { get; } = [];

    /// <summary>Data points in the request.</summary>
    public int DataPoints { get; set; }

    /// <summary>Data points refused by the translation (delta temporality, bad names, scales out of range).</summary>
    public int Rejected { get; set; }

    /// <summary>One message per metric with refused points.</summary>
    public List<string> Errors { get; } = [];
}
