using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;

namespace Tsdb.Query.Chunks;

/// <summary>
/// A table scan over its chunks, the same for every front end: chunks in groups of overlapping time ranges, in time
/// order. A chunk that overlaps nothing and holds no duplicates goes out as read, with only the asked columns; where
/// chunks overlap, only rows in the shared time windows (and every row of a chunk that may repeat a point) are merged
/// and deduplicated by <see cref="DedupMerge"/>, reading the asked columns plus the sort key.
/// </summary>
public static class ChunkScan
{
    /// <summary>The rows a request asks for, each point once (rows that do not match may come back; the engine filters exactly).</summary>
    public static IAsyncEnumerable<RecordBatch> ScanAsync(this ITableSource source, ScanRequest request, CancellationToken cancellationToken = default) =>
        ScanAsync(source, request, sorted: false, chunksFound: null, cancellationToken);

    /// <summary>
    /// As <see cref="ScanAsync(ITableSource, ScanRequest, CancellationToken)"/>, telling <paramref name="chunksFound"/>
    /// which chunks are read after pruning (once per look at the chunk list: a scan that retries reports again), so a
    /// plan can show how many files a query touched.
    /// </summary>
    public static IAsyncEnumerable<RecordBatch> ScanAsync(this ITableSource source, ScanRequest request, Action<IReadOnlyList<IQueryChunk>>? chunksFound, CancellationToken cancellationToken = default) =>
        ScanAsync(source, request, sorted: false, chunksFound, cancellationToken);

    /// <summary>As <see cref="ScanAsync(ITableSource, ScanRequest, CancellationToken)"/>, with each partition's rows in one order by tags and time (export, compaction).</summary>
    public static IAsyncEnumerable<RecordBatch> ScanSortedAsync(this ITableSource source, ScanRequest request, CancellationToken cancellationToken = default) =>
        ScanAsync(source, request, sorted: true, chunksFound: null, cancellationToken);

    /// <summary>How many times a scan looks again for chunks that went away under it before it gives up.</summary>
    private const int MaxRetries = 3;

    private static async IAsyncEnumerable<RecordBatch> ScanAsync(ITableSource source, ScanRequest request, bool sorted, Action<IReadOnlyList<IQueryChunk>>? chunksFound, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        // After a retry, rows before this time were answered already: the fresh chunks' rows are cut exactly there.
        long? answeredBefore = null;
        for (var attempt = 0; ; attempt++)
        {
            var table = await source.GetChunksAsync(request, cancellationToken).ConfigureAwait(false);
            chunksFound?.Invoke(table.Chunks);
            long? restartAt = null;
            foreach (var group in Groups(table, sorted))
            {
                var yielded = false;
                var batches = ReadGroupAsync(table, group, request, sorted, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (batches.ConfigureAwait(false))
                {
                    while (true)
                    {
                        try
                        {
                            if (!await batches.MoveNextAsync().ConfigureAwait(false))
                            {
                                break;
                            }
                        }
                        catch (ChunkGoneException) when (!yielded && attempt < MaxRetries)
                        {
                            // Compaction replaced a chunk and its grace ran out while this scan held the old list:
                            // this group onwards is read again from a fresh list (earlier groups are answered).
                            restartAt = group.MinTime;
                            break;
                        }
                        catch (ChunkGoneException e) when (yielded)
                        {
                            throw new ChunkGoneException($"{e.Message}; it was removed by compaction while this query was reading it (the query outlived --deletion-grace); run it again", e);
                        }
                        var batch = batches.Current;
                        if (answeredBefore is { } cut)
                        {
                            batch = AtOrAfter(batch, table, cut);
                        }
                        if (batch.Length > 0)
                        {
                            yielded = true;
                            yield return batch;
                        }
                    }
                }
                if (restartAt is not null)
                {
                    break;
                }
            }
            if (restartAt is not { } from)
            {
                yield break;
            }
            answeredBefore = Math.Max(answeredBefore ?? long.MinValue, from);
            request = request with { FromTime = Math.Max(request.FromTime ?? long.MinValue, from) };
        }
    }

    private sealed record Group(List<IQueryChunk> Chunks, long MinTime, long MaxTime);

    /// <summary>
    /// Unsorted: chunks in groups of transitively overlapping time ranges, in time order. Sorted: one group per
    /// partition, in partition order. A source without columns has one group per chunk, in the order it gave them.
    /// </summary>
    private static List<Group> Groups(TableChunks table, bool sorted)
    {
        if (table.Columns is null)
        {
            return [.. table.Chunks.Select(c => new Group([c], c.MinTime, c.MaxTime))];
        }
        if (sorted)
        {
            return [.. table.Chunks.GroupBy(c => c.PartitionKey).OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new Group([.. p], p.Min(c => c.MinTime), p.Max(c => c.MaxTime)))];
        }
        var groups = new List<Group>();
        Group? current = null;
        foreach (var chunk in table.Chunks.OrderBy(c => c.MinTime).ThenBy(c => c.Order))
        {
            if (current is null || chunk.MinTime > current.MaxTime)
            {
                current = new Group([], chunk.MinTime, chunk.MaxTime);
                groups.Add(current);
            }
            else if (chunk.MaxTime > current.MaxTime)
            {
                current = current with { MaxTime = chunk.MaxTime };
                groups[^1] = current;
            }
            current.Chunks.Add(chunk);
        }
        return groups;
    }

