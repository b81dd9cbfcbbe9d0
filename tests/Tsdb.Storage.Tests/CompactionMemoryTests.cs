using Tsdb.Core.Schema;
using Tsdb.Parquet.Reading;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Persistence;

namespace Tsdb.Storage.Tests;

/// <summary>
/// How a compaction spends its memory budget: slices of rows per input that shrink as inputs multiply, output row
/// groups sized from the budget, and the same rows whatever the slicing.
/// </summary>
public sealed class CompactionMemoryTests
{
    /// <summary>TSBS cpu's shape: ten tags, ten float fields, time.</summary>
    private static readonly TableColumns Cpu = new([
        .. Enumerable.Range(0, 10).Select(i => ($"tag{i}", ColumnKind.Tag)),
        .. Enumerable.Range(0, 10).Select(i => ($"usage{i}", ColumnKind.Float)),
        ("time", ColumnKind.Time),
    ]);

    [Fact]
    public void Input_slices_share_half_the_budget_among_the_inputs()
    {
        var perRow = CompactionMemory.BytesPerRow(Cpu);
        Assert.Equal((10 * 5) + (10 * 9) + 9, perRow);
        var eight = CompactionMemory.Of(512L << 20, Cpu, inputs: 8);
        var eighty = CompactionMemory.Of(512L << 20, Cpu, inputs: 80);
        // Two slices per input (one read ahead) fit in half the budget.
        Assert.InRange(8L * 2 * eight.RowsPerInputBatch * perRow, (256L << 20) - (16 * perRow), 256L << 20);
        Assert.InRange(80L * 2 * eighty.RowsPerInputBatch * perRow, (256L << 20) - (160 * perRow), 256L << 20);
        Assert.True(eighty.RowsPerInputBatch < eight.RowsPerInputBatch);
        Assert.Equal(4, eight.FilesPerPass);
        Assert.Equal(CompactionMemory.MaxRows, eight.RowsPerPass);   // 256 MiB hold more than a row group of this table
        // Files that store more per row than the columns' estimate (long strings) get fewer rows per slice.
        var wide = CompactionMemory.Of(512L << 20, Cpu, inputs: 8, storedBytesPerRow: perRow * 2);
        Assert.Equal(eight.RowsPerInputBatch / 4, wide.RowsPerInputBatch, tolerance: 1);
        Assert.Equal(eight.RowsPerInputBatch, CompactionMemory.Of(512L << 20, Cpu, inputs: 8, storedBytesPerRow: perRow / 2).RowsPerInputBatch);
    }

    [Fact]
    public void The_slices_stay_within_sensible_bounds()
    {
        var tiny = CompactionMemory.Of(1 << 20, Cpu, inputs: 1000);
        Assert.Equal((CompactionMemory.MinRows, 1, CompactionMemory.MinRows), (tiny.RowsPerInputBatch, tiny.FilesPerPass, tiny.RowsPerPass));
        var huge = CompactionMemory.Of(64L << 30, Cpu, inputs: 1);
        Assert.Equal((CompactionMemory.MaxRows, CompactionMemory.MaxRows), (huge.RowsPerInputBatch, huge.RowsPerPass));
        // A wide table gets fewer rows per output row group from the same budget.
        var wide = new TableColumns([.. Enumerable.Range(0, 400).Select(i => ($"f{i}", ColumnKind.Float)), ("time", ColumnKind.Time)]);
        Assert.True(CompactionMemory.Of(512L << 20, wide, 4).RowsPerPass < CompactionMemory.MaxRows);
    }

    /// <summary>
    /// Overlapping level-0 files of 16,000 rows (one row group each) compacted under a 1 MiB budget: every input is read
    /// in 4,096-row slices and the output is written in row groups of the budget's size; the rows are those of the
    /// files before, each once.
    /// </summary>
    [Fact]
    public async Task A_compaction_under_a_small_budget_reads_in_slices_and_keeps_every_row_once()
    {
        await using var s = new StorageHarness(new StorageOptions { CompactionMemoryBudget = 1 << 20 });
        for (var i = 0; i < 4; i++)
        {
            await s.Write(CompactionGenerationsTests.Rows(0, 2000, i));
            await s.Persist.PersistAsync();
        }
        var before = await s.Read();
        Assert.Equal(16_000, before.Count);

        var expected = CompactionMemory.Of(1 << 20, new TableColumns([("host", ColumnKind.Tag), ("r", ColumnKind.Integer), ("s", ColumnKind.Integer), ("v", ColumnKind.Integer), ("time", ColumnKind.Time)]), 4);
        Assert.Equal(CompactionMemory.MinRows, expected.RowsPerInputBatch);   // so the 16,000-row inputs are sliced

        await s.Compactor.CompactAsync(minFiles: 4);
        var file = Assert.Single(s.Catalog.Current.Files);
        Assert.Equal(before, await s.Read());
        Assert.Equal(16_000, (await s.TimesInFiles()).Distinct().Count() * 8);
        var reader = await ParquetReader.OpenAsync(new ObjectStoreSource(s.Memory, file.Path, file.SizeBytes), new ParquetReadOptions());
        Assert.All(reader.Metadata.RowGroups, g => Assert.True(g.NumRows <= expected.RowsPerPass, $"{g.NumRows} rows"));
        Assert.True(reader.Metadata.RowGroups.Count >= 16_000 / expected.RowsPerPass);
    }
}
