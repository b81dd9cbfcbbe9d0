using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Deletes;
using Tsdb.Query.Chunks;

namespace Tsdb.Storage.Deletes;

/// <summary>
/// A chunk with the row deletes that reach it applied: reads also fetch the columns the deletes test, drop the
/// deleted rows, then hand over only the asked columns. Everything else is the inner chunk's.
/// </summary>
public sealed class TombstonedChunk(IQueryChunk inner, IReadOnlyList<DeletePredicate> deletes) : IQueryChunk
{
    public IQueryChunk Inner => inner;

    public string Kind => inner.Kind;

    public string PartitionKey => inner.PartitionKey;

    public long MinTime => inner.MinTime;

    public long MaxTime => inner.MaxTime;

    /// <summary>Unknown: some rows are deleted.</summary>
    public long RowCount => -1;

    public long Order => inner.Order;

    public bool IsSorted => inner.IsSorted;

    public bool MayHaveDuplicates => inner.MayHaveDuplicates;

    public IReadOnlyDictionary<string, ChunkTagRange>? TagRanges => inner.TagRanges;

    /// <summary>
    /// Deletes of everything up to a time (retention's cutoff, or a delete with only an upper time bound) leave the
    /// inner chunk's statistic true for the newer rows (<see cref="TagTimes.After"/>); any other delete may remove a
    /// value's newest row and keep older ones, so nothing is known.
    /// </summary>
    public async ValueTask<TagTimes?> GetTagTimesAsync(string column, CancellationToken cancellationToken)
    {
        long before = long.MinValue;
        foreach (var delete in deletes)
        {
            if (delete is not { FromTime: null, ToTime: { } to, Terms.Count: 0 })
            {
                return null;
            }
            before = Math.Max(before, to);
        }
        var times = await inner.GetTagTimesAsync(column, cancellationToken).ConfigureAwait(false);
        return times?.After(before);
    }

    public ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) => inner.GetSchemaAsync(cancellationToken);

    public async IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var needed = read.Columns is null ? null : read.Columns.Union(deletes.SelectMany(d => d.Columns).Append(Catalog.TableDefinition.TimeColumn), StringComparer.Ordinal).ToList();
        await foreach (var batch in inner.ReadAsync(read with { Columns = needed }, cancellationToken).ConfigureAwait(false))
        {
            var kept = TombstoneFilter.Apply(batch, deletes);
            if (kept.Length > 0)
            {
                yield return read.Columns is null || needed!.Count == read.Columns.Count ? kept : Project(kept, read.Columns);
            }
        }
    }

    private static RecordBatch Project(RecordBatch batch, IReadOnlyList<string> columns)
    {
        var indices = columns.Select(batch.Schema.GetFieldIndex).Where(i => i >= 0).ToList();
        return new RecordBatch(new Schema([.. indices.Select(i => batch.Schema[i])]), [.. indices.Select(batch.Column)], batch.Length);
    }

    /// <summary>
    /// The chunk as queries, persist and compaction must see it: unchanged when no delete reaches it, null when one
    /// removes all of it (a delete of its whole time range with no other condition), else with the deletes applied.
    /// </summary>
    public static IQueryChunk? Apply(IQueryChunk chunk, IEnumerable<Catalog.Tombstone> tombstones)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(tombstones);
        var reaching = tombstones.Where(t => t.Reaches(chunk.Order, chunk.MinTime, chunk.MaxTime)).Select(t => t.Predicate).ToList();
        if (reaching.Count == 0)
        {
            return chunk;
        }
        return reaching.Any(p => p.Covers(chunk.MinTime, chunk.MaxTime)) ? null : new TombstonedChunk(chunk, reaching);
    }
}
