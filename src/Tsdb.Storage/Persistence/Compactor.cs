using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Core.Diagnostics;
using Tsdb.ObjectStore;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Compacts the files of each partition (table, day and ingest node) in generations (<see cref="CompactionPlanner"/>):
/// level-0 files from persists are merged with the compacted files they overlap, small compacted files with their
/// neighbours, into non-overlapping files of about the target size, split by time. The merge streams (sorted,
/// deduplicated, oldest input first), folds in row deletes not yet applied and leaves out rows past their retention.
/// The replaced files leave the catalog in the one update that publishes the new ones and are deleted after the
/// grace period (see <see cref="DeletionService"/>); a crash before that update leaves only unnamed objects, which the
/// start-up orphan sweep removes. Holds the <see cref="FileRewriteGate"/> so the <see cref="RetentionService"/> does
/// not rewrite the same files meanwhile.
/// </summary>
public sealed class Compactor(Catalog.Catalog catalog, IObjectStore store, ParquetFileWriter writer, FileRewriteGate gate, StorageOptions options, TimeProvider time)
{
    public sealed record CompactResult(int Partitions, int FilesRemoved, int FilesWritten);

    /// <summary>How many merges one partition gets in one call (a level-0 merge may make level-1 files to merge next).</summary>
    private const int MergesPerPartition = 4;

    /// <summary>Compacts each partition that has at least <paramref name="minFiles"/> level-0 files or needs a merge of its compacted files.</summary>
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
        // Files of different ingest nodes are compacted apart: sequences (which decide the later write) count in one
        // node's WAL, so a merged file's sequence must stay comparable with its node's buffered rows.
        var keys = catalog.Current.Files.Select(f => (f.Database, f.Table, f.Day, f.Node)).Distinct().ToList();
        int partitions = 0, removed = 0, written = 0;
        foreach (var key in keys)
        {
            var touched = false;
            for (var merge = 0; merge < MergesPerPartition; merge++)
            {
                var snapshot = catalog.Current;
                var partition = snapshot.Files.Where(f => (f.Database, f.Table, f.Day, f.Node) == key).ToList();
                var definition = snapshot.FindDatabase(key.Database)?.FindTable(key.Table);
                if (definition is null || CompactionPlanner.Choose(partition, f => snapshot.Tombstones.Any(t => t.Reaches(f)), threshold, options.CompactionTargetFileBytes) is not { } plan)
                {
                    break;
                }
                // Its budget from the process's, after any persist that waits: not served in time, the round ends here
                // and the next one tries again (the files stay readable, only more of them).
                using var memory = options.ProcessMemory is { } process
                    ? await process.ReserveAsync(MemoryClaimant.Compaction, options.CompactionMemoryBudget, cancellationToken).ConfigureAwait(false)
                    : null;
                if (options.ProcessMemory is not null && memory is null)
                {
                    StorageMetrics.CompactionDeferred();
                    return new CompactResult(partitions + (touched ? 1 : 0), removed, written);
                }
                var (gone, made) = await MergeAsync(snapshot, definition, key.Node, plan, cancellationToken).ConfigureAwait(false);
                touched = true;
                removed += gone;
                written += made;
            }
            partitions += touched ? 1 : 0;
        }
        return new CompactResult(partitions, removed, written);
    }

    private async Task<(int Removed, int Written)> MergeAsync(CatalogSnapshot snapshot, TableDefinition definition, string? node, CompactionPlanner.Plan plan, CancellationToken cancellationToken)
    {
        var first = plan.Inputs[0];
        var (database, table, day) = (first.Database, first.Table, first.Day);
        var files = new ParquetFiles(store, readCacheBytes: 0);
        var columns = StorageTableSource.TableColumnsOf(definition);
        var cutoff = snapshot.FindDatabase(database)!.RetentionCutoff(table, time.GetUtcNow());
        // Oldest first, so DedupMerge lets the later write win: compacted files (older than every level-0 file, and
        // not overlapping each other) before level-0 files in WAL order.
        var ordered = plan.Inputs.OrderBy(f => f.MaxSequence).ThenBy(f => f.Id).ToList();
        var budget = CompactionMemory.Of(options.CompactionMemoryBudget, columns, ordered.Count, ordered.Sum(f => f.SizeBytes) / Math.Max(1, ordered.Sum(f => f.RowCount)));
        IAsyncEnumerable<RecordBatch> Read(long? from, long? to)
        {
            // Memory holds a slice of rows per input plus the open output files, whatever the partition's size.
            var inputs = new List<IAsyncEnumerable<RecordBatch>>();
            foreach (var file in ordered)
            {
                if ((from is { } f && file.MaxTime < f) || (to is { } t && file.MinTime > t))
                {
                    continue;
                }
                if (TombstonedChunk.Apply(new ParquetChunk(file, files), snapshot.Tombstones.Where(t => t.Reaches(file))) is { } chunk)
                {
                    inputs.Add(chunk.ReadAsync(new ChunkRead(null, from, to) { MaxBatchRows = budget.RowsPerInputBatch }, cancellationToken));
                }
            }
            return DedupMerge.MergeAsync(columns, inputs, null, cancellationToken).Select(b => RetentionService.KeepFrom(b, cutoff));
        }
        var made = await writer.WriteSplitAsync(database, table, day, columns.Schema, plan.Boundaries, Read, plan.Inputs.Max(f => f.MaxSequence), CompactionPlanner.Level1, budget.FilesPerPass, budget.RowsPerPass, cancellationToken).ConfigureAwait(false);
        var entries = made.Select(e => e with
        {
            Level = CompactionPlanner.LevelOf(e.SizeBytes, options.CompactionTargetFileBytes),
            TombstonesThrough = snapshot.NextTombstoneId - 1,
            Node = node,
        }).ToList();
        StorageMetrics.Written("compaction", entries);
        if (options.BeforePublish is { } pause)
        {
            await pause("compaction", cancellationToken).ConfigureAwait(false);
        }
        var replaced = plan.Inputs.Select(f => f.Id).ToList();
        await catalog.UpdateAsync(e =>
        {
            // Only in place of the files they were made from: if those are gone (their table was deleted), so are these.
            var present = replaced.All(id => e.Files.Any(f => f.Id == id));
            var deleteAfter = time.GetUtcNow() + options.DeletionGrace;
            e.RemoveFiles(replaced, deleteAfter);
            var added = new List<long>();
            foreach (var entry in entries)
            {
                var id = e.NextFileId();
                e.AddFile(entry with { Id = id });
                added.Add(id);
            }
            if (!present)
            {
                e.RemoveFiles(added, deleteAfter);
            }
            Tombstones.ForgetFolded(e);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return (replaced.Count, entries.Count);
    }
}
