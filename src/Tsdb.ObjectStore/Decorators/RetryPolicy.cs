namespace Tsdb.ObjectStore;

/// <summary>How <see cref="RetryingObjectStore"/> retries: exponential backoff with jitter, capped.</summary>
public sealed record RetryPolicy
{
    public static RetryPolicy Default { get; } = new();

    /// <summary>Attempts in all, the first included (1 = never retry).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The backoff ceiling before the first retry; it doubles for each later one.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>No backoff ceiling grows past this.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one operation keeps retrying, counted from its first attempt; null: only <see cref="MaxAttempts"/>
    /// bounds it. A store that hangs (each attempt ends at the request timeout) then fails in about this long instead
    /// of attempts × timeout.
    /// </summary>
    public TimeSpan? MaxElapsed { get; init; }

    /// <summary>The clock the delays run on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Replaces waiting on <see cref="TimeProvider"/> (tests record the delays instead of sleeping).</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }

    /// <summary>Seeds the jitter, for reproducible delays; null draws from a shared generator.</summary>
    public int? JitterSeed { get; init; }

    /// <summary>
    /// The backoff before retry number <paramref name="retry"/> (1-based): uniformly drawn from the upper half of
    /// min(MaxDelay, BaseDelay·2^(retry−1)) ("equal jitter": spread out, yet never much shorter than planned).
    /// </summary>
    public TimeSpan BackoffFor(int retry, double unitRandom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 62)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + (ceiling / 2 * unitRandom));
    }

    /// <summary>Whether an operation that started at <paramref name="startedTimestamp"/> and failed its attempt number <paramref name="attempt"/> stops retrying.</summary>
    internal bool GivesUp(int attempt, long startedTimestamp) =>
        attempt >= MaxAttempts || (MaxElapsed is { } budget && TimeProvider.GetElapsedTime(startedTimestamp) >= budget);

    internal void Check()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero, nameof(BaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay, nameof(MaxDelay));
        if (MaxElapsed is { } budget)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(budget, TimeSpan.Zero, nameof(MaxElapsed));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
