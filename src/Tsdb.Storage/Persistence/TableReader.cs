using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Catalog;
using Tsdb.ObjectStore;
using Tsdb.Core.Schema;
using Tsdb.Parquet.Reading;
using Tsdb.Query;
using Tsdb.Storage.Merging;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Reads a table as one consistent view of its Parquet files and its buffered rows, one merged batch per day
/// partition (sorted by tags and time, duplicates resolved). The buffer is looked at before the catalog: a persist
/// publishes its files before it drops the rows from the buffer, so a reader sees the rows at least once (and the
/// merge makes twice harmless), never zero times.
/// </summary>
/// <param name="readCacheBytes">Budget of the <see cref="ReadCache"/> selective reads share (0: none).</param>
public sealed class TableReader(Catalog.Catalog catalog, WriteBuffer buffer, IObjectStore store, long readCacheBytes = TableReader.DefaultReadCacheBytes, TimeProvider? time = null)
{
    public const long DefaultReadCacheBytes = 128L << 20;

    /// <summary>Open files' footers, by path (files are immutable, so an entry never goes stale; a deleted file's entry just fails to read).</summary>
    private readonly ConcurrentDictionary<string, ParquetReader> _footers = new(StringComparer.Ordinal);
    private const int MaxCachedFooters = 4096;

    /// <summary>Tag dictionaries and decompressed pages of selective reads (a few series of a file), shared by every open file.</summary>
    private readonly ReadCache? _cache = readCacheBytes > 0 ? new(readCacheBytes) : null;

    /// <summary>Every row and column of the table, each day partition sorted by tags and time (as export promises).</summary>
    public IAsyncEnumerable<RecordBatch> ReadAsync(string database, string table, long? fromTime = null, long? toTime = null, CancellationToken cancellationToken = default) =>
        ReadAsync(new ScanRequest(database, table) { FromTime = fromTime, ToTime = toTime }, null, null, sorted: true, cancellationToken);

    /// <summary>
    /// As above, skipping the Parquet files <paramref name="fileFilter"/> refuses (e.g. by their tag ranges) and the
    /// row groups and pages <paramref name="predicates"/> exclude: the caller promises those hold no row it wants
    /// (rows that do not match may still come back; the caller filters exactly).
    /// </summary>
    public IAsyncEnumerable<RecordBatch> ReadAsync(string database, string table, long? fromTime, long? toTime, Func<ParquetFileEntry, bool>? fileFilter, IReadOnlyList<ColumnRange>? predicates, CancellationToken cancellationToken = default) =>
        ReadAsync(new ScanRequest(database, table) { FromTime = fromTime, ToTime = toTime }, fileFilter, predicates, sorted: false, cancellationToken);

    public IAsyncEnumerable<RecordBatch> ReadAsync(ScanRequest request, CancellationToken cancellationToken = default) =>
        ReadAsync(request, null, null, sorted: false, cancellationToken);

