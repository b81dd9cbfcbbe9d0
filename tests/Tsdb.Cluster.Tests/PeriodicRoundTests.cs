namespace Tsdb.Cluster.Tests;

/// <summary>The background rounds of a node: a failing streak is reported once, its end once, and a stop ends the loop.</summary>
public sealed class PeriodicRoundTests
{
    [Fact]
    public async Task A_failing_streak_is_reported_once_and_its_end_once()
    {
        var rounds = 0;
        var failures = new List<string>();
        var recoveries = 0;
        var sixth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new PeriodicRound(
            _ =>
            {
                var n = Interlocked.Increment(ref rounds);
                if (n == 6)
                {
                    sixth.TrySetResult();
                }
                return n is >= 2 and <= 4 ? throw new IOException($"store down ({n})") : Task.CompletedTask;
            },
            TimeSpan.FromMilliseconds(5),
            TimeProvider.System,
            e => failures.Add(e.Message),
            () => recoveries++);
        loop.Start();
        await sixth.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await loop.DisposeAsync();
        var after = rounds;
        await Task.Delay(50);

        Assert.Equal(["store down (2)"], failures);
        Assert.Equal(1, recoveries);
        Assert.Equal(after, rounds); // stopped: no round after the dispose returned
        await loop.DisposeAsync(); // a second stop does nothing
    }
}
