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
}

/// <summary>Runs <see cref="PersistMemoryTests"/> with no other test class at the same time.</summary>
[CollectionDefinition(nameof(PersistMemoryTests), DisableParallelization = true)]
public sealed class PersistMemoryTestsCollection;
