using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
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
public sealed class TableReader(Catalog.Catalog catalog, WriteBuffer buffer, IObjectStore store)
{
    /// <summary>Open files' footers, by path (files are immutable, so an entry never goes stale; a deleted file's entry just fails to read).</summary>
    private readonly ConcurrentDictionary<string, ParquetReader> _footers = new(StringComparer.Ordinal);
    private const int MaxCachedFooters = 4096;

    public IAsyncEnumerable<RecordBatch> ReadAsync(string database, string table, long? fromTime = null, long? toTime = null, CancellationToken cancellationToken = default) =>
        ReadAsync(new ScanRequest(database, table) { FromTime = fromTime, ToTime = toTime }, cancellationToken);

    /// <summary>
    /// The table's rows for a query: files pruned by time and tag ranges; a partition that is one file and nothing
    /// buffered is streamed row group by row group with only the asked columns (files are written sorted and
    /// deduplicated); any other partition is merged — only the asked columns plus the sort key — into one batch.
    /// </summary>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(ScanRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (database, table, fromTime, toTime) = (request.Database, request.Table, request.FromTime, request.ToTime);
        var chunks = buffer.Snapshot(database, table);
        var snapshot = catalog.Current;
        var definition = snapshot.FindDatabase(database)?.FindTable(table);
        if (definition is null)
        {
            yield break;
        }
        var columns = TableColumnsOf(definition, request.Columns);
        var files = snapshot.FilesOf(database, table).Where(f => Overlaps(f.MinTime, f.MaxTime, fromTime, toTime) && MayHoldTags(f, request.TagValues)).ToList();
        chunks = [.. chunks.Where(c => Overlaps(c.MinTime, c.MaxTime, fromTime, toTime))];
        var days = files.Select(f => f.Day).Concat(chunks.Select(c => c.Day)).Distinct().Order().ToList();
        foreach (var day in days)
        {
            var dayFiles = files.Where(f => f.Day == day).ToList();
            if (dayFiles.Count == 1 && !chunks.Any(c => c.Day == day))
            {
                var batches = await ReadFileAsync(dayFiles[0], request.Columns, Predicates(request), cancellationToken).ConfigureAwait(false);
                if (batches is not null)
                {
                    foreach (var batch in batches)
                    {
                        yield return batch;
                    }
                    continue;
                }
                // The file went away under us (compaction replaced it): read the partition from a fresh view.
                dayFiles = [.. catalog.Current.FilesOf(database, table).Where(f => f.Day == day && Overlaps(f.MinTime, f.MaxTime, fromTime, toTime))];
            }
            var merged = await ReadDayAsync(request, day, columns, dayFiles, chunks, cancellationToken).ConfigureAwait(false);
            if (merged is { Length: > 0 })
            {
                yield return merged;
            }
        }
    }

    /// <summary>
    /// One partition, merged. A file can vanish under a reader that holds an old catalog for longer than the deletion
    /// grace (compaction replaced it); the partition is then read again from a fresh view.
    /// </summary>
    private async Task<RecordBatch?> ReadDayAsync(ScanRequest request, int day, TableColumns columns, List<ParquetFileEntry> files, IReadOnlyList<BufferedChunk> chunks, CancellationToken cancellationToken)
    {
        var names = columns.Columns.Select(c => c.Name).ToList();
        var predicates = Predicates(request);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var sources = new List<RecordBatch>();
                foreach (var file in files.Where(f => f.Day == day).OrderBy(f => f.MaxSequence).ThenBy(f => f.Id))
                {
                    sources.AddRange(await ReadFileAsync(file, names, predicates, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(file.Path));
                }
                sources.AddRange(chunks.Where(c => c.Day == day).OrderBy(c => c.Sequence).Select(c => c.Batch));
                return sources.Count == 0 ? null : RowMerger.Merge(columns, sources);
            }
            catch (ObjectNotFoundException) when (attempt < 3)
            {
                chunks = [.. buffer.Snapshot(request.Database, request.Table).Where(c => c.Day == day)];
                files = [.. catalog.Current.FilesOf(request.Database, request.Table).Where(f => f.Day == day && Overlaps(f.MinTime, f.MaxTime, request.FromTime, request.ToTime))];
            }
        }
    }

    /// <summary>The asked columns the file has (a file lacks columns added after it was written), or null when the file is gone.</summary>
    private async Task<List<RecordBatch>?> ReadFileAsync(ParquetFileEntry file, IReadOnlyList<string>? columns, List<ColumnRange> predicates, CancellationToken cancellationToken)
    {
        try
        {
            if (!_footers.TryGetValue(file.Path, out var reader))
            {
                var options = new ParquetReadOptions { DictionaryColumns = file.TagRanges.Keys.ToHashSet(StringComparer.Ordinal) };
                reader = await ParquetReader.OpenAsync(new ObjectStoreSource(store, file.Path, file.SizeBytes), options, cancellationToken).ConfigureAwait(false);
                if (_footers.Count >= MaxCachedFooters)
                {
                    _footers.Clear();
                }
                _footers[file.Path] = reader;
            }
            var present = columns?.Where(c => reader.Schema.GetFieldIndex(c) >= 0).ToList();
            var usable = predicates.Where(p => reader.Schema.GetFieldIndex(p.Column) >= 0).ToList();
            var batches = new List<RecordBatch>();
            await foreach (var batch in reader.ReadAsync(present, usable, cancellationToken).ConfigureAwait(false))
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
                predicates.Add(new ColumnRange(tag, values.Min(StringComparer.Ordinal), values.Max(StringComparer.Ordinal)));
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