    /// <summary>
    /// The table's rows for a query: files pruned by time and tag ranges, then per day partition the files and
    /// buffered chunks in groups whose time ranges overlap. A group that is one file is streamed row group by row
    /// group with only the asked columns (files are written sorted and deduplicated); any other group — where
    /// duplicates can exist — is merged, reading only the asked columns plus the sort key. Groups come in time order.
    /// </summary>
    /// <param name="sorted">
    /// Each day partition in one order by tags and time: sources are merged whole whenever there are several
    /// (otherwise rows outside shared time windows go out as read, and only rows within a series keep time order).
    /// </param>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(ScanRequest request, Func<ParquetFileEntry, bool>? fileFilter, IReadOnlyList<ColumnRange>? extraPredicates, bool sorted, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Retention: rows before the table's cutoff are gone for every reader (RetentionService); pruning drops most, KeepFrom the rest.
        var cutoff = RetentionService.Cutoff(request, catalog.Current, (time ?? TimeProvider.System).GetUtcNow());
        request = RetentionService.Visible(request, cutoff);
        var (database, table, fromTime, toTime) = (request.Database, request.Table, request.FromTime, request.ToTime);
        var chunks = buffer.Snapshot(database, table);
        var snapshot = catalog.Current;
        var definition = snapshot.FindDatabase(database)?.FindTable(table);
        if (definition is null)
        {
            yield break;
        }
        var columns = TableColumnsOf(definition, request.Columns);
        var predicates = Predicates(request);
        predicates.AddRange(extraPredicates ?? []);
        var files = snapshot.FilesOf(database, table).Where(f => Overlaps(f.MinTime, f.MaxTime, fromTime, toTime) && MayHoldTags(f, request.TagValues) && (fileFilter is null || fileFilter(f))).ToList();
        chunks = [.. chunks.Where(c => Overlaps(c.MinTime, c.MaxTime, fromTime, toTime))];
        var days = files.Select(f => f.Day).Concat(chunks.Select(c => c.Day)).Distinct().Order().ToList();
        foreach (var day in days)
        {
            var groups = OverlapGroups(files.Where(f => f.Day == day), chunks.Where(c => c.Day == day));
            if (sorted && groups.Count > 1)
            {
                groups = [new SourceGroup([.. groups.SelectMany(g => g.Files)], [.. groups.SelectMany(g => g.Chunks)], groups[0].MinTime, groups.Max(g => g.MaxTime))];
            }
            foreach (var group in groups)
            {
                // Only rows in a time window that two sources share (or a buffered chunk covers) can be duplicates;
                // every other row of a file is sorted and deduplicated already and goes out as read.
                var shared = !sorted ? SharedWindows(group)
                    : group.Files.Count + group.Chunks.Count > 1 || group.Chunks.Count > 0 ? [(group.MinTime, group.MaxTime)] : [];
                var mergeInputs = new List<RecordBatch>();
                var readColumns = shared.Count == 0 ? request.Columns : [.. columns.Columns.Select(c => c.Name)];
                var yielded = false;
                var gone = false;
                foreach (var file in group.Files.OrderBy(f => f.MaxSequence).ThenBy(f => f.Id))
                {
                    var reader = await OpenAsync(file, cancellationToken).ConfigureAwait(false);
                    if (reader is null)
                    {
                        gone = true;
                        break;
                    }
                    var batches = reader.ReadAsync(Present(reader, readColumns), Usable(reader, predicates), cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                            catch (ObjectNotFoundException) when (!yielded)
                            {
                                gone = true;
                                break;
                            }
                            catch (ObjectNotFoundException e)
                            {
                                _footers.TryRemove(file.Path, out _);
                                throw new ObjectNotFoundException($"{file.Path} was removed by compaction while this query was reading it (the query outlived --deletion-grace); run it again", e);
                            }
                            var (alone, overlapping) = SplitByTime(RetentionService.KeepFrom(batches.Current, cutoff), shared, columns);
                            if (alone is { Length: > 0 })
                            {
                                yielded = true;
                                yield return alone;
                            }
                            if (overlapping is { Length: > 0 })
                            {
                                mergeInputs.Add(overlapping);
                            }
                        }
                    }
                    if (gone)
                    {
                        _footers.TryRemove(file.Path, out _);
                        break;
                    }
                }
                if (gone)
                {
                    // A file went away under us: compaction replaced it and its grace ran out while this query held
                    // an old catalog. The rest of the partition (this group's start onwards; earlier groups are
                    // already returned) is read again from a fresh view, merged as one.
                    var rest = request with { FromTime = Math.Max(request.FromTime ?? long.MinValue, group.MinTime) };
                    var fresh = await ReadFreshDayAsync(rest, day, columns, predicates, fileFilter, cancellationToken).ConfigureAwait(false);
                    if (fresh is { Length: > 0 })
                    {
                        yield return fresh;
                    }
                    break;
                }
                mergeInputs.AddRange(group.Chunks.OrderBy(c => c.Sequence).Select(c => c.Batch));
                if (mergeInputs.Count > 0)
                {
                    var merged = RetentionService.KeepFrom(RowMerger.Merge(columns, mergeInputs), cutoff);
                    if (merged.Length > 0)
                    {
                        yield return merged;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The disjoint, sorted time windows (inclusive) where rows of a group may be duplicates: wherever two sources'
    /// ranges meet, and the whole range of every buffered chunk (a chunk may repeat a point within itself).
    /// </summary>
    private static List<(long From, long To)> SharedWindows(SourceGroup group)
    {
        var windows = new List<(long From, long To)>();
        var sources = group.Files.Select(f => (f.MinTime, f.MaxTime)).Concat(group.Chunks.Select(c => (c.MinTime, c.MaxTime))).OrderBy(s => s.MinTime).ToList();
        long reach = long.MinValue;
        for (var i = 0; i < sources.Count; i++)
        {
            if (i > 0 && sources[i].MinTime <= reach)
            {
                windows.Add((sources[i].MinTime, Math.Min(sources[i].MaxTime, reach)));
            }
            reach = Math.Max(reach, sources[i].MaxTime);
        }
        windows.AddRange(group.Chunks.Select(c => (c.MinTime, c.MaxTime)));
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

    /// <summary>A file's batch cut into the rows outside every shared window (final as they are) and those inside (to merge).</summary>
    private static (RecordBatch? Alone, RecordBatch? Overlapping) SplitByTime(RecordBatch batch, List<(long From, long To)> shared, TableColumns columns)
    {
        if (shared.Count == 0)
        {
            return (batch, null);
        }
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

    /// <summary>A file's reader (footer cached), or null when the file is gone.</summary>
    private async Task<ParquetReader?> OpenAsync(ParquetFileEntry file, CancellationToken cancellationToken)
    {
        if (_footers.TryGetValue(file.Path, out var cached))
        {
            return cached;
        }
        try
        {
            var options = new ParquetReadOptions { DictionaryColumns = file.TagRanges.Keys.ToHashSet(StringComparer.Ordinal), Cache = _cache };
            var reader = await ParquetReader.OpenAsync(new ObjectStoreSource(store, file.Path, file.SizeBytes), options, cancellationToken).ConfigureAwait(false);
            if (_footers.Count >= MaxCachedFooters)
            {
                _footers.Clear();
            }
            _footers[file.Path] = reader;
            return reader;
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private sealed record SourceGroup(List<ParquetFileEntry> Files, List<BufferedChunk> Chunks, long MinTime, long MaxTime);

    /// <summary>Files and chunks of one partition in groups of transitively overlapping time ranges, in time order.</summary>
    private static List<SourceGroup> OverlapGroups(IEnumerable<ParquetFileEntry> files, IEnumerable<BufferedChunk> chunks)
    {
        var sources = files.Select(f => (f.MinTime, f.MaxTime, File: (ParquetFileEntry?)f, Chunk: (BufferedChunk?)null))
            .Concat(chunks.Select(c => (c.MinTime, c.MaxTime, File: (ParquetFileEntry?)null, Chunk: (BufferedChunk?)c)))
            .OrderBy(s => s.MinTime).ToList();
        var groups = new List<SourceGroup>();
        SourceGroup? current = null;
        foreach (var source in sources)
        {
            if (current is null || source.MinTime > current.MaxTime)
            {
                current = new SourceGroup([], [], source.MinTime, source.MaxTime);
                groups.Add(current);
            }
            else if (source.MaxTime > current.MaxTime)
            {
                current = current with { MaxTime = source.MaxTime };
                groups[^1] = current;
            }
            if (source.File is { } file)
            {
                current.Files.Add(file);
            }
            else
            {
                current.Chunks.Add(source.Chunk!);
            }
        }
        return groups;
    }

    /// <summary>One group merged (files oldest first, then chunks in WAL order); Gone when one of its files is gone, null when it has no rows.</summary>
    private async Task<(bool Gone, RecordBatch? Rows)> ReadMergedAsync(ScanRequest request, TableColumns columns, List<ColumnRange> predicates, List<ParquetFileEntry> files, List<BufferedChunk> chunks, CancellationToken cancellationToken)
    {
        var names = columns.Columns.Select(c => c.Name).ToList();
        var sources = new List<RecordBatch>();
        foreach (var file in files.OrderBy(f => f.MaxSequence).ThenBy(f => f.Id))
        {
            var batches = await ReadFileAsync(file, names, predicates, cancellationToken).ConfigureAwait(false);
            if (batches is null)
            {
                return (true, null);
            }
            sources.AddRange(batches);
        }
        sources.AddRange(chunks.OrderBy(c => c.Sequence).Select(c => c.Batch));
        return (false, sources.Count == 0 ? null : RowMerger.Merge(columns, sources));
    }

    /// <summary>The partition's rows from <see cref="ScanRequest.FromTime"/> on, from a fresh catalog and buffer, merged, exactly cut at that time.</summary>
    private async Task<RecordBatch?> ReadFreshDayAsync(ScanRequest request, int day, TableColumns columns, List<ColumnRange> predicates, Func<ParquetFileEntry, bool>? fileFilter, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var chunks = buffer.Snapshot(request.Database, request.Table).Where(c => c.Day == day && Overlaps(c.MinTime, c.MaxTime, request.FromTime, request.ToTime)).ToList();
            var files = catalog.Current.FilesOf(request.Database, request.Table).Where(f => f.Day == day && Overlaps(f.MinTime, f.MaxTime, request.FromTime, request.ToTime) && MayHoldTags(f, request.TagValues) && (fileFilter is null || fileFilter(f))).ToList();
            var (gone, merged) = await ReadMergedAsync(request, columns, predicates, files, chunks, cancellationToken).ConfigureAwait(false);
            if (!gone)
            {
                if (merged is null)
                {
                    return null;
                }
                var times = (TimestampArray)merged.Column(columns.TimeIndex);
                using var keep = new BooleanArrayBuilder();
                for (var i = 0; i < merged.Length; i++)
                {
                    keep.Append(times.GetValue(i) >= request.FromTime);
                }
                return Selection.Filter(merged, (BooleanArray)keep.Build());
            }
            if (attempt >= 3)
            {
                throw new ObjectNotFoundException($"files of {request.Database}.{request.Table} kept vanishing while they were read");
            }
        }
    }

    /// <summary>The asked columns the file has (a file lacks columns added after it was written), or null when the file is gone.</summary>
    private async Task<List<RecordBatch>?> ReadFileAsync(ParquetFileEntry file, IReadOnlyList<string>? columns, List<ColumnRange> predicates, CancellationToken cancellationToken)
    {
        var reader = await OpenAsync(file, cancellationToken).ConfigureAwait(false);
        if (reader is null)
        {
            return null;
        }
        try
        {
            var batches = new List<RecordBatch>();
            await foreach (var batch in reader.ReadAsync(Present(reader, columns), Usable(reader, predicates), cancellationToken).ConfigureAwait(false))
            {
                batches.Add(batch);
            }
            return batches;
        }
        catch (ObjectNotFoundException)
        {
            _footers.TryRemove(file.Path, out _);
            return null;
        }
    }

    /// <summary>The asked columns a file has (it lacks those added after it was written); null asks for all.</summary>
    private static List<string>? Present(ParquetReader reader, IReadOnlyList<string>? columns) =>
        columns?.Where(c => reader.Schema.GetFieldIndex(c) >= 0).ToList();

    /// <summary>Predicates on columns the file has: one on a column it lacks says nothing about its rows.</summary>
    private static List<ColumnRange> Usable(ParquetReader reader, List<ColumnRange> predicates) =>
        predicates.Where(p => reader.Schema.GetFieldIndex(p.Column) >= 0).ToList();

    /// <summary>Pruning ranges for the Parquet reader: time, and each tag's [smallest, largest] allowed value.</summary>
    private static List<ColumnRange> Predicates(ScanRequest request)
    {
        var predicates = new List<ColumnRange>();
        if (request.FromTime is not null || request.ToTime is not null)
        {
            predicates.Add(new ColumnRange(Catalog.TableDefinition.TimeColumn, request.FromTime, request.ToTime));
        }
        foreach (var (tag, values) in request.TagValues)
        {
            if (values.Count > 0)
            {
                predicates.Add(new ColumnRange(tag, values.Min(StringComparer.Ordinal), values.Max(StringComparer.Ordinal)) { AnyOf = [.. values] });
            }
        }
        return predicates;
    }

    /// <summary>Whether a file's tag ranges admit one of the allowed values of every filtered tag (files from before tag ranges were recorded always may).</summary>
    private static bool MayHoldTags(ParquetFileEntry file, IReadOnlyDictionary<string, IReadOnlyList<string>> tagValues)
    {
        if (file.TagRanges.Count == 0)
        {
            return true;
        }
        foreach (var (tag, values) in tagValues)
        {
            if (!file.TagRanges.TryGetValue(tag, out var range) || range.Min is null || range.Max is null)
            {
                return false;   // the column is absent or all null in this file: no row equals a value
            }
            if (!values.Any(v => string.CompareOrdinal(v, range.Min) >= 0 && string.CompareOrdinal(v, range.Max) <= 0))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A file's rows, tags as dictionary arrays (their values repeat on every row).</summary>
    internal static async Task<List<RecordBatch>> ReadFileAsync(IObjectStore store, ParquetFileEntry file, long? fromTime, long? toTime, CancellationToken cancellationToken)
    {
        var options = new ParquetReadOptions { DictionaryColumns = file.TagRanges.Keys.ToHashSet(StringComparer.Ordinal) };
        var reader = await ParquetReader.OpenAsync(new ObjectStoreSource(store, file.Path, file.SizeBytes), options, cancellationToken).ConfigureAwait(false);
        var predicates = fromTime is null && toTime is null ? null : new[] { new ColumnRange(Catalog.TableDefinition.TimeColumn, fromTime, toTime) };
        var batches = new List<RecordBatch>();
        await foreach (var batch in reader.ReadAsync(null, predicates, cancellationToken).ConfigureAwait(false))
        {
            batches.Add(batch);
        }
        return batches;
    }

    public static TableColumns TableColumnsOf(TableDefinition definition) =>
        new([.. definition.Columns.Select(c => (c.Name, c.Kind))]);

    /// <summary>The asked columns plus the sort key (all tags and time), in table order; all columns when none are asked.</summary>
    private static TableColumns TableColumnsOf(TableDefinition definition, IReadOnlyList<string>? asked) =>
        asked is null
            ? TableColumnsOf(definition)
            : new([.. definition.Columns.Where(c => c.Kind is ColumnKind.Tag or ColumnKind.Time || asked.Contains(c.Name)).Select(c => (c.Name, c.Kind))]);

    private static bool Overlaps(long min, long max, long? from, long? to) => (from is null || max >= from) && (to is null || min <= to);
}
