using Tsdb.Arrow.Arrays;
using Tsdb.ObjectStore;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Merges the files of a day partition into one sorted, deduplicated file, and leaves out rows that are past their
/// retention while it is at it. The replaced files leave the catalog in the same update that publishes the new
/// one and are deleted after the grace period (see <see cref="DeletionService"/>). Holds the
/// <see cref="FileRewriteGate"/> so the <see cref="RetentionService"/> does not rewrite the same files meanwhile.
/// </summary>
public sealed class Compactor(Catalog.Catalog catalog, IObjectStore store, ParquetFileWriter writer, FileRewriteGate gate, StorageOptions options, TimeProvider time)
{
    public sealed record CompactResult(int Partitions, int FilesRemoved, int FilesWritten);

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
        using var held = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var threshold = Math.Max(2, minFiles ?? options.CompactionMinFiles);
        var snapshot = catalog.Current;
        // A partition is compacted when it has enough files, or when a row delete has not been applied to one of them yet.
        // Files of different ingest nodes are compacted apart: sequences (which decide the later write) count in one
        // node's WAL, so a merged file's sequence must stay comparable with its node's buffered rows.
        var partitions = snapshot.Files.GroupBy(f => (f.Database, f.Table, f.Day, f.Node))
            .Where(g => g.Count() >= threshold || g.Any(f => snapshot.Tombstones.Any(t => t.Reaches(f)))).ToList();
        var files = new ParquetFiles(store, readCacheBytes: 0);
        int removed = 0, written = 0;
        foreach (var partition in partitions)
        {
            var (database, table, day, node) = partition.Key;
            var db = snapshot.FindDatabase(database);
            var definition = db?.FindTable(table);
            if (definition is null)
            {
                continue;
            }
            // The files (sorted, deduplicated) merged as they are read, oldest first, and written as the merge goes:
            // memory holds about a batch per file plus a row group and an upload part, whatever the partition's size.
            // Row deletes not yet applied to a file are folded in here; expired rows are left out.
            var inputs = new List<IAsyncEnumerable<RecordBatch>>();
            foreach (var file in partition.OrderBy(f => f.MaxSequence).ThenBy(f => f.Id))
            {
                if (TombstonedChunk.Apply(new ParquetChunk(file, files), snapshot.Tombstones.Where(t => t.Reaches(file))) is { } chunk)
                {
                    inputs.Add(chunk.ReadAsync(new ChunkRead(null), cancellationToken));
                }
            }
            var columns = StorageTableSource.TableColumnsOf(definition);
            var cutoff = db!.RetentionCutoff(table, time.GetUtcNow());
            var merged = DedupMerge.MergeAsync(columns, inputs, null, cancellationToken).Select(b => RetentionService.KeepFrom(b, cutoff));
            var entry = await writer.WriteStreamAsync(database, table, day, columns.Schema, merged, partition.Max(f => f.MaxSequence), level: 1, cancellationToken).ConfigureAwait(false);
            entry = entry is null ? null : entry with { TombstonesThrough = snapshot.NextTombstoneId - 1, Node = node };
            var replaced = partition.Select(f => f.Id).ToList();
            await catalog.UpdateAsync(e =>
            {
                // Only in place of the files it was made from: if they are gone (their table was deleted), so is this one.
                var present = replaced.All(id => e.Files.Any(f => f.Id == id));
                var deleteAfter = time.GetUtcNow() + options.DeletionGrace;
                e.RemoveFiles(replaced, deleteAfter);
                if (entry is not null)
                {
                    e.AddFile(entry with { Id = e.NextFileId() });
                    if (!present)
                    {
                        e.RemoveFiles([e.Files[^1].Id], deleteAfter);
                    }
                }
                Tombstones.ForgetFolded(e);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            removed += replaced.Count;
            written += entry is null ? 0 : 1;
        }
        return new CompactResult(partitions.Count, removed, written);
    }
}
