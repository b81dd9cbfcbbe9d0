using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests;

/// <summary>
/// The external sorter must answer exactly as <see cref="Sorting.SortIndices"/> over the concatenation of its input
/// — same rows, same order, equal keys in input order — whether it sorts in memory, spills dozens of runs or keeps a
/// top-K. Every row carries a unique id (never a key), so a difference in tie order shows as a different id.
/// </summary>
public sealed class ExternalSorterTests : IDisposable
{
    private const int Id = 0;
    private const int I = 1;
    private const int U = 2;
    private const int F = 3;
    private const int S = 4;
    private const int Tag = 5;
    private const int B = 6;
    private const int T = 7;

    private static readonly Schema DataSchema = new([
        new Field("id", ArrowType.Int64, false),
        new Field("i", ArrowType.Int64),
        new Field("u", ArrowType.UInt64),
        new Field("f", ArrowType.Float64),
        new Field("s", ArrowType.Utf8),
        new Field("tag", ArrowType.DictionaryUtf8),
        new Field("b", ArrowType.Boolean),
        new Field("t", ArrowType.TimestampNanosecond),
    ]);

    private static readonly string[] Words = ["", "a", "ab", "b", "B", "zeta", "é", "ä", "日本", "a\u0000b", "cpu-01", "cpu-1"];
    private static readonly double[] Floats = [double.NaN, -0.0, 0.0, 1.5, -1.5, double.PositiveInfinity, double.NegativeInfinity, 3.25, 1e-300];
    private static readonly ulong[] Unsigned = [0, 1, 7, (ulong)long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue, 42];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tsdb-sorter-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    public static TheoryData<SortKey[]> KeySets() =>
    [
        [new SortKey(I, false, false)],
        [new SortKey(I, true, true)],
        [new SortKey(U, true, false)],
        [new SortKey(F, false, false)],
        [new SortKey(F, true, true)],
        [new SortKey(S, false, true)],
        [new SortKey(Tag, false, false)],
        [new SortKey(Tag, true, true), new SortKey(F, false, false)],
        [new SortKey(B, false, false), new SortKey(T, true, false)],
        [new SortKey(T, false, true)],
        [new SortKey(Tag, false, true), new SortKey(B, true, false), new SortKey(S, true, false), new SortKey(U, false, true)],
        [new SortKey(S, false, false), new SortKey(Tag, true, false), new SortKey(I, false, true), new SortKey(F, true, false), new SortKey(B, false, true), new SortKey(T, false, false), new SortKey(U, true, true)],
    ];

