using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Xunit;

namespace Tsdb.Testing;

/// <summary>
/// The behaviour every <see cref="IQueryChunk"/> must have, subclassed once per kind of chunk (storage's buffer and
/// Parquet chunks, the engine's stream chunk). Each test gets a chunk holding exactly <see cref="Points"/> (table
/// cpu, one day; tag region missing on one point). The rules, from the interface's documentation:
/// <list type="bullet">
/// <item>Reading every column returns every point once per time it was written; <see cref="IQueryChunk.RowCount"/>
/// counts them (when known, i.e. not negative) and every time lies in [MinTime, MaxTime].</item>
/// <item>The schema names every column the batches carry; a projection returns no column that was not asked, and
/// every asked column the chunk holds with all its values.</item>
/// <item>A read with a time range and tag values returns at least every matching point (it may return more).</item>
/// <item>A sorted chunk's rows are in sort-key order (tags in table order, a missing tag first, then time) across
/// all its batches; a chunk that promises no duplicates never returns one point twice.</item>
/// <item>Tag ranges, when known, bound every value of their tag, and <see cref="ChunkPruning.MayMatch"/> never
/// refuses a request a point of the chunk matches.</item>
/// <item>A chunk whose data went away fails its reads with <see cref="ChunkGoneException"/>, never another error or
/// a silent empty read.</item>
/// <item>Tag times, when known, list every value of the tag (and the rows without it) with its exact oldest and
/// newest time, and nothing else; a kind that keeps them (<see cref="KeepsTagTimes"/>) knows them for every tag.</item>
/// </list>
/// </summary>
public abstract class QueryChunkConformance
{
    private const long S = 1_000_000_000L;

    private const long T0 = 1_704_067_200L * S;

    /// <summary>The tags in table order (host was written first), then time: the sort key.</summary>
    private static readonly string[] Tags = ["host", "region"];

    public static IReadOnlyList<TestPoint> Points { get; } =
    [
        new("cpu", "b", "eu", T0, 2.5, 2),
        new("cpu", "a", "eu", T0, 1.5, 1),
        new("cpu", "c", "us", T0 + S, 3.5, null),
        new("cpu", "a", "eu", T0 + (60 * S), null, 4),
        new("cpu", "d", null, T0 + (60 * S), 5.5, 5),
        new("cpu", "b", "eu", T0 + (3600 * S), 6.5, 6),
        new("cpu", "a", "us", T0 + (7200 * S), 7.5, 7),
    ];

    /// <summary>A chunk holding exactly <paramref name="points"/> (all of table cpu, all on one day).</summary>
    protected abstract Task<IQueryChunk> CreateChunkAsync(IReadOnlyList<TestPoint> points);

    /// <summary>Whether the kind of chunk knows its <see cref="IQueryChunk.GetTagTimesAsync"/> (else it may answer null).</summary>
    protected virtual bool KeepsTagTimes => false;

    /// <summary>Makes the chunk's data go away (deletes its file); false for a kind of chunk whose data cannot go.</summary>
    protected virtual Task<bool> RemoveDataAsync(IQueryChunk chunk) => Task.FromResult(false);

