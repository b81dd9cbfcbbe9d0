using System.Text;
using Tsdb.Catalog;
using Tsdb.Core.Deletes;
using Tsdb.Storage.Persistence;

namespace Tsdb.Storage.Tests;

/// <summary>
/// Compaction generations: which files a compaction picks (<see cref="CompactionPlanner"/>), the split by time into
/// non-overlapping files of about the target size, and that the later write still wins across levels, row deletes and
/// retention.
/// </summary>
public sealed class CompactionGenerationsTests
{
    private const long Hour = 3_600_000_000_000;

    private static ParquetFileEntry File(long id, int level, long min, long max, long size, long sequence) =>
        new(id, "db", "t", 0, $"f{id}", min, max, 10, size, sequence, level, DateTimeOffset.UnixEpoch);

    private static bool NoDeletes(ParquetFileEntry file) => false;

    [Fact]
    public void Below_the_level_0_threshold_with_no_small_neighbours_nothing_is_merged()
    {
        ParquetFileEntry[] files = [File(1, 2, 0, 99, 1000, 5), File(2, 0, 50, 60, 10, 6), File(3, 1, 100, 199, 100, 4)];
        Assert.Null(CompactionPlanner.Choose(files, NoDeletes, minLevel0Files: 2, targetBytes: 1000));
    }

    [Fact]
    public void Level_0_files_take_only_the_compacted_files_they_overlap_and_the_output_is_cut_around_the_others()
    {
        var early = File(1, 2, 0, 99, 1000, 3);        // overlapped by a level-0 file
        var middle = File(2, 2, 100, 199, 1000, 3);    // full size, overlapped by nothing: left alone
        var late = File(3, 1, 200, 299, 200, 3);       // overlapped
        var a = File(4, 0, 90, 95, 10, 7);
        var b = File(5, 0, 250, 320, 10, 8);
        var plan = CompactionPlanner.Choose([early, middle, late, a, b], NoDeletes, minLevel0Files: 2, targetBytes: 1000)!;
        Assert.Equal("level 0", plan.Kind);
        Assert.Equal([1L, 3, 4, 5], plan.Inputs.Select(f => f.Id).Order());
        // The untouched file's span [100, 199] is a range of its own, which no input row falls in: no new file spans it.
        Assert.Contains(100L, plan.Boundaries);
        Assert.Contains(200L, plan.Boundaries);
    }

    [Fact]
    public void A_run_of_small_neighbours_is_merged_but_not_across_a_full_size_file()
    {
        ParquetFileEntry[] files =
        [
            File(1, 1, 0, 9, 100, 1), File(2, 2, 10, 19, 600, 1), File(3, 1, 20, 29, 300, 1), File(4, 1, 30, 39, 300, 1),
        ];
        var plan = CompactionPlanner.Choose(files, NoDeletes, minLevel0Files: 4, targetBytes: 1000)!;
        Assert.Equal("level 1", plan.Kind);
        Assert.Equal([3L, 4], plan.Inputs.Select(f => f.Id));
        // Two small files under half the target together, fewer than the threshold: left to grow.
        Assert.Null(CompactionPlanner.Choose([files[0], files[1], File(5, 1, 20, 29, 100, 1), File(6, 1, 30, 39, 100, 1)], NoDeletes, 4, 1000));
    }

    [Fact]
    public void A_compacted_file_a_row_delete_reaches_is_rewritten_alone()
    {
        ParquetFileEntry[] files = [File(1, 2, 0, 9, 600, 1), File(2, 2, 10, 19, 600, 1), File(3, 0, 30, 39, 10, 2)];
        var plan = CompactionPlanner.Choose(files, f => f.Id == 2, minLevel0Files: 4, targetBytes: 1000)!;
        Assert.Equal(("deletes", 2L), (plan.Kind, plan.Inputs.Single().Id));
        // A delete reaching a level-0 file takes all of them (compacted files stay older than every level-0 file).
        plan = CompactionPlanner.Choose(files, f => f.Id == 3, minLevel0Files: 4, targetBytes: 1000)!;
        Assert.Equal(("level 0", 3L), (plan.Kind, plan.Inputs.Single().Id));
    }

