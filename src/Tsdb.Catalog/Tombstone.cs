using Tsdb.Core.Deletes;

namespace Tsdb.Catalog;

/// <summary>
/// A row delete: the rows of <see cref="Table"/> matching <see cref="Predicate"/> that were written up to WAL
/// <see cref="Sequence"/> are gone (rows written later are not, even when they match). Applied at query time to every
/// chunk it can reach, folded into files by persist and compaction; dropped once no file or buffered record it reaches
/// is left.
/// </summary>
public sealed record Tombstone(long Id, string Database, string Table, long Sequence, DeletePredicate Predicate, DateTimeOffset CreatedAt)
{
    /// <summary>Whether the delete reaches rows of a chunk that holds writes up to <paramref name="order"/> within [min, max].</summary>
    public bool Reaches(long order, long min, long max) => order <= Sequence && Predicate.Overlaps(min, max);

    /// <summary>Whether the delete reaches rows of a file: written before the delete, overlapping it, and not applied when written.</summary>
    public bool Reaches(ParquetFileEntry file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Database == Database && file.Table == Table && Id > file.TombstonesThrough && Reaches(file.MaxSequence, file.MinTime, file.MaxTime);
    }

    /// <summary>
    /// Whether the delete still reaches anything: a file it has not been applied to, or buffered rows written before it
    /// (all of those are persisted once the persisted sequence passes the delete's).
    /// </summary>
    public bool ReachesAny(CatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.PersistedSequence < Sequence || snapshot.FilesOf(Database, Table).Any(Reaches);
    }
}
