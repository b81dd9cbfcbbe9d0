using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;
using Tsdb.Parquet.Writing;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;
using Tsdb.Wal;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Moves data from the buffer to Parquet and keeps the files tidy: persist (buffer → one sorted, deduplicated file per
/// table and day), compaction (a partition's files → one), retention (old partitions dropped), deletion of objects
/// the catalog stopped referencing, and removal of orphans left by a crash. One operation runs at a time.
/// Order of effects in every operation: objects are written, then the catalog is published, then what the new
/// catalog replaces (buffer rows, WAL segments, old objects after a grace period) goes.
/// </summary>
public sealed class Persister(Catalog.Catalog catalog, WriteBuffer buffer, WriteAheadLog wal, IObjectStore store, StorageOptions options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public sealed record PersistResult(int Files, long Rows, long ThroughSequence);

    public TimeSpan DeletionGrace => options.DeletionGrace;

    public void Dispose() => _gate.Dispose();

    /// <summary>Drops buffered rows of a deleted database (or one of its tables).</summary>
    public void DropBuffered(string database, string? table) =>
        buffer.RemoveWhere(c => c.Database == database && (table is null || c.Table == table));

    public sealed record CompactResult(int Partitions, int FilesRemoved, int FilesWritten);

    /// <summary>Persists every row buffered now; returns when the files and the catalog are durable.</summary>
    public async Task<PersistResult> PersistAsync(CancellationToken cancellationToken = default)
    {
        var started = StorageMetrics.Start();
        try
        {
            var result = await PersistCoreAsync(cancellationToken).ConfigureAwait(false);
            StorageMetrics.Stop("persist", started, ok: true);
            StorageMetrics.Persisted(result.Rows, result.Files);
            return result;
        }
        catch
        {
            StorageMetrics.Stop("persist", started, ok: false);
            throw;
        }
    }

    private async Task<PersistResult> PersistCoreAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var through = buffer.LastSequence;
            var chunks = buffer.ChunksThrough(through);
            if (chunks.Count == 0)
            {
                return new PersistResult(0, 0, catalog.Current.PersistedSequence);
            }
            var snapshot = catalog.Current;
            var groups = chunks.GroupBy(c => (c.Database, c.Table, c.Day)).ToList();
            var entries = new List<ParquetFileEntry>();
            long rows = 0;
            foreach (var group in groups)
            {
                var (database, table, day) = group.Key;
                var definition = snapshot.FindDatabase(database)?.FindTable(table)
                    ?? catalog.Current.FindDatabase(database)?.FindTable(table);
                if (definition is null)
                {
                    continue; // the table was deleted while its rows sat in the buffer
                }
                // Row deletes made after these rows were written are applied (folded) before they go to a file.
                var tombstones = snapshot.TombstonesOf(database, table).ToList();
                var merged = RowMerger.Merge(StorageTableSource.TableColumnsOf(definition), [.. group.OrderBy(c => c.Sequence).Select(c =>
                    TombstoneFilter.Apply(c.Batch, [.. tombstones.Where(t => t.Reaches(c.Sequence, c.MinTime, c.MaxTime)).Select(t => t.Predicate)]))]);
                if (merged.Length == 0)
                {
                    continue;
                }
                var maxSequence = group.Max(c => c.Sequence);
                var entry = await WriteFileAsync(database, table, day, merged, maxSequence, level: 0, cancellationToken).ConfigureAwait(false);
                entries.Add(entry with { TombstonesThrough = snapshot.NextTombstoneId - 1 });
                rows += merged.Length;
            }
            // Publish, then let go of what the files now hold.
            catalog.Update(e =>
            {
                foreach (var entry in entries)
                {
                    e.AddFile(entry with { Id = e.NextFileId() });
                }
                e.SetPersistedSequence(through);
                ForgetFoldedTombstones(e);
                return true;
            });
            buffer.RemoveThrough(through);
            if (options.TruncateWal)
            {
                wal.RemoveSegmentsThrough(through);
            }
            return new PersistResult(entries.Count, rows, through);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Merges each partition that has at least <paramref name="minFiles"/> files into one file.</summary>
    public async Task<CompactResult> CompactAsync(int? minFiles = null, CancellationToken cancellationToken = default)
    {
        var started = StorageMetrics.Start();
        try
        {
            var result = await CompactCoreAsync(minFiles, cancellationToken).ConfigureAwait(false);
            StorageMetrics.Stop("compaction", started, ok: true);
            return result;
        }
        catch
        {
            StorageMetrics.Stop("compaction", started, ok: false);
            throw;
        }
    }

    private async Task<CompactResult> CompactCoreAsync(int? minFiles, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var threshold = Math.Max(2, minFiles ?? options.CompactionMinFiles);
            var snapshot = catalog.Current;
            // A partition is compacted when it has enough files, or when a row delete has not been applied to one of them yet.
            var partitions = snapshot.Files.GroupBy(f => (f.Database, f.Table, f.Day))
                .Where(g => g.Count() >= threshold || g.Any(f => snapshot.Tombstones.Any(t => t.Reaches(f)))).ToList();
            int removed = 0, written = 0;
            foreach (var partition in partitions)
            {
                var (database, table, day) = partition.Key;
                var definition = snapshot.FindDatabase(database)?.FindTable(table);
                if (definition is null)
                {
                    continue;
                }
                var sources = new List<RecordBatch>();
                var files = new ParquetFiles(store, readCacheBytes: 0);
                foreach (var file in partition.OrderBy(f => f.MaxSequence).ThenBy(f => f.Id))
                {
                    var chunk = TombstonedChunk.Apply(new ParquetChunk(file, files), snapshot.Tombstones.Where(t => t.Reaches(file)));
                    if (chunk is null)
                    {
                        continue;
                    }
                    await foreach (var batch in chunk.ReadAsync(new ChunkRead(null), cancellationToken).ConfigureAwait(false))
                    {
                        sources.Add(batch);
                    }
                }
                var merged = sources.Count == 0 ? null : RowMerger.Merge(StorageTableSource.TableColumnsOf(definition), sources);
                var maxSequence = partition.Max(f => f.MaxSequence);
                // Every row may have been deleted: then the files just go.
                var entry = merged is not { Length: > 0 } ? null
                    : await WriteFileAsync(database, table, day, merged, maxSequence, level: 1, cancellationToken).ConfigureAwait(false) with { TombstonesThrough = snapshot.NextTombstoneId - 1 };
                var replaced = partition.Select(f => f.Id).ToList();
                catalog.Update(e =>
                {
                    e.RemoveFiles(replaced, time.GetUtcNow() + options.DeletionGrace);
                    if (entry is not null)
                    {
                        e.AddFile(entry with { Id = e.NextFileId() });
                    }
                    ForgetFoldedTombstones(e);
                    return true;
                });
                removed += replaced.Count;
                written += entry is null ? 0 : 1;
            }
            return new CompactResult(partitions.Count, removed, written);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops every partition that ended before its database's retention period: files and buffered rows.</summary>
    public async Task<int> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        var started = StorageMetrics.Start();
        try
        {
            var result = await ApplyRetentionCoreAsync(cancellationToken).ConfigureAwait(false);
            StorageMetrics.Stop("retention", started, ok: true);
            return result;
        }
        catch
        {
            StorageMetrics.Stop("retention", started, ok: false);
            throw;
        }
    }

    private async Task<int> ApplyRetentionCoreAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var snapshot = catalog.Current;
            var dropped = 0;
            foreach (var database in snapshot.Databases.Where(d => d.RetentionPeriod is not null))
            {
                // A partition goes when its whole day is older than the cutoff.
                var cutoff = (now - database.RetentionPeriod!.Value - DateTimeOffset.UnixEpoch).Ticks * 100;
                var expired = snapshot.Files.Where(f => f.Database == database.Name && (f.Day + 1L) * Core.Time.PartitionDay.NanosecondsPerDay <= cutoff).Select(f => f.Id).ToList();
                if (expired.Count > 0)
                {
                    catalog.Update(e =>
                    {
                        e.RemoveFiles(expired, now + options.DeletionGrace);
                        return true;
                    });
                    dropped += expired.Count;
                }
                buffer.RemoveWhere(c => c.Database == database.Name && (c.Day + 1L) * Core.Time.PartitionDay.NanosecondsPerDay <= cutoff);
            }
            return dropped;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the row deletes that reach nothing any more (applied to every file and buffered row they reached).</summary>
    private static void ForgetFoldedTombstones(CatalogEditor editor)
    {
        var files = editor.Files;
        var persisted = editor.PersistedSequence;
        var done = editor.Tombstones.Where(t => persisted >= t.Sequence && !files.Any(t.Reaches)).Select(t => t.Id).ToList();
        if (done.Count > 0)
        {
            editor.RemoveTombstones(done);
        }
    }

    /// <summary>Deletes objects whose grace period has passed and forgets them.</summary>
    public async Task<int> DeletePendingAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = catalog.Current.PendingDeletes.Where(p => p.DeleteAfter <= now).Select(p => p.Path).ToList();
        foreach (var path in due)
        {
            await store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        }
        if (due.Count > 0)
        {
            catalog.Update(e =>
            {
                e.ForgetPendingDeletes(due);
                return true;
            });
        }
        return due.Count;
    }

    /// <summary>
    /// At start, before any persist runs: data objects that no catalog entry names were left by a persist or
    /// compaction that crashed between writing its file and publishing the catalog. They are deleted.
    /// </summary>
    public async Task<int> DeleteOrphansAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = catalog.Current;
        var known = snapshot.Files.Select(f => f.Path).Concat(snapshot.PendingDeletes.Select(p => p.Path)).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<string>();
        await foreach (var meta in store.ListAsync(ObjectPaths.DataPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (!known.Contains(meta.Key))
            {
                orphans.Add(meta.Key);
            }
        }
        foreach (var orphan in orphans)
        {
            await store.DeleteAsync(orphan, cancellationToken).ConfigureAwait(false);
        }
        return orphans.Count;
    }

    /// <summary>
    /// Writes one file under a fresh name (sequence plus a random part, so a retried persist never overwrites a file
    /// a catalog may list). Its catalog id is given when it is published.
    /// </summary>
    private async Task<ParquetFileEntry> WriteFileAsync(string database, string table, int day, RecordBatch merged, long maxSequence, int level, CancellationToken cancellationToken)
    {
        var path = ObjectPaths.File(database, table, day, maxSequence, Random.Shared.NextInt64(1_000_000_000, 10_000_000_000));
        var columns = merged.Schema;
        var times = (TimestampArray)merged.Column(Catalog.TableDefinition.TimeColumn)!;
        long min = long.MaxValue, max = long.MinValue;
        foreach (var t in times.Values)
        {
            min = Math.Min(min, t);
            max = Math.Max(max, t);
        }
        var sortKey = new List<(int, bool, bool)>();
        var tagRanges = new Dictionary<string, TagRange>();
        for (var c = 0; c < columns.FieldCount; c++)
        {
            if (ColumnKindNames.FromIoxType(columns[c].GetMetadata(ColumnKindNames.IoxMetadataKey)) == ColumnKind.Tag)
            {
                sortKey.Add((c, false, true));
                tagRanges[columns[c].Name] = TagRangeOf(merged.Column(c));
            }
        }
        sortKey.Add((columns.GetFieldIndex(Catalog.TableDefinition.TimeColumn), false, true));
        var parquetOptions = options.Parquet with
        {
            SortingColumns = sortKey,
            KeyValueMetadata =
            [
                new("tsdb:sort_key", string.Join(',', sortKey.Select(k => columns[k.Item1].Name))),
                new("tsdb:min_time", min.ToString(CultureInfo.InvariantCulture)),
                new("tsdb:max_time", max.ToString(CultureInfo.InvariantCulture)),
                new("tsdb:max_sequence", maxSequence.ToString(CultureInfo.InvariantCulture)),
                .. options.Parquet.KeyValueMetadata,
            ],
        };
        var bytes = ParquetWriter.ToBytes(columns, [merged], parquetOptions);
        await store.PutAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        return new ParquetFileEntry(0, database, table, day, path, min, max, merged.Length, bytes.Length, maxSequence, level, time.GetUtcNow()) { TagRanges = tagRanges };
    }

    private static TagRange TagRangeOf(ArrowArray column)
    {
        string? min = null, max = null;
        for (var i = 0; i < column.Length; i++)
        {
            if (column.GetObject(i) is string s)
            {
                if (min is null || string.CompareOrdinal(s, min) < 0)
                {
                    min = s;
                }
                if (max is null || string.CompareOrdinal(s, max) > 0)
                {
                    max = s;
                }
            }
        }
        return new TagRange(min, max);
    }
}
