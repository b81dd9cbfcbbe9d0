using System.Text;
using Tsdb.Core.Diagnostics;
using Tsdb.Storage.Persistence;
using Xunit.Abstractions;

namespace Tsdb.Storage.Tests;

/// <summary>
/// What a persist slice reserves from the process's memory budget against what merging and writing it allocates: the
/// reservation must cover the work (allocations bound what it can hold at once), for few series and for every row its
/// own series, else the budget lets background work run the heap out. Alone (not beside other test classes): the
/// allocations are counted for the whole process.
/// </summary>
[Collection(nameof(PersistMemoryTests))]
public sealed class PersistMemoryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(100_000, 100_000)]   // every row its own series, a 64-character string field (the memory test's rows)
    [InlineData(100_000, 10)]        // few series
    public async Task A_slice_reserves_at_least_what_merging_and_writing_it_allocates(int rows, int series)
    {
        var memory = new ProcessMemory(4L << 30);
        await using var s = new StorageHarness(new StorageOptions { ProcessMemory = memory, PersistSliceBytes = 1L << 30 });
        for (var first = 0; first < rows; first += 10_000)
        {
            var text = new StringBuilder();
            for (var id = first; id < first + 10_000; id++)
            {
                text.Append("m,host=h").Append(id % series).Append(" v=").Append(id).Append("i,pad=\"").Append(Guid.NewGuid().ToString("N")).Append(Guid.NewGuid().ToString("N")).Append("\" ")
                    .Append(1_000_000_000L + id).Append('\n');
            }
            await s.Write(text.ToString());
        }
        var buffered = s.Buffer.MemoryBytes;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await s.Persist.PersistAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(1, result.Files);
        output.WriteLine($"rows {rows}, series {series}: buffered {buffered >> 10} KiB, reserved {memory.Peak >> 10} KiB, allocated {allocated >> 10} KiB");
        Assert.True(memory.Peak >= allocated, $"reserved {memory.Peak} bytes for a slice whose persist allocated {allocated}");
    }

    [Fact]
    public async Task A_persist_and_a_compaction_wait_while_queries_hold_the_budget_and_the_persist_goes_first()
    {
        // A budget that queries have taken entirely: a persist and then a compaction queue for it, neither starts
        // merging, and when the memory comes back the persist is served first (the buffer must drain). Without the
        // budget both would merge at once, beside the queries (what ran the heap out in MemoryPressureTests).
        var memory = new ProcessMemory(256L << 20, TimeSpan.FromMinutes(10));
        await using var s = new StorageHarness(new StorageOptions { ProcessMemory = memory, CompactionMemoryBudget = 64L << 20 });
        for (var file = 0; file < 3; file++)
        {
            await s.Write($"t,h=a v={file} {1000 + file}");
            await s.Persist.PersistAsync();
        }
        await s.Write("t,h=b v=9 2000");
        Assert.True(memory.TryReserve(256L << 20)); // the queries
        var compaction = s.Compactor.CompactAsync(minFiles: 2);
        await WaitUntil(() => memory.Waiting == 1 || compaction.IsCompleted);
        var persist = s.Persist.PersistAsync();
        await WaitUntil(() => memory.Waiting == 2 || persist.IsCompleted);
        Assert.False(compaction.IsCompleted);
        Assert.False(persist.IsCompleted);
        Assert.Equal(3, s.Catalog.Current.FilesOf("db", "t").Count());

        // Room for the persist's small slice (a few KiB), not for the compaction's 64 MiB: the persist goes ahead
        // though it asked second, and the compaction still waits after it.
        memory.Release(1L << 20);
        Assert.Equal(1, (await persist).Files);
        Assert.False(compaction.IsCompleted);
        Assert.Equal(4, s.Catalog.Current.FilesOf("db", "t").Count());
        memory.Release(255L << 20);
        await compaction;
        // The three files it chose before the persist are one now; the persisted one waits for a later round.
        Assert.Equal([(1, 3L), (0, 1L)], s.Catalog.Current.FilesOf("db", "t").OrderByDescending(f => f.Level).Select(f => (f.Level, f.RowCount)));
        Assert.Equal(0, memory.Used);
        Assert.Equal(["1000|a|0", "1001|a|1", "1002|a|2", "2000|b|9"], await s.Read());
    }

    /// <summary>Polls a state that another task reaches (no time limit asserted: the test run's own timeout applies).</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }
}

/// <summary>Runs <see cref="PersistMemoryTests"/> with no other test class at the same time.</summary>
[CollectionDefinition(nameof(PersistMemoryTests), DisableParallelization = true)]
public sealed class PersistMemoryTestsCollection;
