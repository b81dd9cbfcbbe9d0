using Tsdb.Arrow.Arrays;
using Tsdb.Query.Chunks;
using static Tsdb.Query.Tests.Chunks.ChunkTestData;

namespace Tsdb.Query.Tests.Chunks;

/// <summary>The streaming merge against <see cref="RowMerger"/> (merging everything at once) as the model.</summary>
public sealed class DedupMergeTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Streamed_merge_of_sorted_inputs_equals_merging_them_all_at_once(int seed)
    {
        var random = new Random(seed);
        // Each input is sorted and deduplicated, as a persisted file is; cut into random pieces.
        var inputs = Enumerable.Range(0, 1 + random.Next(5))
            .Select(_ => RowMerger.Merge(Table, [Batch(RandomRows(random, random.Next(40), 0, 20))]))
            .ToList();
        var expected = Rows(RowMerger.Merge(Table, inputs)).ToList();

        var streams = inputs.Select(i => Stream(Pieces(random, i))).ToList();
        var actual = new List<string>();
        await foreach (var batch in DedupMerge.MergeAsync(Table, streams))
        {
            Assert.Equal(Table.Schema.Fields.Select(f => f.Name), batch.Schema.Fields.Select(f => f.Name));
            actual.AddRange(Rows(batch));
        }
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Later_inputs_win_field_by_field_across_batch_boundaries()
    {
        var older = RowMerger.Merge(Table, [Batch([new("a", "x", 1, 1.0, 10), new("a", "x", 2, 2.0, 20), new("b", null, 1, 3.0, null)])]);
        var newer = RowMerger.Merge(Table, [Batch([new("a", "x", 2, null, 21), new("b", null, 1, 3.5, 30)])]);
        var rows = new List<string>();
        await foreach (var batch in DedupMerge.MergeAsync(Table, [Stream([older.Slice(0, 1), older.Slice(1, 2)]), Stream([newer.Slice(0, 1), newer.Slice(1, 1)])]))
        {
            rows.AddRange(Rows(batch));
        }
        Assert.Equal(["a|1|1|x|10", "a|2|2|x|21", "b|1|3.5|null|30"], rows);
    }

    [Fact]
    public async Task Rows_go_out_before_the_inputs_are_read_to_the_end()
    {
        // Two inputs of 200 one-row batches over different hosts: the merge holds about a batch per input, so the
        // first rows come out after a few batches, not after 400.
        var pulled = 0;
        RecordBatch One(string host, long t) => Batch([new(host, null, t, t, t)]);
        var a = Stream(Enumerable.Range(0, 200).Select(t => One("a", t)), () => pulled++);
        var b = Stream(Enumerable.Range(0, 200).Select(t => One("b", t)), () => pulled++);
        var enumerator = DedupMerge.MergeAsync(Table, [a, b]).GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
        Assert.True(pulled <= 4, $"{pulled} batches were read before the first row came out");
        var rows = enumerator.Current.Length;
        while (await enumerator.MoveNextAsync())
        {
            rows += enumerator.Current.Length;
        }
        Assert.Equal(400, rows);
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task A_split_sends_rows_out_unmerged()
    {
        var input = RowMerger.Merge(Table, [Batch([new("a", null, 1, 1, 1), new("a", null, 5, 5, 5)])]);
        var all = new List<string>();
        await foreach (var batch in DedupMerge.MergeAsync(Table, [Stream([input])], b => (b.Slice(0, 1), b.Slice(1, 1))))
        {
            all.AddRange(Rows(batch));
        }
        Assert.Equal(["a|1|1|null|1", "a|5|5|null|5"], all);
    }
}
