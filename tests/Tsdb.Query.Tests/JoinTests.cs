using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests;

/// <summary>
/// The join kernels against a naive nested loop written here from the SQL rules (null keys never match; NOT IN
/// fails on any possibly-equal pair), on random data with nulls, duplicate keys, several key types and batches cut at
/// random places; plus the streaming, memory and cancellation guarantees.
/// </summary>
public sealed class JoinTests
{
    private static readonly JoinType[] KeyedTypes = [JoinType.Inner, JoinType.Left, JoinType.Right, JoinType.Full, JoinType.LeftSemi, JoinType.LeftAnti];

    /// <summary>Key column types of the left and right side, pairwise.</summary>
    public static TheoryData<string, string> KeyShapes() => new()
    {
        { "i64", "i64" },
        { "i64", "f64" },
        { "f64", "u64" },
        { "u64", "i64" },
        { "dict", "utf8" },
        { "utf8", "dict" },
        { "dict", "dict" },
        { "bool", "bool" },
        { "ts", "ts" },
        { "dict,i64", "utf8,f64" },
        { "i64,utf8,bool", "f64,dict,bool" },
    };

    [Theory]
    [MemberData(nameof(KeyShapes))]
    public async Task HashJoinMatchesNestedLoopReference(string leftKinds, string rightKinds)
    {
        var lk = leftKinds.Split(',');
        var rk = rightKinds.Split(',');
        var compared = 0;
        for (var seed = 0; seed < 6; seed++)
        {
            var random = new Random((seed * 7919) + leftKinds.Length + (rightKinds.Length * 31));
            var left = Side(random, lk, "l", random.Next(0, 60));
            var right = Side(random, rk, "r", random.Next(0, 60));
            var keys = Enumerable.Range(0, lk.Length).ToArray();
            foreach (var type in KeyedTypes)
            {
                foreach (var withResidual in new[] { false, true })
                {
                    var nullAwareOptions = type == JoinType.LeftAnti ? new[] { false, true } : new[] { false };
                    foreach (var nullAware in nullAwareOptions)
                    {
                        var batchSize = 1 + random.Next(12);
                        var residual = withResidual ? ValueLess(left.Schema, lk.Length, lk.Length) : null;
                        using var reservation = new QueryMemoryPool(1L << 30).Reserve("HashJoin(build)");
                        var joiner = new HashJoiner(left.Schema, right.Schema, keys, keys, type, residual, reservation, batchSize, nullAware);
                        var output = await Run(joiner, left, right, random, batchSize);
                        var expected = Reference(left, right, keys, keys, type, withResidual ? (l, r) => Less(l[lk.Length], r[rk.Length]) : null, nullAware);
                        var context = $"{type} residual={withResidual} nullAware={nullAware} seed={seed} batch={batchSize}";
                        Assert.True(expected.SequenceEqual(output), $"{context}\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', output)}");
                        Assert.Equal(output.Count, joiner.OutputRows);
                        Assert.Equal(right.Rows.Count, joiner.BuildRows);
                        Assert.Equal(0, reservation.Size);
                        compared += expected.Count;
                    }
                }
            }
        }
        Assert.True(compared > 500, $"only {compared} rows compared");
    }

    [Fact]
    public async Task NestedLoopJoinMatchesReference()
    {
        for (var seed = 0; seed < 8; seed++)
        {
            var random = new Random(seed);
            var left = Side(random, ["i64"], "l", random.Next(0, 40));
            var right = Side(random, ["f64"], "r", random.Next(0, 40));
            foreach (var type in (JoinType[])[.. KeyedTypes, JoinType.Cross])
            {
                foreach (var withResidual in new[] { false, true })
                {
                    var batchSize = 1 + random.Next(50);
                    // A non-equi condition: the left key below the right value.
                    var residual = withResidual ? Residual(0, left.Schema.FieldCount + 1, Less) : null;
                    using var reservation = new QueryMemoryPool(1L << 30).Reserve("NestedLoopJoin(build)");
                    var joiner = new NestedLoopJoiner(left.Schema, right.Schema, type, residual, reservation, batchSize);
                    var output = await Run(joiner, left, right, random, batchSize);
                    var expected = Reference(left, right, [], [], type == JoinType.Cross ? JoinType.Inner : type, withResidual ? (l, r) => Less(l[0], r[1]) : null, false);
                    Assert.True(expected.SequenceEqual(output), $"{type} residual={withResidual} seed={seed}\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', output)}");
                    Assert.Equal(0, reservation.Size);
                }
            }
        }
    }

