using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.ObjectStore;
using Tsdb.Parquet.Reading;
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
    public IAsyncEnumerable<RecordBatch> ReadAsync(string database, string table, long? fromTime = null, long? toTime = null, CancellationToken cancellationToken = default) =>
        ReadAsync(database, table, fromTime, toTime, fileFilter: null, predicates: null, cancellationToken);

    /// <summary>
    /// As above, skipping the Parquet files <paramref name="fileFilter"/> refuses (e.g. by their tag ranges) and the
    /// row groups and pages <paramref name="predicates"/> exclude: the caller promises those hold no row it wants
    /// (rows that do not match may still come back; the caller filters exactly).
    /// </summary>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(string database, string table, long? fromTime, long? toTime, Func<ParquetFileEntry, bool>? fileFilter, IReadOnlyList<ColumnRange>? predicates, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var chunks = buffer.Snapshot(database, table);
        var snapshot = catalog.Current;
        var definition = snapshot.FindDatabase(database)?.FindTable(table);
        if (definition is null)
        {
            yield break;
        }
        var columns = TableColumnsOf(definition);
        var files = snapshot.FilesOf(database, table).Where(f => Overlaps(f.MinTime, f.MaxTime, fromTime, toTime) && (fileFilter is null || fileFilter(f))).ToList();
        chunks = [.. chunks.Where(c => Overlaps(c.MinTime, c.MaxTime, fromTime, toTime))];
        var days = files.Select(f => f.Day).Concat(chunks.Select(c => c.Day)).Distinct().Order().ToList();
        foreach (var day in days)
        {
            var merged = await ReadDayAsync(database, table, day, columns, files, chunks, fromTime, toTime, fileFilter, predicates, cancellationToken).ConfigureAwait(false);
            if (merged is { Length: > 0 })
            {
                yield return merged;
            }
        }
    }

    /// <summary>
    /// One partition. A file can vanish under a reader that holds an old catalog for longer than the deletion grace
    /// (compaction replaced it); the partition is then read again from a fresh view.
    /// </summary>
    private async Task<RecordBatch?> ReadDayAsync(string database, string table, int day, TableColumns columns, List<ParquetFileEntry> files, IReadOnlyList<BufferedChunk> chunks, long? fromTime, long? toTime, Func<ParquetFileEntry, bool>? fileFilter, IReadOnlyList<ColumnRange>? predicates, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var sources = new List<RecordBatch>();
                foreach (var file in files.Where(f => f.Day == day).OrderBy(f => f.MaxSequence).ThenBy(f => f.Id))
                {
                    sources.AddRange(await ReadFileAsync(store, file, fromTime, toTime, cancellationToken, predicates).ConfigureAwait(false));
                }
                sources.AddRange(chunks.Where(c => c.Day == day).OrderBy(c => c.Sequence).Select(c => c.Batch));
                return sources.Count == 0 ? null : RowMerger.Merge(columns, sources);
            }
            catch (ObjectNotFoundException) when (attempt < 3)
            {
                chunks = [.. buffer.Snapshot(database, table).Where(c => c.Day == day)];
                files = [.. catalog.Current.FilesOf(database, table).Where(f => f.Day == day && Overlaps(f.MinTime, f.MaxTime, fromTime, toTime) && (fileFilter is null || fileFilter(f)))];
            }
        }
    }

    /// <summary>A file's rows, tags as dictionary arrays (their values repeat on every row).</summary>
    internal static async Task<List<RecordBatch>> ReadFileAsync(IObjectStore store, ParquetFileEntry file, long? fromTime, long? toTime, CancellationToken cancellationToken, IReadOnlyList<ColumnRange>? extraPredicates = null)
    {
        var options = new ParquetReadOptions { DictionaryColumns = file.TagRanges.Keys.ToHashSet(StringComparer.Ordinal) };
        var reader = await ParquetReader.OpenAsync(new ObjectStoreSource(store, file.Path, file.SizeBytes), options, cancellationToken).ConfigureAwait(false);
        var predicates = new List<ColumnRange>();
        if (fromTime is not null || toTime is not null)
        {
            predicates.Add(new ColumnRange(Catalog.TableDefinition.TimeColumn, fromTime, toTime));
        }
        // Only columns the file has: a predicate on a column it lacks would say nothing about its rows.
        predicates.AddRange((extraPredicates ?? []).Where(p => file.TagRanges.ContainsKey(p.Column)));
        var batches = new List<RecordBatch>();
        await foreach (var batch in reader.ReadAsync(null, predicates.Count == 0 ? null : predicates, cancellationToken).ConfigureAwait(false))
        {
            batches.Add(batch);
        }
        return batches;
    }

    public static TableColumns TableColumnsOf(TableDefinition definition) =>
        new([.. definition.Columns.Select(c => (c.Name, c.Kind))]);

    private static bool Overlaps(long min, long max, long? from, long? to) => (from is null || max >= from) && (to is null || min <= to);
}