    [Theory]
    [InlineData(3000, 1000, new long[] { 100, 200 })]
    [InlineData(1000, 1000, new long[0])]
    [InlineData(2500, 1000, new long[] { 101, 201 })]
    public void The_split_puts_about_a_target_size_in_each_file(long size, long target, long[] expected)
    {
        Assert.Equal(expected, CompactionPlanner.SplitTimes([File(1, 0, 0, 299, size, 1)], [], target));
    }

    [Fact]
    public void Levels_follow_the_size() =>
        Assert.Equal((1, 2, 2), (CompactionPlanner.LevelOf(499, 1000), CompactionPlanner.LevelOf(500, 1000), CompactionPlanner.LevelOf(5000, 1000)));

    /// <summary>
    /// Eight hosts at each of <paramref name="count"/> seconds from <paramref name="first"/>: v = <paramref name="value"/>,
    /// s = the second, and a field r of scattered values (so the files are not all compressed away).
    /// </summary>
    internal static string Rows(int first, int count, int value)
    {
        var lines = new StringBuilder();
        for (var s = first; s < first + count; s++)
        {
            for (var h = 0; h < 8; h++)
            {
                lines.Append(FormattableString.Invariant($"t,host=h{h} v={value}i,s={s}i,r={Scatter((s * 8) + h + (value * 1_000_000))}i {s * 1_000_000_000L}\n"));
            }
        }
        return lines.ToString();
    }

    private static long Scatter(long x)
    {
        x = unchecked((x ^ (x >> 13)) * 0x5bd1e995);
        return (x ^ (x >> 15)) & 0xFFFFF;
    }

    private static StorageOptions Small(long target, int filesPerPass = 4) =>
        new() { CompactionTargetFileBytes = target, CompactionMemoryBudget = filesPerPass * StorageOptions.CompactionBytesPerOpenFile };

    [Fact]
    public async Task A_large_partition_is_split_by_time_into_non_overlapping_files_in_several_passes()
    {
        await using var s = new StorageHarness(Small(target: 4000, filesPerPass: 2));
        for (var i = 0; i < 4; i++)
        {
            // Each persist covers the whole span, so every level-0 file overlaps every other (later values win).
            await s.Write(Rows(0, 500, i));
            await s.Persist.PersistAsync();
        }
        var before = await s.Read();
        await s.Compactor.CompactAsync(minFiles: 4);
        var files = s.Catalog.Current.Files;
        Assert.True(files.Count >= 4, string.Join(", ", files.Select(f => $"L{f.Level}[{f.MinTime},{f.MaxTime}]{f.SizeBytes}B")));
        Assert.All(files, f => Assert.NotEqual(0, f.Level));
        CompactionInvariants.Check(files, string.Join(", ", files.Select(f => $"L{f.Level}[{f.MinTime},{f.MaxTime}]")));
        Assert.Equal(before, await s.Read());
        Assert.Equal(4000, before.Count);
        Assert.All(before, r => Assert.Equal("3", r.Split('|')[2]));
        Assert.Equal(before.Count, (await s.TimesInFiles()).Count);   // each point once across the files
        // The objects are exactly the catalog's (and the replaced ones waiting for their grace).
        Assert.Equal(files.Count + s.Catalog.Current.PendingDeletes.Count, (await s.ObjectKeys()).Count);
    }

    [Fact]
    public async Task A_full_size_file_is_not_rewritten_for_new_files_that_do_not_overlap_it()
    {
        await using var s = new StorageHarness(Small(target: 3000));
        await s.Write(Rows(0, 500, 1));
        await s.Persist.PersistAsync();
        await s.Write(Rows(0, 500, 2));
        await s.Persist.PersistAsync();
        await s.Compactor.CompactAsync(minFiles: 2);
        var compacted = s.Catalog.Current.Files.Where(f => f.Level == CompactionPlanner.Level2).Select(f => f.Path).ToHashSet();
        Assert.NotEmpty(compacted);
        var oldest = s.Catalog.Current.Files.Min(f => f.MinTime);
        var newest = s.Catalog.Current.Files.Max(f => f.MaxTime);
        await s.Write(Rows(1000, 50, 3));
        await s.Persist.PersistAsync();
        await s.Write(Rows(1100, 50, 3));
        await s.Persist.PersistAsync();
        await s.Compactor.CompactAsync(minFiles: 2);
        var files = s.Catalog.Current.Files;
        Assert.Superset(compacted, files.Select(f => f.Path).ToHashSet());
        Assert.All(files.Where(f => compacted.Contains(f.Path)), f => Assert.InRange(f.MaxTime, oldest, newest));
        CompactionInvariants.Check(files, "after new data");
    }