    [Fact]
    public async Task NumericKeysCompareByExactValue()
    {
        const long TwoTo53 = 1L << 53;
        var left = Table(["k"], [ArrowType.Int64], [[1L], [TwoTo53 + 1], [TwoTo53], [0L], [-1L], [long.MaxValue], [7L]]);
        var right = Table(["k"], [ArrowType.Float64], [[1.0], [(double)TwoTo53], [-0.0], [-1.0], [9223372036854775807.0], [7.5], [double.NaN], [null]]);
        var rows = await Join(left, right, JoinType.Inner);
        // 2^53 + 1 is not 2^53 even though they are the same double; long.MaxValue is not 2^63.
        Assert.Equal(Sorted(["1|1", "9007199254740992|9007199254740992", "0|-0", "-1|-1"]), Sorted(rows));

        var unsigned = Table(["k"], [ArrowType.UInt64], [[1UL], [ulong.MaxValue], [(1UL << 63) + 1], [9007199254740992UL]]);
        var signed = Table(["k"], [ArrowType.Int64], [[1L], [-1L], [long.MinValue + 1], [TwoTo53]]);
        Assert.Equal(["1|1", "9007199254740992|9007199254740992"], await Join(unsigned, signed, JoinType.Inner));
        var floats = Table(["k"], [ArrowType.Float64], [[1.0], [18446744073709551615.0], [9223372036854775808.0], [1.5]]);
        var big = Table(["k"], [ArrowType.UInt64], [[1UL], [ulong.MaxValue], [1UL << 63]]);
        Assert.Equal(["1|1", "9.223372036854776E+18|9223372036854775808"], await Join(floats, big, JoinType.Inner));
    }

    [Fact]
    public async Task TimestampsOfDifferentUnitsCompareAsInstants()
    {
        var seconds = ArrowType.Timestamp(TimeUnit.Second);
        var millis = ArrowType.Timestamp(TimeUnit.Millisecond);
        var left = Table(["t"], [seconds], [[5L], [6L], [null]]);
        var right = Table(["t"], [millis], [[5000L], [6001L], [null]]);
        Assert.Equal(["5|5000"], await Join(left, right, JoinType.Inner));
    }

    [Fact]
    public async Task TagsJoinStringsAcrossBatchesWithDifferentDictionaries()
    {
        var schema = new Schema([new Field("host", ArrowType.DictionaryUtf8), new Field("v", ArrowType.Int64)]);
        var b1 = new RecordBatch(schema, [Dict(["a", "b", null, "c"]), Int64s([1, 2, 3, 4])], 4);
        var b2 = new RecordBatch(schema, [Dict(["c", "zz", "a"]), Int64s([5, 6, 7])], 3);
        var rightSchema = new Schema([new Field("name", ArrowType.Utf8), new Field("w", ArrowType.Int64)]);
        var r1 = new RecordBatch(rightSchema, [Columns.FromStrings(["c", "a"]), Int64s([10, 20])], 2);
        var r2 = new RecordBatch(rightSchema, [Columns.FromStrings(["a", null, "b"]), Int64s([30, 40, 50])], 3);
        using var reservation = new QueryMemoryPool(1L << 30).Reserve("HashJoin(build)");
        var joiner = new HashJoiner(schema, rightSchema, [0], [0], JoinType.Full, null, reservation);
        await joiner.BuildAsync(Stream([r1, r2]), CancellationToken.None);
        var output = new List<RecordBatch>();
        await foreach (var batch in joiner.ProbeAsync(Stream([b1, b2]), CancellationToken.None))
        {
            Assert.Equal(joiner.OutputSchema.Fields.Select(f => f.Type), batch.Schema.Fields.Select(f => f.Type));
            output.Add(batch);
        }
        // The tag column stays dictionary-encoded in the output.
        Assert.All(output, b => Assert.Equal(ArrowType.DictionaryUtf8, b.Column(0).Type));
        Assert.Equal(
            Sorted(["a|1|a|20", "a|1|a|30", "b|2|b|50", "∅|3|∅|∅", "c|4|c|10", "c|5|c|10", "zz|6|∅|∅", "a|7|a|20", "a|7|a|30", "∅|∅|∅|40"]),
            Sorted(Rows(output)));
    }

