using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>The exemplars of one series (labels with <c>__name__</c>) in a time range, in time order.</summary>
public sealed record SeriesExemplars(Labels SeriesLabels, IReadOnlyList<StoredExemplar> Exemplars);
