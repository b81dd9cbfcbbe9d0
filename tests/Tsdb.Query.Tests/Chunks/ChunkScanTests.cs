using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;
using static Tsdb.Query.Tests.Chunks.ChunkTestData;

namespace Tsdb.Query.Tests.Chunks;

/// <summary>
/// <see cref="ChunkScan"/> over random chunks — "files" (sorted, deduplicated) and "buffered records" (unsorted,
/// repeating points) with overlapping and disjoint time ranges — against merging every chunk at once as the model.
/// </summary>
public sealed class ChunkScanTests
{
    private sealed class Source(Func<ScanRequest, TableChunks> chunks) : ITableSource
    {
        public int Calls { get; private set; }

        public Schema? GetSchema(string database, string table) => Table.Schema;

        public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(chunks(request));
        }

        public IReadOnlyList<string> Tables(string database) => ["t"];
    }

    private static readonly ScanRequest All = new("db", "t");

    /// <summary>Random chunks in write order: each a file or a buffered record, over a random window of a 0–99 range.</summary>
    private static List<(List<Row> Rows, IQueryChunk Chunk)> RandomChunks(Random random)
    {
        var chunks = new List<(List<Row>, IQueryChunk)>();
        var count = 1 + random.Next(6);
        for (var order = 0; order < count; order++)
        {
            var from = random.Next(100);
            var rows = RandomRows(random, 1 + random.Next(30), from, from + random.Next(25));
            var file = random.Next(2) == 0;
            var batch = Batch(rows);
            IQueryChunk chunk = file
                ? new ListChunk(Pieces(random, RowMerger.Merge(Table, [batch])), order, sorted: true, duplicates: false)
                : new ListChunk([batch], order, sorted: false, duplicates: true);
            chunks.Add((rows, chunk));
        }
        return chunks;
    }

    private static List<string> Model(IEnumerable<List<Row>> rowsInWriteOrder) =>
        [.. Rows(RowMerger.Merge(Table, [.. rowsInWriteOrder.Select(Batch)]))];

    private static async Task<List<string>> ScanRows(IAsyncEnumerable<RecordBatch> scan)
    {
        var rows = new List<string>();
        await foreach (var batch in scan)
        {
            rows.AddRange(Rows(batch));
        }
        return rows;
    }

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 60)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_scan_returns_each_point_once_with_the_latest_values(int seed)
    {
        var chunks = RandomChunks(new Random(seed));
        var source = new Source(_ => new TableChunks(Table, [.. chunks.Select(c => c.Chunk)]));
        var expected = Model(chunks.Select(c => c.Rows));
        var actual = await ScanRows(source.ScanAsync(All));
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_sorted_scan_returns_the_partition_in_key_order(int seed)
    {
        var chunks = RandomChunks(new Random(seed));
        var source = new Source(_ => new TableChunks(Table, [.. chunks.Select(c => c.Chunk)]));
        Assert.Equal(Model(chunks.Select(c => c.Rows)), await ScanRows(source.ScanSortedAsync(All)));
    }

    [Fact]
    public async Task Chunks_that_overlap_nothing_go_out_as_read_with_only_the_asked_columns()
    {
        var early = new ListChunk([RowMerger.Merge(Table, [Batch([new("a", null, 1, 1, 1)])])], 0, sorted: true, duplicates: false);
        var late = new ListChunk([RowMerger.Merge(Table, [Batch([new("a", null, 9, 9, 9)])])], 1, sorted: true, duplicates: false);
        // A chunk that reads whole rows stands for a source ignoring the projection; what matters is that it is not merged.
        var source = new Source(_ => new TableChunks(Table, [late, early]));
        var batches = new List<RecordBatch>();
        await foreach (var batch in source.ScanAsync(All with { Columns = ["f1"] }))
        {
            batches.Add(batch);
        }
        Assert.Equal([1L, 9L], batches.Select(b => ((TimestampArray)b.Column("time")!).GetValue(0)));
    }

    [Fact]
    public async Task A_chunk_gone_before_its_group_answered_is_read_again_from_a_fresh_list()
    {
        var random = new Random(7);
        var early = RandomRows(random, 10, 0, 10);
        var late = RandomRows(random, 10, 50, 60);
        var first = true;
        var source = new Source(request =>
        {
            // The first list's late file was replaced (by compaction) and deleted; the fresh list has its replacement.
            var gone = new ListChunk([RowMerger.Merge(Table, [Batch(late)])], 1, sorted: true, duplicates: false) { ReadsBeforeGone = first ? 0 : int.MaxValue };
            var list = new TableChunks(Table, [new ListChunk([RowMerger.Merge(Table, [Batch(early)])], 0, sorted: true, duplicates: false), gone]);
            first = false;
            return list;
        });
        var rows = await ScanRows(source.ScanAsync(All));
        Assert.Equal(2, source.Calls);
        Assert.Equal(Model([early, late]).Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_chunk_gone_after_its_group_began_answering_fails_the_scan_with_the_reason()
    {
        var random = new Random(8);
        var older = RowMerger.Merge(Table, [Batch(RandomRows(random, 20, 0, 10))]);
        var newer = new ListChunk([Batch(RandomRows(random, 20, 0, 10))], 1, sorted: false, duplicates: true);
        var vanishing = new VanishingChunk(older);
        var source = new Source(_ => new TableChunks(Table, [vanishing, newer]));
        var error = await Assert.ThrowsAsync<ChunkGoneException>(() => ScanRows(source.ScanAsync(All)));
        Assert.Contains("--deletion-grace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_without_columns_hands_its_rows_over_unmerged()
    {
        var rows = Batch([new("a", null, 1, 1, 1), new("a", null, 1, 2, 2)]);
        var source = new Source(_ => new TableChunks(null, [new StreamChunk(Table.Schema, [rows])]));
        Assert.Equal(2, (await ScanRows(source.ScanAsync(All))).Count);
    }

    /// <summary>A sorted chunk whose data goes away after its first batch was read.</summary>
    private sealed class VanishingChunk(RecordBatch sorted) : IQueryChunk
    {
        public string Kind => "vanishing";

        public string PartitionKey => "p";

        public long MinTime => 0;

        public long MaxTime => 10;

        public long RowCount => sorted.Length;

        public long Order => 0;

        public bool IsSorted => true;

        public bool MayHaveDuplicates => false;

        public IReadOnlyDictionary<string, ChunkTagRange>? TagRanges => null;

        public ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) => ValueTask.FromResult(sorted.Schema);

        public async IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return sorted.Slice(0, 1);
            throw new ChunkGoneException("vanishing chunk is gone");
        }
    }
}