    [Fact]
    public async Task ProbeSlicesSharingADictionaryAndAResidualOnARightJoin()
    {
        var schema = new Schema([new Field("host", ArrowType.DictionaryUtf8), new Field("v", ArrowType.Int64)]);
        var whole = new RecordBatch(schema, [Dict(["a", "b", "a", null, "c", "b"]), Int64s([1, 2, 3, 4, 5, 6])], 6);
        var rightSchema = new Schema([new Field("name", ArrowType.Utf8), new Field("limit", ArrowType.Int64)]);
        var build = new RecordBatch(rightSchema, [Columns.FromStrings(["a", "b", "d"]), Int64s([2, 5, 0])], 3);
        using var reservation = new QueryMemoryPool(1L << 30).Reserve("HashJoin(build)");
        // ON host = name AND v < limit
        var joiner = new HashJoiner(schema, rightSchema, [0], [0], JoinType.Right, Residual(1, 3, Less), reservation, batchSize: 2);
        await joiner.BuildAsync(Stream([build]), CancellationToken.None);
        var batches = await Collect(joiner.ProbeAsync(Stream([whole.Slice(0, 2), whole.Slice(2, 3), whole.Slice(5, 1)]), CancellationToken.None));
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 2));
        Assert.Equal(Sorted(["a|1|a|2", "b|2|b|5", "∅|∅|d|0"]), Sorted(Rows(batches)));
        Assert.Equal(3, joiner.OutputRows);
    }

    [Theory]
    [InlineData(JoinType.Inner, new string[0])]
    [InlineData(JoinType.Left, new[] { "1|x|∅|∅|∅", "2|∅|∅|∅|∅" })]
    [InlineData(JoinType.Full, new[] { "1|x|∅|∅|∅", "2|∅|∅|∅|∅" })]
    [InlineData(JoinType.LeftAnti, new[] { "1|x", "2|∅" })]
    [InlineData(JoinType.LeftSemi, new string[0])]
    [InlineData(JoinType.Right, new string[0])]
    public async Task EmptyBuildSidePadsWithNullsOfEveryType(JoinType type, string[] expected)
    {
        var left = new Schema([new Field("k", ArrowType.Int64), new Field("tag", ArrowType.DictionaryUtf8)]);
        var right = new Schema([new Field("k", ArrowType.Int64), new Field("s", ArrowType.Utf8), new Field("b", ArrowType.Boolean)]);
        var probe = new RecordBatch(left, [Int64s([1, 2]), Dict(["x", null])], 2);
        using var reservation = new QueryMemoryPool(1L << 30).Reserve("HashJoin(build)");
        var joiner = new HashJoiner(left, right, [0], [0], type, null, reservation);
        await joiner.BuildAsync(Stream([]), CancellationToken.None);
        var batches = await Collect(joiner.ProbeAsync(Stream([probe]), CancellationToken.None));
        Assert.Equal(Sorted(expected), Sorted(Rows(batches)));
        Assert.Equal(0, joiner.BuildRows);
    }

    [Fact]
    public async Task EmptyProbeSideEmitsTheBuildRowsForRightAndFull()
    {
        var left = new Schema([new Field("k", ArrowType.Int64), new Field("tag", ArrowType.DictionaryUtf8), new Field("t", ArrowType.TimestampNanosecond)]);
        var right = new Schema([new Field("k", ArrowType.Float64)]);
        var build = new RecordBatch(right, [Columns.FromValues(ArrowType.Float64, [1.0, 2.0], [true, false])], 2);
        foreach (var type in new[] { JoinType.Right, JoinType.Full, JoinType.Inner, JoinType.Left, JoinType.LeftAnti })
        {
            using var reservation = new QueryMemoryPool(1L << 30).Reserve("HashJoin(build)");
            var joiner = new HashJoiner(left, right, [0], [0], type, null, reservation);
            await joiner.BuildAsync(Stream([build]), CancellationToken.None);
            var rows = Rows(await Collect(joiner.ProbeAsync(Stream([]), CancellationToken.None)));
            var expected = type is JoinType.Right or JoinType.Full ? new[] { "∅|∅|∅|1", "∅|∅|∅|∅" } : Array.Empty<string>();
            Assert.Equal(Sorted(expected), Sorted(rows));
        }
    }

    [Fact]
    public async Task NullAwareAntiFollowsNotInRules()
    {
        var left = Table(["k"], [ArrowType.Int64], [[1L], [2L], [null]]);
        // NOT EXISTS: nulls just never match.
        Assert.Equal(Sorted(["2", "∅"]), Sorted(await Join(left, Table(["k"], [ArrowType.Int64], [[1L], [null]]), JoinType.LeftAnti)));
        // NOT IN with a null in the list: nothing qualifies.
        Assert.Empty(await Join(left, Table(["k"], [ArrowType.Int64], [[1L], [null]]), JoinType.LeftAnti, nullAware: true));
        // NOT IN without nulls: a null probe value does not qualify (the list is not empty).
        Assert.Equal(["2"], await Join(left, Table(["k"], [ArrowType.Int64], [[1L], [3L]]), JoinType.LeftAnti, nullAware: true));
        // NOT IN an empty list: everything qualifies, nulls too.
        Assert.Equal(Sorted(["1", "2", "∅"]), Sorted(await Join(left, Table(["k"], [ArrowType.Int64], []), JoinType.LeftAnti, nullAware: true)));
    }

    [Fact]
    public async Task LargeCrossJoinStreamsInBoundedBatchesWithAFixedReservation()
    {
        const int N = 2000;
        var left = new Schema([new Field("a", ArrowType.Int64)]);
        var right = new Schema([new Field("b", ArrowType.Int64), new Field("s", ArrowType.Utf8)]);
        var probe = new[] { Range(left, 0, 1200), Range(left, 1200, N - 1200) };
        var build = new[] { BuildRows(right, 0, 700), BuildRows(right, 700, N - 700) };
        var pool = new QueryMemoryPool(64L << 20);
        using var reservation = pool.Reserve("NestedLoopJoin(build)");
        var joiner = new NestedLoopJoiner(left, right, JoinType.Cross, null, reservation);
        await joiner.BuildAsync(Stream(build), CancellationToken.None);
        var held = reservation.Size;
        // The build side's batches and the fixed buffers, nothing more.
        Assert.InRange(held, build.Sum(QueryMemoryPool.SizeOf), build.Sum(QueryMemoryPool.SizeOf) + (1 << 17));
        long rows = 0, sum = 0;
        var batches = 0;
        await foreach (var batch in joiner.ProbeAsync(Stream(probe), CancellationToken.None))
        {
            Assert.InRange(batch.Length, 1, 8192);
            Assert.Equal(held, reservation.Size);
            rows += batch.Length;
            batches++;
            var a = (Int64Array)batch.Column(0);
            var b = (Int64Array)batch.Column(1);
            for (var i = 0; i < batch.Length; i++)
            {
                sum += (a.Values[i] * N) + b.Values[i];
            }
        }
        Assert.Equal((long)N * N, rows);
        Assert.Equal((long)N * N, joiner.OutputRows);
        Assert.True(batches >= (long)N * N / 8192);
        // Every (a, b) pair exactly once: the sum of 0 .. N*N-1.
        Assert.Equal(((long)N * N) * (((long)N * N) - 1) / 2, sum);
        Assert.Equal(0, reservation.Size);
        Assert.True(pool.Peak < 4L << 20, $"peak {pool.Peak}");
    }

    [Fact]
    public async Task DuplicateHeavyHashJoinStreams()
    {
        // One key repeated on both sides: 2,000 x 2,000 matches from a 2,000-row build side.
        const int N = 2000;
        var schema = new Schema([new Field("k", ArrowType.DictionaryUtf8), new Field("v", ArrowType.Int64)]);
        var side = new RecordBatch(schema, [Dict([.. Enumerable.Repeat("same", N)]), Int64s([.. Enumerable.Range(0, N).Select(i => (long)i)])], N);
        using var reservation = new QueryMemoryPool(64L << 20).Reserve("HashJoin(build)");
        var joiner = new HashJoiner(schema, schema, [0], [0], JoinType.Inner, null, reservation, batchSize: 4096);
        await joiner.BuildAsync(Stream([side]), CancellationToken.None);
        long rows = 0;
        long? held = null;
        await foreach (var batch in joiner.ProbeAsync(Stream([side]), CancellationToken.None))
        {
            Assert.InRange(batch.Length, 1, 4096);
            held ??= reservation.Size;
            Assert.Equal(held, reservation.Size);
            rows += batch.Length;
        }
        Assert.Equal((long)N * N, rows);
    }

    [Fact]
    public async Task TinyReservationFailsTheBuildNamingTheOperator()
    {
        var schema = new Schema([new Field("k", ArrowType.Int64)]);
        var pool = new QueryMemoryPool(4096);
        using var reservation = pool.Reserve("HashJoin(build)");
        var joiner = new HashJoiner(schema, schema, [0], [0], JoinType.Inner, null, reservation);
        var error = await Assert.ThrowsAsync<QueryLimitException>(async () =>
            await joiner.BuildAsync(Stream([Range(schema, 0, 10_000)]), CancellationToken.None));
        Assert.Equal(QueryLimit.Memory, error.Limit);
        Assert.Contains("HashJoin(build)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, reservation.Size);
        Assert.Equal(0, pool.Used);

        using var nested = pool.Reserve("NestedLoopJoin(build)");
        var loop = new NestedLoopJoiner(schema, schema, JoinType.Cross, null, nested);
        var second = await Assert.ThrowsAsync<QueryLimitException>(async () =>
            await loop.BuildAsync(Stream([Range(schema, 0, 1000), Range(schema, 0, 1000)]), CancellationToken.None));
        Assert.Contains("NestedLoopJoin(build)", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellationStopsAHugeCrossJoinQuickly()
    {
        var schema = new Schema([new Field("k", ArrowType.Int64)]);
        var side = Range(schema, 0, 100_000);   // 10^10 output rows
        using var reservation = new QueryMemoryPool(1L << 30).Reserve("NestedLoopJoin(build)");
        var joiner = new NestedLoopJoiner(schema, schema, JoinType.Cross, null, reservation);
        await joiner.BuildAsync(Stream([side]), CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var batches = 0;
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in joiner.ProbeAsync(Stream([side]), cts.Token))
            {
                if (++batches == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(3, batches);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(0, reservation.Size);
    }

    [Fact]
    public async Task CancellationStopsAJoinWhoseConditionRejectsEveryPair()
    {
        // No output ever comes, so only the checks inside the candidate loop can notice the cancellation.
        var schema = new Schema([new Field("k", ArrowType.Int64)]);
        var side = Range(schema, 0, 100_000);
        using var reservation = new QueryMemoryPool(1L << 30).Reserve("NestedLoopJoin(build)");
        var never = Residual(0, 1, (_, _) => false);
        var joiner = new NestedLoopJoiner(schema, schema, JoinType.Inner, never, reservation);
        await joiner.BuildAsync(Stream([side]), CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Collect(joiner.ProbeAsync(Stream([side]), cts.Token)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void MismatchedKeyTypesAreRefused()
    {
        var left = new Schema([new Field("k", ArrowType.Utf8)]);
        var right = new Schema([new Field("k", ArrowType.Int64)]);
        using var reservation = new QueryMemoryPool(1L << 20).Reserve("HashJoin(build)");
        Assert.Throws<QueryException>(() => new HashJoiner(left, right, [0], [0], JoinType.Inner, null, reservation));
        Assert.Throws<ArgumentException>(() => new HashJoiner(right, right, [0], [0], JoinType.Cross, null, reservation));
        Assert.Throws<ArgumentException>(() => new HashJoiner(right, right, [0], [0], JoinType.Inner, null, reservation, nullAwareAnti: true));
    }

    // ---- drivers ----

    private static async Task<List<string>> Run(HashJoiner joiner, Data left, Data right, Random random, int batchSize)
    {
        await joiner.BuildAsync(Stream(Cut(right, random)), CancellationToken.None);
        var batches = await Collect(joiner.ProbeAsync(Stream(Cut(left, random)), CancellationToken.None));
        return CheckBatches(batches, joiner.OutputSchema, batchSize);
    }

    private static async Task<List<string>> Run(NestedLoopJoiner joiner, Data left, Data right, Random random, int batchSize)
    {
        await joiner.BuildAsync(Stream(Cut(right, random)), CancellationToken.None);
        var batches = await Collect(joiner.ProbeAsync(Stream(Cut(left, random)), CancellationToken.None));
        return CheckBatches(batches, joiner.OutputSchema, batchSize);
    }

    private static List<string> CheckBatches(List<RecordBatch> batches, Schema schema, int batchSize)
    {
        foreach (var batch in batches)
        {
            Assert.InRange(batch.Length, 1, batchSize);
            Assert.Equal(schema.Fields.Select(f => f.Type), batch.Schema.Fields.Select(f => f.Type));
        }
        return Sorted(Rows(batches));
    }

    private static async Task<List<string>> Join(Data left, Data right, JoinType type, bool nullAware = false)
    {
        using var reservation = new QueryMemoryPool(1L << 30).Reserve("HashJoin(build)");
        var keys = Enumerable.Range(0, left.Schema.FieldCount).ToArray();
        var joiner = new HashJoiner(left.Schema, right.Schema, keys, keys, type, null, reservation, 8192, nullAware);
        await joiner.BuildAsync(Stream(right.Batches), CancellationToken.None);
        return Rows(await Collect(joiner.ProbeAsync(Stream(left.Batches), CancellationToken.None)));
    }

    private static async IAsyncEnumerable<RecordBatch> Stream(IEnumerable<RecordBatch> batches)
    {
        foreach (var batch in batches)
        {
            await Task.Yield();
            yield return batch;
        }
    }

    private static async Task<List<RecordBatch>> Collect(IAsyncEnumerable<RecordBatch> batches)
    {
        var result = new List<RecordBatch>();
        await foreach (var batch in batches)
        {
            result.Add(batch);
        }
        return result;
    }

    // ---- the reference ----

    /// <summary>Every pair tried; output rows formatted and sorted (a multiset).</summary>
    private static List<string> Reference(Data left, Data right, int[] leftKeys, int[] rightKeys, JoinType type, Func<object?[], object?[], bool?>? residual, bool nullAware)
    {
        var result = new List<string>();
        var rightMatched = new bool[right.Rows.Count];
        var rightNulls = Enumerable.Repeat<object?>(null, right.Schema.FieldCount).ToArray();
        var leftNulls = Enumerable.Repeat<object?>(null, left.Schema.FieldCount).ToArray();
        foreach (var l in left.Rows)
        {
            var matched = false;
            var possiblyEqual = false;
            for (var j = 0; j < right.Rows.Count; j++)
            {
                var r = right.Rows[j];
                var accepted = residual is null || residual(l, r) == true;
                var equal = true;
                var possibly = true;
                for (var k = 0; k < leftKeys.Length; k++)
                {
                    var a = l[leftKeys[k]];
                    var b = r[rightKeys[k]];
                    if (a is null || b is null)
                    {
                        equal = false;
                        continue;
                    }
                    if (!KeyEquals(a, b))
                    {
                        equal = false;
                        possibly = false;
                    }
                }
                possiblyEqual |= accepted && possibly;
                if (!(equal && accepted))
                {
                    continue;
                }
                matched = true;
                rightMatched[j] = true;
                if (type is JoinType.Inner or JoinType.Left or JoinType.Right or JoinType.Full)
                {
                    result.Add(Format([.. l, .. r]));
                }
            }
            switch (type)
            {
                case JoinType.Left or JoinType.Full when !matched:
                    result.Add(Format([.. l, .. rightNulls]));
                    break;
                case JoinType.LeftSemi when matched:
                    result.Add(Format(l));
                    break;
                case JoinType.LeftAnti when !(nullAware ? possiblyEqual : matched):
                    result.Add(Format(l));
                    break;
                default:
                    break;
            }
        }
        if (type is JoinType.Right or JoinType.Full)
        {
            for (var j = 0; j < right.Rows.Count; j++)
            {
                if (!rightMatched[j])
                {
                    result.Add(Format([.. leftNulls, .. right.Rows[j]]));
                }
            }
        }
        return Sorted(result);
    }

    /// <summary>SQL equality of two non-null key values: numbers by exact value across types, strings by bytes.</summary>
    private static bool KeyEquals(object a, object b)
    {
        if (a is string sa && b is string sb)
        {
            return string.Equals(sa, sb, StringComparison.Ordinal);
        }
        if (a is bool ba && b is bool bb)
        {
            return ba == bb;
        }
        if (a is double da && b is double db)
        {
            return da == db || (double.IsNaN(da) && double.IsNaN(db));
        }
        if (a is double d1)
        {
            return IntegralEquals(d1, b);
        }
        if (b is double d2)
        {
            return IntegralEquals(d2, a);
        }
        return ToBig(a) == ToBig(b);
    }

    private static bool IntegralEquals(double d, object integer) =>
        !double.IsNaN(d) && !double.IsInfinity(d) && Math.Floor(d) == d && new BigInteger(d) == ToBig(integer);

    private static BigInteger ToBig(object value) => value switch
    {
        long l => l,
        ulong u => u,
        _ => throw new InvalidOperationException($"not an integer: {value}"),
    };

    private static bool? Less(object? a, object? b) =>
        a is null || b is null ? null : Convert.ToDouble(a, CultureInfo.InvariantCulture) < Convert.ToDouble(b, CultureInfo.InvariantCulture);

    /// <summary>The value column (after the keys) of the left below the right's: null when either is null.</summary>
    private static Func<RecordBatch, BooleanArray> ValueLess(Schema left, int leftValue, int rightValue) =>
        Residual(leftValue, left.FieldCount + rightValue, Less);

    private static Func<RecordBatch, BooleanArray> Residual(int a, int b, Func<object?, object?, bool?> predicate) => batch =>
    {
        var values = new bool?[batch.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = predicate(batch.Column(a).GetObject(i), batch.Column(b).GetObject(i));
        }
        return Columns.FromBools(values);
    };

    // ---- data ----

    private sealed record Data(Schema Schema, List<RecordBatch> Batches, List<object?[]> Rows);

    /// <summary>Key columns of the given kinds (small domains: many duplicates; about one null in seven) and a value column.</summary>
    private static Data Side(Random random, string[] kinds, string prefix, int rows)
    {
        var fields = new List<Field>();
        for (var k = 0; k < kinds.Length; k++)
        {
            fields.Add(new Field($"{prefix}k{k}", TypeOf(kinds[k])));
        }
        fields.Add(new Field($"{prefix}v", ArrowType.Int64));
        var schema = new Schema(fields);
        var values = new List<object?[]>();
        for (var r = 0; r < rows; r++)
        {
            var row = new object?[kinds.Length + 1];
            for (var k = 0; k < kinds.Length; k++)
            {
                row[k] = random.Next(7) == 0 ? null : KeyValue(kinds[k], random);
            }
            row[kinds.Length] = random.Next(6) == 0 ? null : (long)random.Next(10);
            values.Add(row);
        }
        return Build(schema, values);
    }

    private static ArrowType TypeOf(string kind) => kind switch
    {
        "i64" => ArrowType.Int64,
        "u64" => ArrowType.UInt64,
        "f64" => ArrowType.Float64,
        "utf8" => ArrowType.Utf8,
        "dict" => ArrowType.DictionaryUtf8,
        "bool" => ArrowType.Boolean,
        "ts" => ArrowType.TimestampNanosecond,
        _ => throw new ArgumentException(kind),
    };

    private static object KeyValue(string kind, Random random)
    {
        var v = random.Next(-1, 5);
        return kind switch
        {
            "i64" => (long)v,
            "u64" => v < 0 ? (1UL << 63) + 3 : (ulong)v,
            "f64" => random.Next(10) switch { 0 => v + 0.5, 1 => -0.0, 2 => double.NaN, _ => (double)v },
            "utf8" or "dict" => v < 0 ? "" : $"k{v}",
            "bool" => v % 2 == 0,
            "ts" => (long)v * 1_000_000_000L,
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>Batches of the rows; the reference rows are read back from them, as the join will see them.</summary>
    private static Data Build(Schema schema, List<object?[]> rows)
    {
        var batches = new List<RecordBatch>();
        if (rows.Count > 0)
        {
            batches.Add(MakeBatch(schema, rows));
        }
        var readBack = new List<object?[]>();
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                var row = new object?[schema.FieldCount];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = batch.Column(c).GetObject(i);
                }
                readBack.Add(row);
            }
        }
        return new Data(schema, batches, readBack);
    }

    /// <summary>The data cut into batches at random places (empty batches included), each with its own dictionaries.</summary>
    private static List<RecordBatch> Cut(Data data, Random random)
    {
        var result = new List<RecordBatch>();
        var at = 0;
        while (at < data.Rows.Count)
        {
            var n = Math.Min(data.Rows.Count - at, random.Next(0, 25));
            var rows = data.Rows.GetRange(at, n);
            if (n > 0 && random.Next(2) == 0)
            {
                // A slice of a larger batch: every kernel must honour the arrays' offsets.
                var padded = new List<object?[]> { data.Rows[random.Next(data.Rows.Count)] };
                padded.AddRange(rows);
                padded.Add(data.Rows[random.Next(data.Rows.Count)]);
                result.Add(MakeBatch(data.Schema, padded).Slice(1, n));
            }
            else
            {
                result.Add(MakeBatch(data.Schema, rows));
            }
            at += n;
        }
        if (random.Next(3) == 0)
        {
            result.Add(MakeBatch(data.Schema, []));
        }
        return result;
    }

    private static Data Table(string[] names, ArrowType[] types, object?[][] rows)
    {
        var schema = new Schema(names.Select((n, i) => new Field(n, types[i])));
        return Build(schema, [.. rows]);
    }

    private static RecordBatch MakeBatch(Schema schema, List<object?[]> rows)
    {
        var columns = new ArrowArray[schema.FieldCount];
        for (var c = 0; c < columns.Length; c++)
        {
            var values = rows.Select(r => r[c]).ToArray();
            var valid = values.Select(v => v is not null).ToArray();
            var type = schema[c].Type;
            columns[c] = type.Id switch
            {
                ArrowTypeId.Int64 or ArrowTypeId.Timestamp => Columns.FromValues(type, values.Select(v => v is null ? 0L : (long)v).ToArray(), valid),
                ArrowTypeId.UInt64 => Columns.FromValues(type, values.Select(v => v is null ? 0UL : (ulong)v).ToArray(), valid),
                ArrowTypeId.Float64 => Columns.FromValues(type, values.Select(v => v is null ? 0.0 : (double)v).ToArray(), valid),
                ArrowTypeId.Boolean => Columns.FromBools([.. values.Select(v => (bool?)v)]),
                ArrowTypeId.Utf8 => Columns.FromStrings([.. values.Select(v => (string?)v)]),
                ArrowTypeId.Dictionary => Dict([.. values.Select(v => (string?)v)]),
                _ => throw new ArgumentException(type.ToString()),
            };
        }
        return new RecordBatch(schema, columns, rows.Count);
    }

    /// <summary>A dictionary column whose dictionary order depends on the values (so batches differ) plus an unused entry.</summary>
    private static DictionaryArray Dict(string?[] values)
    {
        using var builder = new DictionaryArrayBuilder();
        builder.AddValue("unused"u8);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    private static ArrowArray Int64s(long[] values) => Columns.FromValues(ArrowType.Int64, values, null);

    private static RecordBatch Range(Schema schema, int start, int count) =>
        new(schema, [Int64s([.. Enumerable.Range(start, count).Select(i => (long)i)])], count);

    private static RecordBatch BuildRows(Schema schema, int start, int count) =>
        new(schema, [Int64s([.. Enumerable.Range(start, count).Select(i => (long)i)]), Columns.FromStrings([.. Enumerable.Range(start, count).Select(i => $"s{i}")])], count);

    private static List<string> Rows(IEnumerable<RecordBatch> batches)
    {
        var result = new List<string>();
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                var row = new object?[batch.ColumnCount];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = batch.Column(c).GetObject(i);
                }
                result.Add(Format(row));
            }
        }
        return result;
    }

    private static string Format(object?[] row) => string.Join('|', row.Select(v => v switch
    {
        null => "∅",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    }));

    private static List<string> Sorted(IEnumerable<string> rows)
    {
        var list = rows.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
