using Tsdb.Core.Deletes;

namespace Tsdb.Query;

/// <summary>
/// Removes rows by predicate (storage implements it with durable tombstones); what SQL's DELETE and InfluxDB 2's
/// <c>/api/v2/delete</c> run on.
/// </summary>
public interface IRowDeleter
{
    /// <summary>
    /// Deletes the rows of the table written so far that match; returns once the delete is durable. Throws
    /// <see cref="QueryException"/> when the database, table or a column does not exist or a literal's type does not fit.
    /// </summary>
    ValueTask DeleteAsync(string database, string table, DeletePredicate predicate, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes in every table of the database that has the columns the predicate names (InfluxDB 2's delete without a
    /// measurement); returns how many tables it reached. Throws <see cref="QueryException"/> as <see cref="DeleteAsync"/>.
    /// </summary>
    ValueTask<int> DeleteEverywhereAsync(string database, DeletePredicate predicate, CancellationToken cancellationToken);
}
