using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests;

/// <summary>ScanExec.InParallel: the operators' fan-out of stored batches over the thread pool.</summary>
public sealed class InParallelTests
{
    private static async IAsyncEnumerable<int> Items(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_single_batch_is_processed_on_the_reading_thread()
    {
        var caller = Environment.CurrentManagedThreadId;
        var on = -1;
        var results = new List<int>();
        await foreach (var r in ScanExec.InParallel(Items(1), i => { on = Environment.CurrentManagedThreadId; return i * 10; }, width: 2, CancellationToken.None))
        {
            results.Add(r);
        }
        Assert.Equal([0], results);
        Assert.Equal(caller, on);   // the input completes synchronously: no thread hop anywhere
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 7)]
    [InlineData(3, 50)]
    [InlineData(1, 5)]
    public async Task Every_batch_is_processed_once_and_results_come_in_input_order(int width, int count)
    {
        var processed = 0;
        var results = new List<int>();
        await foreach (var r in ScanExec.InParallel(Items(count), i => { Interlocked.Increment(ref processed); Thread.Sleep(count - i); return i; }, width, CancellationToken.None))
        {
            results.Add(r);
        }
        Assert.Equal(Enumerable.Range(0, count), results);
        Assert.Equal(count, processed);
    }

    [Fact]
    public async Task A_failure_of_the_only_batch_reaches_the_reader()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in ScanExec.InParallel<int, int>(Items(1), _ => throw new InvalidOperationException("bad page"), 2, CancellationToken.None))
            {
            }
        });
    }
}