    [Theory]
    [MemberData(nameof(KeySets))]
    public async Task A_small_reservation_spills_many_runs_and_answers_exactly_as_the_in_memory_sort(SortKey[] keys)
    {
        var batches = RandomBatches(seed: 7, count: 30);
        var expected = ExpectedIds(batches, keys);

        var (inMemory, memoryStats) = await SortAsync(batches, keys, limit: 1L << 30, fetch: null, batchSize: 64);
        Assert.Equal(0, memoryStats.SpillCount);
        Assert.Equal(expected, Ids(inMemory));

        // Room for about two batches: a run every other batch or so.
        var (spilled, spillStats) = await SortAsync(batches, keys, limit: 2 * MaxBatchBytes(batches), fetch: null, batchSize: 64);
        Assert.True(spillStats.SpillCount >= 8, $"{spillStats.SpillCount} spills");
        Assert.True(spillStats.SpilledRows > 0 && spillStats.SpilledBytes > 0);
        Assert.Equal(expected, Ids(spilled));
        AssertRowsMatchInput(batches, spilled);
        Assert.All(spilled, b => Assert.InRange(b.Length, 1, 64));
        Assert.All(spilled, b => Assert.Same(DataSchema, b.Schema));
        Assert.Empty(SpillFiles());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task More_runs_than_the_fan_in_are_merged_in_passes_with_the_same_answer(int fanIn)
    {
        var batches = RandomBatches(seed: 37, count: 30, distinct: 4);
        SortKey[] keys = [new SortKey(Tag, true, false), new SortKey(F, false, true)];
        var pool = new QueryMemoryPool(MaxBatchBytes(batches) * 3 / 2);
        var sorter = new ExternalSorter(DataSchema, keys, pool.Reserve("sort"), Spill, null, 40) { MaxMergeFanIn = fanIn };
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, CancellationToken.None);
            }
            Assert.True(sorter.SpillCount > 3 * fanIn, $"{sorter.SpillCount} spills");
            var output = new List<RecordBatch>();
            await foreach (var batch in sorter.SortedAsync(CancellationToken.None))
            {
                output.Add(batch);
            }
            Assert.Equal(ExpectedIds(batches, keys), Ids(output));
            AssertRowsMatchInput(batches, output);
            Assert.Empty(SpillFiles());
        }
        Assert.Equal(0, pool.Used);
    }

    [Fact]
    public async Task The_merge_sees_ties_across_runs_and_keeps_them_in_input_order()
    {
        // Three distinct keys in 2,000 rows: nearly every comparison in the merge is a tie between runs.
        var batches = RandomBatches(seed: 3, count: 25, distinct: 3);
        SortKey[] keys = [new SortKey(Tag, false, false), new SortKey(B, true, true)];
        var (sorted, stats) = await SortAsync(batches, keys, limit: MaxBatchBytes(batches) * 3 / 2, fetch: null, batchSize: 100);
        Assert.True(stats.SpillCount >= 10, $"{stats.SpillCount} spills");
        Assert.Equal(ExpectedIds(batches, keys), Ids(sorted));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task A_row_pointing_at_a_null_dictionary_entry_sorts_as_null_in_memory_and_after_spills(bool descending, bool nullsFirst)
    {
        var schema = new Schema([new Field("id", ArrowType.Int64, false), new Field("tag", ArrowType.DictionaryUtf8)]);
        var random = new Random(31);
        var batches = new List<RecordBatch>();
        var id = 0;
        for (var b = 0; b < 20; b++)
        {
            // Each batch its own dictionary order, one entry of it null.
            string?[] entries = [.. new string?[] { "x", null, "a", "m", "" }.OrderBy(_ => random.Next())];
            using var dictionary = new VariableWidthArrayBuilder(ArrowType.Utf8);
            foreach (var e in entries)
            {
                dictionary.Append(e);
            }
            var rows = 30 + random.Next(40);
            var indices = new int[rows];
            var valid = new bool[rows];
            for (var r = 0; r < rows; r++)
            {
                indices[r] = random.Next(entries.Length);
                valid[r] = random.Next(5) != 0;
            }
            var ids = Enumerable.Range(id, rows).Select(x => (long)x).ToArray();
            id += rows;
            var plainIndices = Columns.FromValues(ArrowType.Int32, indices, valid);
            var tag = ArrowArray.Create(new ArrayData(ArrowType.DictionaryUtf8, rows, -1, plainIndices.Data.Buffers, dictionary: dictionary.BuildData()));
            batches.Add(new RecordBatch(schema, [Int64Column(ids), tag], rows));
        }
        SortKey[] keys = [new SortKey(1, descending, nullsFirst)];
        // The reference sorts the decoded strings, where such a row is plainly null.
        var plain = ArrowArray.Create(ArrayConcatenation.Concatenate([.. batches.Select(b => Columns.Plain(b.Column(1)).Data)]));
        var allIds = Concatenate(batches, 0);
        long[] expected = [.. Sorting.SortIndices([(plain, descending, nullsFirst)]).Select(r => (long)allIds.GetObject(r)!)];
        foreach (var limit in new[] { 1L << 30, 2 * MaxBatchBytes(batches) })
        {
            var pool = new QueryMemoryPool(limit);
            var sorter = new ExternalSorter(schema, keys, pool.Reserve("sort"), Spill, null, 25);
            await using (sorter)
            {
                foreach (var batch in batches)
                {
                    await sorter.AddAsync(batch, CancellationToken.None);
                }
                var output = new List<RecordBatch>();
                await foreach (var batch in sorter.SortedAsync(CancellationToken.None))
                {
                    output.Add(batch);
                }
                Assert.Equal(limit < 1L << 30, sorter.SpillCount > 3);
                Assert.Equal(expected, Ids(output));
                var byId = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => ((long)b.Column(0).GetObject(r)!, b.Column(1).GetObject(r)))).ToDictionary();
                Assert.All(output.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => ((long)b.Column(0).GetObject(r)!, b.Column(1).GetObject(r)))),
                    row => Assert.Equal(byId[row.Item1], row.Item2));
            }
        }
    }

    [Fact]
    public async Task Output_batches_have_at_most_batch_size_rows_and_every_row_once()
    {
        var batches = RandomBatches(seed: 11, count: 12);
        var total = batches.Sum(b => b.Length);
        SortKey[] keys = [new SortKey(T, false, false)];
        foreach (var batchSize in new[] { 1, 7, 1000, 100_000 })
        {
            var (sorted, _) = await SortAsync(batches, keys, limit: 2 * MaxBatchBytes(batches), fetch: null, batchSize: batchSize);
            Assert.All(sorted, b => Assert.InRange(b.Length, 1, batchSize));
            Assert.Equal(total, sorted.Sum(b => b.Length));
            Assert.Equal(ExpectedIds(batches, keys), Ids(sorted));
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(7L)]
    [InlineData(100L)]
    [InlineData(450L)]
    [InlineData(1_000_000L)]
    public async Task Fetch_keeps_the_first_rows_of_the_full_sort_without_spilling(long fetch)
    {
        var batches = RandomBatches(seed: 5, count: 20);
        SortKey[] keys = [new SortKey(Tag, true, false), new SortKey(F, false, true)];
        var expected = ExpectedIds(batches, keys);
        var pool = new QueryMemoryPool(1L << 30);
        var (sorted, stats) = await SortAsync(batches, keys, pool, fetch, batchSize: 50);
        Assert.Equal(0, stats.SpillCount);
        Assert.Equal(expected.Take((int)Math.Min(fetch, expected.Length)), Ids(sorted));
        AssertRowsMatchInput(batches, sorted);
        Assert.Equal(0, pool.Used);
        if (fetch <= 7)
        {
            // Bounded: a few batches' worth at most, never the whole input.
            Assert.True(pool.Peak < 4 * MaxBatchBytes(batches), $"peak {pool.Peak}");
        }
    }

    [Fact]
    public async Task Fetch_over_many_small_batches_compacts_its_candidates_and_still_answers_the_full_sort()
    {
        // 300 batches of 1 to 5 rows: the candidates are compacted for their number of batches before their rows.
        var random = new Random(43);
        var batches = new List<RecordBatch>();
        var id = 0;
        for (var b = 0; b < 300; b++)
        {
            var rows = 1 + random.Next(5);
            batches.Add(RandomBatch(random, id, rows, 6));
            id += rows;
        }
        SortKey[] keys = [new SortKey(B, false, true), new SortKey(U, true, false)];
        var expected = ExpectedIds(batches, keys);
        foreach (var fetch in new long[] { 150, 500 })
        {
            var pool = new QueryMemoryPool(1L << 30);
            var (sorted, stats) = await SortAsync(batches, keys, pool, fetch, batchSize: 64);
            Assert.Equal(0, stats.SpillCount);
            Assert.Equal(expected.Take((int)fetch), Ids(sorted));
            AssertRowsMatchInput(batches, sorted);
        }
    }

    [Fact]
    public async Task Empty_input_gives_no_batches()
    {
        foreach (var fetch in new long?[] { null, 10 })
        {
            var pool = new QueryMemoryPool(1 << 20);
            var sorter = new ExternalSorter(DataSchema, [new SortKey(I, false, false)], pool.Reserve("sort"), Spill, fetch);
            await using (sorter)
            {
                await sorter.AddAsync(RandomBatch(new Random(1), 0, 0, 12), CancellationToken.None);
                var output = new List<RecordBatch>();
                await foreach (var batch in sorter.SortedAsync(CancellationToken.None))
                {
                    output.Add(batch);
                }
                Assert.Empty(output);
            }
            Assert.Equal(0, pool.Used);
        }
    }

    [Fact]
    public async Task Spill_files_are_deleted_once_the_merge_is_done_and_on_dispose_without_sorting()
    {
        var batches = RandomBatches(seed: 9, count: 10);
        var pool = new QueryMemoryPool(2 * MaxBatchBytes(batches));
        var sorter = new ExternalSorter(DataSchema, [new SortKey(S, false, false)], pool.Reserve("sort"), Spill, null, 32);
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, CancellationToken.None);
            }
            Assert.True(sorter.SpillCount > 2);
            Assert.Equal(sorter.SpillCount, SpillFiles().Length);
            var rows = 0;
            await foreach (var batch in sorter.SortedAsync(CancellationToken.None))
            {
                rows += batch.Length;
            }
            Assert.Equal(batches.Sum(b => b.Length), rows);
            Assert.Empty(SpillFiles());
            Assert.Equal(0, pool.Used);
        }

        pool = new QueryMemoryPool(2 * MaxBatchBytes(batches));
        sorter = new ExternalSorter(DataSchema, [new SortKey(S, false, false)], pool.Reserve("sort"), Spill, null, 32);
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, CancellationToken.None);
            }
            Assert.NotEmpty(SpillFiles());
        }
        Assert.Empty(SpillFiles());
        Assert.Equal(0, pool.Used);
    }

    [Fact]
    public async Task Cancelling_the_merge_or_abandoning_it_leaves_no_spill_files()
    {
        var batches = RandomBatches(seed: 13, count: 12);
        using var cts = new CancellationTokenSource();
        var pool = new QueryMemoryPool(2 * MaxBatchBytes(batches));
        var sorter = new ExternalSorter(DataSchema, [new SortKey(I, false, false)], pool.Reserve("sort"), Spill, null, 16);
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, cts.Token);
            }
            Assert.NotEmpty(SpillFiles());
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var batch in sorter.SortedAsync(cts.Token))
                {
                    await cts.CancelAsync();
                }
            });
            Assert.Empty(SpillFiles());
        }
        Assert.Equal(0, pool.Used);

        // Stopping early (a LIMIT above the sort) disposes the enumerator: the runs go with it.
        sorter = new ExternalSorter(DataSchema, [new SortKey(I, false, false)], new QueryMemoryPool(2 * MaxBatchBytes(batches)).Reserve("sort"), Spill, null, 16);
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, CancellationToken.None);
            }
            await foreach (var batch in sorter.SortedAsync(CancellationToken.None))
            {
                Assert.NotEmpty(SpillFiles());
                break;
            }
            Assert.Empty(SpillFiles());
        }
    }

    [Fact]
    public async Task Cancelling_during_a_merge_pass_leaves_no_spill_files()
    {
        var batches = RandomBatches(seed: 41, count: 16);
        using var cts = new CancellationTokenSource();
        var sorter = new ExternalSorter(DataSchema, [new SortKey(S, true, true)], new QueryMemoryPool(2 * MaxBatchBytes(batches)).Reserve("sort"), Spill, null, 8)
        {
            MaxMergeFanIn = 2,
        };
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, cts.Token);
            }
            Assert.True(sorter.SpillCount > 4);
            // Cancelled during a merge pass or while the output is read, whichever it reaches first: no files either way.
            cts.CancelAfter(TimeSpan.FromMilliseconds(1));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var batch in sorter.SortedAsync(cts.Token))
                {
                    await Task.Delay(10, CancellationToken.None);
                }
            });
            Assert.Empty(SpillFiles());
        }
    }

    [Fact]
    public async Task Cancelling_while_adding_leaves_no_spill_files_after_dispose()
    {
        var batches = RandomBatches(seed: 17, count: 12);
        using var cts = new CancellationTokenSource();
        var sorter = new ExternalSorter(DataSchema, [new SortKey(F, false, false)], new QueryMemoryPool(2 * MaxBatchBytes(batches)).Reserve("sort"), Spill, null, 16);
        await using (sorter)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                foreach (var batch in batches)
                {
                    if (sorter.SpillCount == 3)
                    {
                        await cts.CancelAsync();
                    }
                    await sorter.AddAsync(batch, cts.Token);
                }
            });
            Assert.NotEmpty(SpillFiles());
        }
        Assert.Empty(SpillFiles());
    }

    [Fact]
    public async Task A_batch_larger_than_the_whole_budget_fails_the_query_naming_the_sort()
    {
        var batches = RandomBatches(seed: 19, count: 2);
        var pool = new QueryMemoryPool(QueryMemoryPool.SizeOf(batches[0]) / 2);
        var sorter = new ExternalSorter(DataSchema, [new SortKey(I, false, false)], pool.Reserve("ORDER BY sort"), Spill, null);
        await using (sorter)
        {
            var e = await Assert.ThrowsAsync<QueryLimitException>(async () => await sorter.AddAsync(batches[0], CancellationToken.None));
            Assert.Equal(QueryLimit.Memory, e.Limit);
            Assert.Contains("ORDER BY sort", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Misuse_is_refused()
    {
        var sorter = new ExternalSorter(DataSchema, [new SortKey(I, false, false)], new QueryMemoryPool(1 << 20).Reserve("sort"), Spill, null);
        await using (sorter)
        {
            var wrong = new RecordBatch(new Schema([new Field("x", ArrowType.Int64)]), [Int64Column([1, 2])], 2);
            await Assert.ThrowsAsync<ArgumentException>(async () => await sorter.AddAsync(wrong, CancellationToken.None));
            _ = sorter.SortedAsync(CancellationToken.None);
            Assert.Throws<InvalidOperationException>(() => sorter.SortedAsync(CancellationToken.None));
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await sorter.AddAsync(RandomBatch(new Random(1), 0, 3, 5), CancellationToken.None));
        }
        Assert.Throws<ArgumentException>(() => new ExternalSorter(DataSchema, [], new QueryMemoryPool(1).Reserve("sort"), Spill, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExternalSorter(DataSchema, [new SortKey(99, false, false)], new QueryMemoryPool(1).Reserve("sort"), Spill, null));
    }

    [Fact]
    public void The_ipc_stream_round_trips_batches_whose_dictionaries_differ()
    {
        // Runs rely on it: each run batch carries the dictionary merged from the batches its rows came from.
        var random = new Random(23);
        var batches = new[] { RandomBatch(random, 0, 40, 12), RandomBatch(random, 40, 40, 12), RandomBatch(random, 80, 40, 3) };
        Assert.NotSame(batches[0].Column(Tag).Data.Dictionary, batches[1].Column(Tag).Data.Dictionary);
        var bytes = ArrowStreamWriter.ToBytes(DataSchema, batches);
        using var reader = new ArrowStreamReader(bytes);
        var read = reader.ReadAll().ToList();
        Assert.Equal(Rows(batches), Rows(read));
        Assert.All(read, b => Assert.Equal(ArrowTypeId.Dictionary, b.Column(Tag).Type.Id));
    }

    [Fact]
    public void Merge_keys_order_as_sorting_does_across_batches()
    {
        // Every pair of rows from two batches with different dictionaries: the cross-batch comparison agrees with
        // SortIndices over their concatenation on which row comes first.
        var random = new Random(29);
        var left = RandomBatch(random, 0, 60, 12);
        var right = RandomBatch(random, 60, 60, 12);
        foreach (var column in new[] { I, U, F, S, Tag, B, T })
        {
            foreach (var (descending, nullsFirst) in new[] { (false, false), (true, true), (true, false) })
            {
                var all = ArrowArray.Create(ArrayConcatenation.Concatenate([left.Column(column).Data, right.Column(column).Data]));
                var order = Sorting.SortIndices([(all, descending, nullsFirst)]);
                var rank = new int[order.Length];
                for (var r = 0; r < order.Length; r++)
                {
                    rank[order[r]] = r;
                }
                var a = MergeKeyColumn.Create(left.Column(column));
                var b = MergeKeyColumn.Create(right.Column(column));
                for (var x = 0; x < left.Length; x++)
                {
                    for (var y = 0; y < right.Length; y++)
                    {
                        var c = MergeKeyColumn.Compare(a, x, b, y, descending, nullsFirst);
                        // Ties keep input order: the left row (earlier) first.
                        Assert.Equal(rank[x] < rank[left.Length + y], c <= 0);
                    }
                }
            }
        }
    }

    private async Task<(List<RecordBatch> Output, (int SpillCount, long SpilledRows, long SpilledBytes) Stats)> SortAsync(
        IReadOnlyList<RecordBatch> batches, SortKey[] keys, long limit, long? fetch, int batchSize) =>
        await SortAsync(batches, keys, new QueryMemoryPool(limit), fetch, batchSize);

    private async Task<(List<RecordBatch> Output, (int SpillCount, long SpilledRows, long SpilledBytes) Stats)> SortAsync(
        IReadOnlyList<RecordBatch> batches, SortKey[] keys, QueryMemoryPool pool, long? fetch, int batchSize)
    {
        var sorter = new ExternalSorter(DataSchema, keys, pool.Reserve("sort"), Spill, fetch, batchSize);
        await using (sorter)
        {
            foreach (var batch in batches)
            {
                await sorter.AddAsync(batch, CancellationToken.None);
            }
            var output = new List<RecordBatch>();
            await foreach (var batch in sorter.SortedAsync(CancellationToken.None))
            {
                output.Add(batch);
            }
            Assert.Equal(0, pool.Used);
            return (output, (sorter.SpillCount, sorter.SpilledRows, sorter.SpilledBytes));
        }
    }

    private SpillDirectory Spill => new(_directory);

    private string[] SpillFiles() => Directory.Exists(_directory) ? Directory.GetFiles(_directory, "*", SearchOption.AllDirectories) : [];

    /// <summary>The ids in the order SortIndices gives over the concatenation of every batch.</summary>
    private static long[] ExpectedIds(IReadOnlyList<RecordBatch> batches, SortKey[] keys)
    {
        var sortKeys = keys.Select(k => (Concatenate(batches, k.Column), k.Descending, k.NullsFirst)).ToArray();
        var ids = Concatenate(batches, Id);
        return [.. Sorting.SortIndices(sortKeys).Select(r => (long)ids.GetObject(r)!)];
    }

    private static ArrowArray Concatenate(IReadOnlyList<RecordBatch> batches, int column) =>
        ArrowArray.Create(ArrayConcatenation.Concatenate([.. batches.Select(b => b.Column(column).Data)]));

    private static long[] Ids(IEnumerable<RecordBatch> batches) =>
        [.. batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => (long)b.Column(Id).GetObject(r)!))];

    private static List<object?[]> Rows(IEnumerable<RecordBatch> batches) =>
        [.. batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => b.Columns.Select(c => c.GetObject(r)).ToArray()))];

    /// <summary>Every output row is its input row, column for column (the gather moved whole rows).</summary>
    private static void AssertRowsMatchInput(IReadOnlyList<RecordBatch> input, IReadOnlyList<RecordBatch> output)
    {
        var byId = Rows(input).ToDictionary(r => (long)r[Id]!);
        foreach (var row in Rows(output))
        {
            Assert.Equal(byId[(long)row[Id]!], row);
        }
    }

    private static long MaxBatchBytes(IReadOnlyList<RecordBatch> batches) => batches.Max(QueryMemoryPool.SizeOf);

    private static List<RecordBatch> RandomBatches(int seed, int count, int distinct = 12)
    {
        var random = new Random(seed);
        var batches = new List<RecordBatch>();
        var id = 0;
        for (var b = 0; b < count; b++)
        {
            var rows = 20 + random.Next(80);
            batches.Add(RandomBatch(random, id, rows, distinct));
            id += rows;
        }
        return batches;
    }

    /// <summary>Rows of every key type with nulls and many duplicates; the tag dictionary's order (and unused
    /// entries) differ per batch.</summary>
    private static RecordBatch RandomBatch(Random random, int firstId, int rows, int distinct)
    {
        using var id = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        using var i = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        using var u = new PrimitiveArrayBuilder<ulong>(ArrowType.UInt64);
        using var f = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var s = new VariableWidthArrayBuilder(ArrowType.Utf8);
        using var tag = new DictionaryArrayBuilder();
        using var b = new BooleanArrayBuilder();
        using var t = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        foreach (var word in Words.OrderBy(_ => random.Next()).Take(random.Next(Words.Length)))
        {
            tag.AddValue(Encoding.UTF8.GetBytes(word));
        }
        bool Null() => random.Next(6) == 0;
        for (var r = 0; r < rows; r++)
        {
            id.Append(firstId + r);
            i.Append(Null() ? null : (long?)(random.Next(distinct) - (distinct / 2)) * 1_000_000_007L);
            u.Append(Null() ? null : Unsigned[random.Next(Math.Min(distinct, Unsigned.Length))]);
            f.Append(Null() ? null : Floats[random.Next(Math.Min(distinct, Floats.Length))]);
            s.Append(Null() ? null : Words[random.Next(Math.Min(distinct, Words.Length))]);
            tag.Append(Null() ? null : Words[random.Next(Math.Min(distinct, Words.Length))]);
            b.Append(Null() ? null : random.Next(2) == 0);
            t.Append(Null() ? null : 1_700_000_000_000_000_000L + (random.Next(distinct) * 1_000L));
        }
        return new RecordBatch(DataSchema,
        [
            ArrowArray.Create(id.BuildData()), ArrowArray.Create(i.BuildData()), ArrowArray.Create(u.BuildData()),
            ArrowArray.Create(f.BuildData()), ArrowArray.Create(s.BuildData()), tag.Build(), b.Build(), ArrowArray.Create(t.BuildData()),
        ], rows);
    }

    private static ArrowArray Int64Column(long[] values)
    {
        using var builder = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return ArrowArray.Create(builder.BuildData());
    }
}