    private static readonly ChunkRead[] Reads =
    [
        new(null),
        new(["usage"]),
        new(["n", "time"]),
        new(null, T0 + S, T0 + (3600 * S)),
        new(["time", "usage"], T0 + (7200 * S)),
        new(null, null, T0),
        new(null) { TagValues = new Dictionary<string, IReadOnlyList<string>> { ["host"] = ["a"] } },
        new(["host", "n"]) { TagValues = new Dictionary<string, IReadOnlyList<string>> { ["host"] = ["b", "d", "zz"], ["region"] = ["eu"] } },
        new(null) { TagValues = new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["us"] } },
        new(null) { TagValues = new Dictionary<string, IReadOnlyList<string>> { ["host"] = ["nobody"] } },
    ];

    public static TheoryData<int> ReadIndexes() => [.. Enumerable.Range(0, Reads.Length)];

    private static bool Matches(TestPoint p, ChunkRead read) =>
        (read.FromTime is not { } from || p.Time >= from)
        && (read.ToTime is not { } to || p.Time <= to)
        && read.TagValues.All(t => p.Value(t.Key) is { } v && t.Value.Contains(v));

    private static string? Text(RecordBatch batch, string column, int row)
    {
        var array = batch.Column(column);
        return array is null || array.IsNull(row) ? null : array.GetObject(row) switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            var o => Convert.ToString(o, CultureInfo.InvariantCulture),
        };
    }

    private static async Task<List<RecordBatch>> ReadAll(IQueryChunk chunk, ChunkRead read)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in chunk.ReadAsync(read, CancellationToken.None))
        {
            batches.Add(batch);
        }
        return batches;
    }

    private static IEnumerable<(RecordBatch Batch, int Row)> RowsOf(List<RecordBatch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (b, i)));

    [Fact]
    public async Task Reading_every_column_returns_every_point_within_the_time_range()
    {
        var chunk = await CreateChunkAsync(Points);
        var rows = RowsOf(await ReadAll(chunk, new ChunkRead(null))).ToList();
        string[] columns = ["time", "host", "region", "usage", "n"];
        Assert.Equal(
            Points.Select(p => string.Join('|', columns.Select(p.Value))).Order(StringComparer.Ordinal),
            rows.Select(r => string.Join('|', columns.Select(c => Text(r.Batch, c, r.Row)))).Order(StringComparer.Ordinal));
        if (chunk.RowCount >= 0)
        {
            Assert.Equal(Points.Count, chunk.RowCount);
        }
        Assert.True(chunk.MinTime <= Points.Min(p => p.Time) && chunk.MaxTime >= Points.Max(p => p.Time));
        Assert.All(rows, r => Assert.InRange(((TimestampArray)r.Batch.Column("time")!).GetValue(r.Row), chunk.MinTime, chunk.MaxTime));
    }

    [Fact]
    public async Task The_schema_names_every_column_the_batches_carry()
    {
        var chunk = await CreateChunkAsync(Points);
        var schema = await chunk.GetSchemaAsync(CancellationToken.None);
        Assert.Equal(["host", "n", "region", "time", "usage"], schema.Fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        foreach (var batch in await ReadAll(chunk, new ChunkRead(null)))
        {
            Assert.All(batch.Schema.Fields, f => Assert.True(schema.GetFieldIndex(f.Name) >= 0, $"column {f.Name} is not in the chunk's schema"));
        }
    }

    [Theory]
    [MemberData(nameof(ReadIndexes))]
    public async Task A_read_returns_every_matching_point_with_the_asked_columns(int index)
    {
        var read = Reads[index];
        var chunk = await CreateChunkAsync(Points);
        var batches = await ReadAll(chunk, read);
        var asked = read.Columns ?? ["time", "host", "region", "usage", "n"];
        foreach (var batch in batches)
        {
            Assert.All(batch.Schema.Fields, f => Assert.True(asked.Contains(f.Name), $"column {f.Name} was not asked for"));
        }
        // Each matching point's asked values must be among the rows (a column the batch lacks reads as null).
        var returned = RowsOf(batches).Select(r => string.Join('|', asked.Select(c => Text(r.Batch, c, r.Row)))).ToList();
        foreach (var point in Points.Where(p => Matches(p, read)))
        {
            Assert.Contains(string.Join('|', asked.Select(point.Value)), returned);
        }
    }

    [Fact]
    public async Task Sorted_chunks_are_in_sort_key_order_and_no_point_repeats_where_promised()
    {
        var chunk = await CreateChunkAsync(Points);
        var keys = RowsOf(await ReadAll(chunk, new ChunkRead(null)))
            .Select(r => (Host: Text(r.Batch, "host", r.Row), Region: Text(r.Batch, "region", r.Row), Time: ((TimestampArray)r.Batch.Column("time")!).GetValue(r.Row)))
            .ToList();
        if (chunk.IsSorted)
        {
            for (var i = 1; i < keys.Count; i++)
            {
                Assert.True(Compare(keys[i - 1], keys[i]) <= 0, $"row {i} ({keys[i]}) sorts before row {i - 1} ({keys[i - 1]})");
            }
        }
        if (!chunk.MayHaveDuplicates)
        {
            Assert.Equal(keys.Count, keys.Distinct().Count());
        }
    }

    private static int Compare((string? Host, string? Region, long Time) a, (string? Host, string? Region, long Time) b)
    {
        foreach (var (x, y) in new[] { (a.Host, b.Host), (a.Region, b.Region) })
        {
            if (x != y)
            {
                return x is null ? -1 : y is null ? 1 : string.CompareOrdinal(x, y);
            }
        }
        return a.Time.CompareTo(b.Time);
    }

    [Fact]
    public async Task Tag_ranges_bound_every_value_of_their_tag()
    {
        var chunk = await CreateChunkAsync(Points);
        if (chunk.TagRanges is not { } ranges)
        {
            return;
        }
        foreach (var tag in Tags)
        {
            var values = Points.Select(p => p.Value(tag)).OfType<string>().ToList();
            Assert.True(ranges.TryGetValue(tag, out var range), $"no range for tag {tag}, which has values");
            Assert.Equal(values.Min(StringComparer.Ordinal), range.Min);
            Assert.Equal(values.Max(StringComparer.Ordinal), range.Max);
        }
    }

    [Theory]
    [MemberData(nameof(ReadIndexes))]
    public async Task Pruning_never_refuses_a_request_a_point_matches(int index)
    {
        var read = Reads[index];
        var chunk = await CreateChunkAsync(Points);
        var request = new ScanRequest("db", "cpu") { Columns = read.Columns, FromTime = read.FromTime, ToTime = read.ToTime, TagValues = read.TagValues };
        if (Points.Any(p => Matches(p, read)))
        {
            Assert.True(ChunkPruning.MayMatch(chunk, request), "the chunk was pruned though a point matches");
        }
    }

    [Fact]
    public async Task Tag_times_list_each_value_with_its_oldest_and_newest_time()
    {
        var chunk = await CreateChunkAsync(Points);
        foreach (var tag in Tags)
        {
            var times = await chunk.GetTagTimesAsync(tag, CancellationToken.None);
            if (times is null)
            {
                Assert.False(KeepsTagTimes, $"no tag times for {tag}");
                continue;
            }
            Assert.True(times.OldestExact);
            var expected = Points.GroupBy(p => p.Value(tag) ?? "(missing)").ToDictionary(g => g.Key, g => new KeyTimes(g.Min(p => p.Time), g.Max(p => p.Time)));
            var actual = times.Values.ToDictionary(v => v.Key, v => v.Value);
            if (times.Missing is { } missing)
            {
                actual["(missing)"] = missing;
            }
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
            Assert.Equal(expected.Count, times.Count);
        }
        // A column the chunk does not hold, and one that is not a tag, have none.
        Assert.Null(await chunk.GetTagTimesAsync("nonexistent", CancellationToken.None));
        Assert.Null(await chunk.GetTagTimesAsync("usage", CancellationToken.None));
    }

    [Fact]
    public async Task A_chunk_whose_data_went_away_fails_its_reads_as_gone()
    {
        var chunk = await CreateChunkAsync(Points);
        if (!await RemoveDataAsync(chunk))
        {
            return;
        }
        await Assert.ThrowsAsync<ChunkGoneException>(() => ReadAll(chunk, new ChunkRead(null)));
        if (KeepsTagTimes)
        {
            await Assert.ThrowsAsync<ChunkGoneException>(() => chunk.GetTagTimesAsync("host", CancellationToken.None).AsTask());
        }
    }
}