    private static IAsyncEnumerable<RecordBatch> ReadGroupAsync(TableChunks table, Group group, ScanRequest request, bool sorted, CancellationToken cancellationToken)
    {
        var chunks = group.Chunks.OrderBy(c => c.Order).ToList();
        if (table.Columns is null)
        {
            return Concat(chunks, ChunkRead.Of(request, request.Columns), cancellationToken);
        }
        var alone = chunks.Count == 1 && !chunks[0].MayHaveDuplicates;
        if (sorted)
        {
            var columns = table.Columns.Only(request.Columns);
            var read = ChunkRead.Of(request, [.. columns.Columns.Select(c => c.Name)]);
            if (alone && chunks[0].IsSorted)
            {
                return Conformed(columns, chunks[0].ReadAsync(read, cancellationToken), cancellationToken);
            }
            return DedupMerge.MergeAsync(columns, MergeInputs(columns, chunks, read, cancellationToken), null, cancellationToken);
        }
        var shared = SharedWindows(chunks);
        if (shared.Count == 0)
        {
            return Concat(chunks, ChunkRead.Of(request, request.Columns), cancellationToken);
        }
        {
            var columns = table.Columns.Only(request.Columns);
            var read = ChunkRead.Of(request, [.. columns.Columns.Select(c => c.Name)]);
            return DedupMerge.MergeAsync(columns, MergeInputs(columns, chunks, read, cancellationToken), batch => SplitByTime(batch, shared, columns), cancellationToken);
        }
    }

