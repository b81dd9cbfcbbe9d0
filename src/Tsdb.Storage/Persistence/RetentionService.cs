using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Catalog;
using Tsdb.ObjectStore;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Retention applied to rows. A table's rows older than now − its retention (the table's own period when it has
/// one, else its database's: <see cref="DatabaseDefinition.RetentionCutoff"/>) are invisible to every read at once
/// (<see cref="Cutoff"/>, which <see cref="StorageTableSource"/> applies to every scan), and this service takes them out
/// of storage: files wholly older than the cutoff leave the catalog (their objects are deleted after the grace
/// period), partly expired files are rewritten without the expired rows, and expired buffered rows are dropped.
/// Holds the <see cref="FileRewriteGate"/> so it never rewrites a file the <see cref="Compactor"/> is replacing.
/// </summary>
public sealed class RetentionService(Catalog.Catalog catalog, WriteBuffer buffer, IObjectStore store, ParquetFileWriter writer, FileRewriteGate gate, StorageOptions options, TimeProvider time)
{
    /// <summary>What a pass did: files dropped whole, files rewritten without their expired rows, and rows removed.</summary>
    public sealed record RetentionResult(int FilesDropped, int FilesRewritten, long RowsRemoved);

    /// <summary>
    /// The first time a scan of <paramref name="request"/>'s table may return at <paramref name="now"/>
    /// (<see cref="long.MinValue"/> when nothing expires). The one place where queries — SQL, InfluxQL, PromQL, Flight,
    /// export, all reading through <see cref="StorageTableSource"/> — meet retention.
    /// </summary>
    public static long Cutoff(ScanRequest request, CatalogSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.FindDatabase(request.Database)?.RetentionCutoff(request.Table, now) ?? long.MinValue;
    }

    /// <summary>The rows of <paramref name="batch"/> at or after <paramref name="cutoff"/> (the batch itself when all are).</summary>
    public static RecordBatch KeepFrom(RecordBatch batch, long cutoff)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (cutoff == long.MinValue || batch.Column(TableDefinition.TimeColumn) is not TimestampArray times)
        {
            return batch;
        }
        // The common case on every scan of a table with a retention: nothing in the batch has expired. One pass
        // over the values, no allocation.
        var expired = false;
        foreach (var t in times.Values)
        {
            if (t < cutoff)
            {
                expired = true;
                break;
            }
        }
        if (!expired)
        {
            return batch;
        }
        using var keep = new BooleanArrayBuilder();
        var kept = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            var live = times.GetValue(i) >= cutoff;
            kept += live ? 1 : 0;
            keep.Append(live);
        }
        return kept == batch.Length ? batch : Selection.Filter(batch, (BooleanArray)keep.Build());
    }

    /// <summary>
    /// Removes expired rows from storage. Files and buffered chunks wholly past the cutoff go every time; a partly
    /// expired one is rewritten when at least half of its time range has expired, or always when
    /// <paramref name="force"/> is set (an operator just shortened a retention): rewriting a day's file on every
    /// pass because its oldest minute expired would cost more than the rows it frees, and queries never see them anyway.
    /// </summary>
    public async Task<RetentionResult> ApplyAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        var started = StorageMetrics.Start();
        try
        {
            var result = await ApplyCoreAsync(force, cancellationToken).ConfigureAwait(false);
            StorageMetrics.Stop("retention", started, ok: true);
            return result;
        }
        catch
        {
            StorageMetrics.Stop("retention", started, ok: false);
            throw;
        }
    }

    private async Task<RetentionResult> ApplyCoreAsync(bool force, CancellationToken cancellationToken)
    {
        using var held = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var snapshot = catalog.Current;
        long rowsRemoved = DropBuffered(snapshot, now, force);

        var dropped = new List<ParquetFileEntry>();
        var rewritten = new List<(ParquetFileEntry Old, ParquetFileEntry? New)>();
        foreach (var file in snapshot.Files)
        {
            var db = snapshot.FindDatabase(file.Database);
            var definition = db?.FindTable(file.Table);
            if (definition is null)
            {
                continue;
            }
            var cutoff = db!.RetentionCutoff(file.Table, now);
            if (file.MinTime >= cutoff)
            {
                continue;
            }
            if (file.MaxTime < cutoff)
            {
                dropped.Add(file);
                rowsRemoved += file.RowCount;
                continue;
            }
            if (!force && !MostlyExpired(file.MinTime, file.MaxTime, cutoff))
            {
                continue;
            }
            // A file is sorted and deduplicated already: its live rows stream into the new file (memory holds a row
            // group, not the file). The rows keep what was applied to them: the same row deletes are folded in.
            var columns = StorageTableSource.TableColumnsOf(definition);
            var live = new ParquetChunk(file, new ParquetFiles(store, readCacheBytes: 0)).ReadAsync(new ChunkRead(null, cutoff), cancellationToken)
                .Select(b => KeepFrom(columns.Conform(b), cutoff));
            var entry = await writer.WriteStreamAsync(file.Database, file.Table, file.Day, columns.Schema, live, file.MaxSequence, file.Level, cancellationToken).ConfigureAwait(false);
            entry = entry is null ? null : entry with { TombstonesThrough = file.TombstonesThrough, Node = file.Node };
            rowsRemoved += file.RowCount - (entry?.RowCount ?? 0);
            rewritten.Add((file, entry));
        }
        if (dropped.Count > 0 || rewritten.Count > 0)
        {
            StorageMetrics.Written("retention", rewritten.Select(r => r.New));
            if (rewritten.Count > 0 && options.BeforePublish is { } pause)
            {
                await pause("retention", cancellationToken).ConfigureAwait(false);
            }
            var deleteAfter = now + options.DeletionGrace;
            await catalog.UpdateAsync(e =>
            {
                e.RemoveFiles(dropped.Select(f => f.Id), deleteAfter);
                foreach (var (old, entry) in rewritten)
                {
                    // Only in place of the file it was made from: if that is gone (its table was deleted), so is this one.
                    var present = e.Files.Any(f => f.Id == old.Id);
                    e.RemoveFiles([old.Id], deleteAfter);
                    if (entry is not null)
                    {
                        e.AddFile(entry with { Id = e.NextFileId() });
                        if (!present)
                        {
                            e.RemoveFiles([e.Files[^1].Id], deleteAfter);
                        }
                    }
                }
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        return new RetentionResult(dropped.Count, rewritten.Count, rowsRemoved);
    }

    /// <summary>Drops buffered rows past their table's cutoff; returns how many.</summary>
    private long DropBuffered(CatalogSnapshot snapshot, DateTimeOffset now, bool force)
    {
        long removed = 0;
        buffer.Rewrite(chunk =>
        {
            var cutoff = snapshot.FindDatabase(chunk.Database)?.RetentionCutoff(chunk.Table, now) ?? long.MinValue;
            if (chunk.MinTime >= cutoff)
            {
                return chunk.Batch;
            }
            if (chunk.MaxTime < cutoff)
            {
                removed += chunk.Batch.Length;
                return null;
            }
            if (!force && !MostlyExpired(chunk.MinTime, chunk.MaxTime, cutoff))
            {
                return chunk.Batch;
            }
            var kept = KeepFrom(chunk.Batch, cutoff);
            removed += chunk.Batch.Length - kept.Length;
            return kept;
        });
        return removed;
    }

    /// <summary>Whether at least half of [min, max] lies before the cutoff.</summary>
    private static bool MostlyExpired(long min, long max, long cutoff) => cutoff - min >= max - cutoff;
}
