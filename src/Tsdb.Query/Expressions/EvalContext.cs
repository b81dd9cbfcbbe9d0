namespace Tsdb.Query.Expressions;

/// <summary>What evaluation needs beyond the batch: the statement's now() and its cancellation.</summary>
public sealed class EvalContext(long nowNanos, CancellationToken cancellationToken = default)
{
    public long NowNanos { get; } = nowNanos;

    public CancellationToken CancellationToken { get; } = cancellationToken;
}
