namespace Tsdb.Prometheus;

/// <summary>A read needed more samples than <see cref="StorageSeriesSource.SampleLimit"/> allows.</summary>
public sealed class SampleLimitExceededException(long limit)
    : Exception($"exceeded sample limit ({limit}): narrow the query's time range or matchers")
{
    public long Limit { get; } = limit;
}