    [Fact]
    public async Task A_rewrite_of_an_old_point_after_level_2_exists_wins_in_the_buffer_in_a_level_0_file_and_after_compaction()
    {
        await using var s = new StorageHarness(Small(target: 3000));
        await s.Write(Rows(0, 400, 1));
        await s.Persist.PersistAsync();
        await s.Write(Rows(0, 400, 2));
        await s.Persist.PersistAsync();
        await s.Compactor.CompactAsync(minFiles: 2);
        Assert.Contains(s.Catalog.Current.Files, f => f.Level == CompactionPlanner.Level2);
        Assert.True(s.Catalog.Current.Files.Count > 1);

        async Task Expect(string when)
        {
            var rows = await s.Read();
            Assert.True(rows.Count == 3200, $"{when}: {rows.Count} rows");
            Assert.Contains(rows, r => r.StartsWith("5000000000|h3|9|5|", StringComparison.Ordinal));   // time|host|v|s: the rewrite
            Assert.Contains(rows, r => r.StartsWith("5000000000|h2|2|5|", StringComparison.Ordinal));
            Assert.Contains(rows, r => r.StartsWith("399000000000|h7|2|399|", StringComparison.Ordinal));
        }
        await s.Write("t,host=h3 v=9i 5000000000");
        await Expect("buffered");
        await s.Persist.PersistAsync();
        await Expect("level 0");
        // One more old rewrite, of the same point, and one level-0 file that overlaps only the last split file.
        await s.Write("t,host=h3 v=9i 5000000000\nt,host=h0 v=2i 399000000000");
        await s.Persist.PersistAsync();
        await s.Compactor.CompactAsync(minFiles: 2);
        Assert.DoesNotContain(s.Catalog.Current.Files, f => f.Level == 0);
        CompactionInvariants.Check(s.Catalog.Current.Files, "after the rewrite was compacted");
        await Expect("compacted");
    }

    [Fact]
    public async Task Row_deletes_and_retention_reach_every_level()
    {
        await using var s = new StorageHarness(Small(target: 3000));
        await s.Write(Rows(0, 400, 1));
        await s.Persist.PersistAsync();
        await s.Write(Rows(0, 400, 2));
        await s.Persist.PersistAsync();
        await s.Compactor.CompactAsync(minFiles: 2);
        Assert.Contains(s.Catalog.Current.Files, f => f.Level == CompactionPlanner.Level2);

        // Seconds 10..19 of every host deleted: gone at once, and out of the files after the next compaction.
        await s.Deleter.DeleteAsync("db", "t", new DeletePredicate(10_000_000_000, 19_000_000_000, []));
        Assert.Equal(3120, (await s.Read()).Count);
        await s.Compactor.CompactAsync(minFiles: 2);
        var times = await s.TimesInFiles();
        Assert.Equal(3120, times.Count);
        Assert.DoesNotContain(times, t => t is >= 10_000_000_000 and <= 19_000_000_000);
        CompactionInvariants.Check(s.Catalog.Current.Files, "after the delete");

        // Retention: the clock moves so that the first 200 seconds expire; a forced pass rewrites the files that hold them.
        s.Time.Now = DateTimeOffset.UnixEpoch.AddDays(1).AddSeconds(200);
        await s.SetRetention(TimeSpan.FromDays(1));
        await s.Retention.ApplyAsync(force: true);
        times = await s.TimesInFiles();
        Assert.Equal(200 * 8, times.Count);
        Assert.All(times, t => Assert.True(t >= 200_000_000_000));
        Assert.All(s.Catalog.Current.Files, f => Assert.NotEqual(0, f.Level));
        CompactionInvariants.Check(s.Catalog.Current.Files, "after retention");
        Assert.Equal(1600, (await s.Read()).Count);
    }
}