    private static async IAsyncEnumerable<RecordBatch> Concat(List<IQueryChunk> chunks, ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks)
        {
            await foreach (var batch in chunk.ReadAsync(read, cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
    }

    private static async IAsyncEnumerable<RecordBatch> Conformed(TableColumns columns, IAsyncEnumerable<RecordBatch> batches, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return columns.Conform(batch);
        }
    }

    /// <summary>
    /// The merge's inputs, oldest first: a sorted chunk without duplicates as it reads; a run of consecutive other
    /// chunks (buffered rows, in memory anyway) read whole and merged together into one sorted input.
    /// </summary>
    private static List<IAsyncEnumerable<RecordBatch>> MergeInputs(TableColumns columns, List<IQueryChunk> chunks, ChunkRead read, CancellationToken cancellationToken)
    {
        var inputs = new List<IAsyncEnumerable<RecordBatch>>();
        var run = new List<IQueryChunk>();
        foreach (var chunk in chunks)
        {
            if (chunk.IsSorted && !chunk.MayHaveDuplicates)
            {
                if (run.Count > 0)
                {
                    inputs.Add(MergedWhole(columns, run, read, cancellationToken));
                    run = [];
                }
                inputs.Add(chunk.ReadAsync(read, cancellationToken));
            }
            else
            {
                run.Add(chunk);
            }
        }
        if (run.Count > 0)
        {
            inputs.Add(MergedWhole(columns, run, read, cancellationToken));
        }
        return inputs;
    }

    private static async IAsyncEnumerable<RecordBatch> MergedWhole(TableColumns columns, List<IQueryChunk> chunks, ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var all = new List<RecordBatch>();
        foreach (var chunk in chunks)
        {
            await foreach (var batch in chunk.ReadAsync(read, cancellationToken).ConfigureAwait(false))
            {
                all.Add(batch);
            }
        }
        if (all.Count > 0)
        {
            yield return RowMerger.Merge(columns, all);
        }
    }

    /// <summary>
    /// The disjoint, sorted time windows (inclusive) where rows of a group may be duplicates: wherever two chunks'
    /// ranges meet, and the whole range of every chunk that may repeat a point within itself.
    /// </summary>
    private static List<(long From, long To)> SharedWindows(List<IQueryChunk> chunks)
    {
        var windows = new List<(long From, long To)>();
        var ranges = chunks.Select(c => (c.MinTime, c.MaxTime)).OrderBy(s => s.MinTime).ToList();
        var reach = long.MinValue;
        for (var i = 0; i < ranges.Count; i++)
        {
            if (i > 0 && ranges[i].MinTime <= reach)
            {
                windows.Add((ranges[i].MinTime, Math.Min(ranges[i].MaxTime, reach)));
            }
            reach = Math.Max(reach, ranges[i].MaxTime);
        }
        windows.AddRange(chunks.Where(c => c.MayHaveDuplicates).Select(c => (c.MinTime, c.MaxTime)));
        windows.Sort();
        var merged = new List<(long From, long To)>();
        foreach (var w in windows)
        {
            if (merged.Count > 0 && w.From <= merged[^1].To)
            {
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, w.To));
            }
            else
            {
                merged.Add(w);
            }
        }
        return merged;
    }

    /// <summary>A sorted batch cut into the rows outside every shared window (final as they are) and those inside (to merge).</summary>
    private static (RecordBatch? Pass, RecordBatch? Merge) SplitByTime(RecordBatch batch, List<(long From, long To)> shared, TableColumns columns)
    {
        if (batch.Column(columns.Columns[columns.TimeIndex].Name) is not TimestampArray times)
        {
            return (null, batch);
        }
        using var inside = new BooleanArrayBuilder();
        using var outside = new BooleanArrayBuilder();
        var insideCount = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            var t = times.GetValue(i);
            var hit = false;
            foreach (var (from, to) in shared)
            {
                if (t < from)
                {
                    break;
                }
                if (t <= to)
                {
                    hit = true;
                    break;
                }
            }
            insideCount += hit ? 1 : 0;
            inside.Append(hit);
            outside.Append(!hit);
        }
        if (insideCount == 0)
        {
            return (batch, null);
        }
        if (insideCount == batch.Length)
        {
            return (null, batch);
        }
        return (Selection.Filter(batch, outside.Build()), Selection.Filter(batch, inside.Build()));
    }

    /// <summary>The batch's rows at or after <paramref name="from"/> (ns).</summary>
    private static RecordBatch AtOrAfter(RecordBatch batch, TableChunks table, long from)
    {
        var timeName = table.Columns is { } c ? c.Columns[c.TimeIndex].Name : "time";
        if (batch.Column(timeName) is not TimestampArray times)
        {
            return batch;
        }
        var keep = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            keep += times.GetValue(i) >= from ? 1 : 0;
        }
        if (keep == batch.Length)
        {
            return batch;
        }
        using var mask = new BooleanArrayBuilder();
        for (var i = 0; i < batch.Length; i++)
        {
            mask.Append(times.GetValue(i) >= from);
        }
        return Selection.Filter(batch, mask.Build());
    }
}
