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

    /// <summary>
    /// Small batches (a few series' rows) are processed on the reading thread where they stand; large ones around them
    /// still go to the pool. Either way every batch is processed once and the results keep the input's order.
    /// </summary>
    [Theory]
    [InlineData("ssss")]
    [InlineData("LsLsL")]
    [InlineData("sLLs")]
    [InlineData("Ls")]
    [InlineData("sL")]
    [InlineData("ssL")]
    [InlineData("LLLLsLLsss")]
    public async Task Small_batches_are_processed_on_the_reading_thread_in_their_place(string kinds)
    {
        var readOn = new int[kinds.Length];
        var processedOn = new int[kinds.Length];
        var processed = 0;
        var results = new List<int>();
        async IAsyncEnumerable<int> Read()
        {
            for (var i = 0; i < kinds.Length; i++)
            {
                readOn[i] = Environment.CurrentManagedThreadId;
                yield return i;
            }
            await Task.CompletedTask;
        }
        await foreach (var r in ScanExec.InParallel(Read(), i =>
        {
            processedOn[i] = Environment.CurrentManagedThreadId;
            Interlocked.Increment(ref processed);
            Thread.Sleep(kinds[i] == 'L' ? 20 : 0);   // a large batch still running when the next small one arrives
            return i;
        }, width: 2, CancellationToken.None, small: i => kinds[i] == 's'))
        {
            results.Add(r);
        }
        Assert.Equal(Enumerable.Range(0, kinds.Length), results);
        Assert.Equal(kinds.Length, processed);
        for (var i = 0; i < kinds.Length; i++)
        {
            if (kinds[i] == 's')
            {
                Assert.Equal(readOn[i], processedOn[i]);
            }
        }
        if (kinds.Count(k => k == 'L') >= 2)
        {
            // Large batches go to the pool as before: at least one ran off the thread that read it.
            Assert.Contains(Enumerable.Range(0, kinds.Length), i => kinds[i] == 'L' && processedOn[i] != readOn[i]);
        }
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
