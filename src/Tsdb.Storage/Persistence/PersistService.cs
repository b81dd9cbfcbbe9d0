using Tsdb.Catalog;
using Tsdb.Core.Diagnostics;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Deletes;
using Tsdb.Wal;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Moves the buffer to Parquet: every row buffered now becomes one sorted, deduplicated file per table and day.
/// Order of effects: files are written, then the catalog is published (the one point where readers switch over),
/// then the buffer rows and WAL segments the files now hold go. One persist runs at a time; it runs beside the
/// <see cref="Compactor"/> and the <see cref="RetentionService"/>, because it only adds files with newer rows.
/// </summary>
public sealed class PersistService(Catalog.Catalog catalog, WriteBuffer buffer, WriteAheadLog wal, ParquetFileWriter writer, StorageOptions options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// What merging and writing a slice may hold, reserved from the process's memory before it starts. Measured by
    /// what a persist of one slice allocates (<c>PersistMemoryTests</c>: 100,000 rows with a 64-character string,
    /// about 9 MiB buffered): 5.9 times the buffered bytes with 10 series, 7.1 times with every row its own series
    /// (the merged copy, the plain and compressed pages, the file's parts on their way out, and per distinct series
    /// its tag values as strings and their ranks). Reserved: six times the bytes and 200 bytes a row (distinct
    /// series are at most the rows). It was three times the bytes, a guess that covered half of it.
    /// </summary>
    internal static long SliceWorkBytes(IReadOnlyCollection<BufferedChunk> slice)
    {
        long bytes = 0, rows = 0;
        foreach (var chunk in slice)
        {
            bytes += chunk.Bytes;
            rows += chunk.Batch.Length;
        }
        return (SliceWorkBytesPerByte * bytes) + (SliceWorkBytesPerRow * rows);
    }

    private const long SliceWorkBytesPerByte = 6;

    private const long SliceWorkBytesPerRow = 200;

    public sealed record PersistResult(int Files, long Rows, long ThroughSequence);

    public void Dispose() => _gate.Dispose();

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
                return new PersistResult(0, 0, catalog.Current.PersistedSequenceOf(options.NodeId));
            }
            var snapshot = catalog.Current;
            var entries = new List<ParquetFileEntry>();
            long rows = 0;
            foreach (var group in chunks.GroupBy(c => (c.Database, c.Table, c.Day)))
            {
                var (database, table, day) = group.Key;
                var definition = snapshot.FindDatabase(database)?.FindTable(table);
                if (definition is null)
                {
                    continue; // the table was deleted while its rows sat in the buffer
                }
                // Row deletes made after these rows were written are applied (folded) before they go to a file.
                var tombstones = snapshot.TombstonesOf(database, table).ToList();
                var columns = StorageTableSource.TableColumnsOf(definition);
                // In slices of the buffer, oldest first, one file each: sorting and merging a slice takes a few times
                // its size, so a table of any size persists in bounded memory. The files may overlap; each slice's
                // sequences are above the last one's, so the order by MaxSequence lets the later write win.
                foreach (var slice in Slices(group.OrderBy(c => c.Sequence), options.PersistSliceBytes))
                {
                    if (await WriteSliceAsync(database, table, day, columns, slice, tombstones, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        entries.Add(entry with { TombstonesThrough = snapshot.NextTombstoneId - 1 });
                        rows += entry.RowCount;
                    }
                }
            }
            // Publish, then let go of what the files now hold. A table deleted while its file was written gets no
            // entry: its file is scheduled for deletion like the table's other files.
            StorageMetrics.Written("persist", entries);
            var published = await catalog.UpdateAsync(e =>
            {
                var count = 0;
                foreach (var entry in entries)
                {
                    if (e.FindDatabase(entry.Database)?.FindTable(entry.Table) is null)
                    {
                        e.AddFile(entry with { Id = e.NextFileId() });
                        e.RemoveFiles([e.Files[^1].Id], DateTimeOffset.MinValue);
                        continue;
                    }
                    e.AddFile(entry with { Id = e.NextFileId() });
                    count++;
                }
                e.SetPersistedSequence(options.NodeId, through);
                Tombstones.ForgetFolded(e);
                return count;
            }, cancellationToken).ConfigureAwait(false);
            buffer.RemoveThrough(through);
            if (options.TruncateWal)
            {
                wal.RemoveSegmentsThrough(through);
            }
            return new PersistResult(published, rows, through);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One slice's file, or null when no row is left. Its own method so the merged batch is unreachable once the file
    /// is written (a local of the caller's loop would stay in its state machine while the next slice is merged).
    /// </summary>
    private async Task<ParquetFileEntry?> WriteSliceAsync(string database, string table, int day, TableColumns columns, List<BufferedChunk> slice, List<Tombstone> tombstones, CancellationToken cancellationToken)
    {
        // Merging and writing a slice takes a few times its buffered size: reserved first, ahead of queries and
        // compactions, waiting at most the pool's MaxWait (the buffer must drain).
        using var memory = options.ProcessMemory is { } process
            ? await process.ReserveAsync(MemoryClaimant.Persist, SliceWorkBytes(slice), cancellationToken).ConfigureAwait(false)
            : null;
        if (memory is { Forced: true })
        {
            StorageMetrics.PersistForcedMemory();
        }
        var merged = RowMerger.Merge(columns, [.. slice.Select(c =>
            TombstoneFilter.Apply(c.Batch, [.. tombstones.Where(t => t.Reaches(c.Sequence, c.MinTime, c.MaxTime)).Select(t => t.Predicate)]))]);
        if (merged.Length == 0)
        {
            return null;
        }
        // Streamed into the store in parts (not built as one byte[]), as compaction writes.
        return await writer.WriteStreamAsync(database, table, day, columns.Schema, new[] { merged }.ToAsyncEnumerable(), slice[^1].Sequence, level: 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Consecutive runs of chunks (in sequence order) holding at most <paramref name="bytes"/> each, or one chunk when
    /// it alone is larger. A run never ends between chunks of one sequence, so no two files share a sequence.
    /// </summary>
    internal static IEnumerable<List<BufferedChunk>> Slices(IEnumerable<BufferedChunk> ordered, long bytes)
    {
        var slice = new List<BufferedChunk>();
        long size = 0;
        foreach (var chunk in ordered)
        {
            if (slice.Count > 0 && size + chunk.Bytes > bytes && chunk.Sequence != slice[^1].Sequence)
            {
                yield return slice;
                slice = [];
                size = 0;
            }
            slice.Add(chunk);
            size += chunk.Bytes;
        }
        if (slice.Count > 0)
        {
            yield return slice;
        }
    }
}
