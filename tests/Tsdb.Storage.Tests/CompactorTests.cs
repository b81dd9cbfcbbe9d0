using Tsdb.Catalog;

namespace Tsdb.Storage.Tests;

/// <summary>Compaction: a partition's files into one, later values winning, expired rows left out.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class CompactorTests : IAsyncLifetime
{
    private const long Hour = 3_600_000_000_000;
    private StorageHarness _s = null!;

    public Task InitializeAsync()
    {
        _s = new StorageHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task A_partition_with_enough_files_becomes_one_file_where_later_writes_win()
    {
        await _s.Write("t,h=a v=1,w=10 1000\nt,h=b v=2 2000");
        await _s.Persist.PersistAsync();
        await _s.Write("t,h=a v=3 1000");
        await _s.Persist.PersistAsync();
        await _s.Write("t,h=a v=5 86400000000000");   // another day: one file, left alone
        await _s.Persist.PersistAsync();

        Assert.Equal(new Persistence.Compactor.CompactResult(0, 0, 0), await _s.Compactor.CompactAsync());   // below the default threshold (4)
        var result = await _s.Compactor.CompactAsync(minFiles: 2);
        Assert.Equal(new Persistence.Compactor.CompactResult(1, 2, 1), result);
        var day0 = _s.Catalog.Current.Files.Single(f => f.Day == 0);
        Assert.Equal((1, 2L, 1000L, 2000L), (day0.Level, day0.RowCount, day0.MinTime, day0.MaxTime));
        Assert.Equal(["1000|a|3|10", "2000|b|2|null", "86400000000000|a|5|null"], await _s.Read());
    }

    [Fact]
    public async Task Rows_past_the_retention_are_left_out_of_the_compacted_file()
    {
        var now = 2 * 24 * Hour;
        await _s.Write($"t v=1 {now - (5 * Hour)}\nt v=2 {now - (4 * Hour)}");
        await _s.Persist.PersistAsync();
        await _s.Write($"t v=3 {now - Hour}");
        await _s.Persist.PersistAsync();
        await _s.SetRetention(TimeSpan.FromHours(2));
        await _s.Compactor.CompactAsync(minFiles: 2);
        Assert.Equal([now - Hour], await _s.TimesInFiles());

        // A partition wholly expired leaves no file at all.
        await _s.SetRetention(null);
        await _s.Write($"u v=1 {now - (3 * Hour)}");
        await _s.Persist.PersistAsync();
        await _s.Write($"u v=2 {now - (3 * Hour)}");
        await _s.Persist.PersistAsync();
        await _s.SetRetention(TimeSpan.FromHours(2));
        var result = await _s.Compactor.CompactAsync(minFiles: 2);
        Assert.Equal(0, result.FilesWritten);
        Assert.Empty(_s.Catalog.Current.FilesOf("db", "u"));
    }

    [Fact]
    public async Task Compaction_and_a_retention_rewrite_at_the_same_time_leave_each_row_once()
    {
        var now = 2 * 24 * Hour;
        for (var i = 0; i < 4; i++)
        {
            await _s.Write($"t,h=a v={i} {now - (6 * Hour) + (i * Hour)}\nt,h=b v={i} {now - (6 * Hour) + (i * Hour)}");
            await _s.Persist.PersistAsync();
        }
        await _s.SetRetention(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(30));
        await Task.WhenAll(
            Task.Run(() => _s.Compactor.CompactAsync(minFiles: 2)),
            Task.Run(() => _s.Retention.ApplyAsync(force: true)),
            Task.Run(() => _s.Compactor.CompactAsync(minFiles: 2)));
        var times = await _s.TimesInFiles();
        Assert.Equal(times.Distinct().Count() * 2, times.Count);   // each time once for a and once for b
        Assert.Equal([now - (4 * Hour), now - (4 * Hour), now - (3 * Hour), now - (3 * Hour)], times);
    }
}
#pragma warning restore CA1001

/// <summary>Compaction of files large enough to be read in many batches: the streamed merge keeps every point.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class LargeCompactionTests : IAsyncLifetime
{
    private readonly StorageHarness _s = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Compacting_files_of_many_batches_keeps_every_point()
    {
        for (var part = 0; part < 3; part++)
        {
            var lines = new System.Text.StringBuilder();
            for (var i = 0; i < 30_000; i++)
            {
                var j = (part * 30_000) + i;
                lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"t,h=host_{j % 97},r=r{j % 5} v={part * 100_000 + i} {j}\n");
            }
            await _s.Write(lines.ToString());
            await _s.Persist.PersistAsync();
        }
        // Overlapping rewrites of every 7th point with one field changed, and a string field on some.
        var again = new System.Text.StringBuilder();
        for (var i = 0; i < 90_000; i += 7)
        {
            again.Append(System.Globalization.CultureInfo.InvariantCulture, $"t,h=host_{i % 97},r=r{i % 5} w={i}i,s=\"x{i}\" {i}\n");
        }
        await _s.Write(again.ToString());
        await _s.Persist.PersistAsync();
        var before = await _s.Read();
        var request = new Query.ScanRequest("db", "t") { TagValues = new Dictionary<string, IReadOnlyList<string>> { ["h"] = ["host_3", "host_50"] }, FromTime = 1000, ToTime = 80_000 };
        var selectedBefore = (await _s.Scan(request)).Select(r => r.Row).Where(r => r.Contains("|host_3|", StringComparison.Ordinal) || r.Contains("|host_50|", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        await _s.Compactor.CompactAsync(minFiles: 2);
        var compacted = Assert.Single(_s.Catalog.Current.Files);
        // The catalog's tag ranges, worked out batch by batch as the file streams out, cover every value.
        Assert.Equal(new TagRange("host_0", "host_96"), compacted.TagRanges["h"]);
        Assert.Equal(new TagRange("r0", "r4"), compacted.TagRanges["r"]);
        var after = await _s.Read();
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(before, after);
        // Reads that prune by tag and time (page index) find the same rows in the compacted file.
        var selectedAfter = (await _s.Scan(request)).Select(r => r.Row).Where(r => r.Contains("|host_3|", StringComparison.Ordinal) || r.Contains("|host_50|", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(selectedBefore);
        Assert.Equal(selectedBefore, selectedAfter);
    }
}
#pragma warning restore CA1001
