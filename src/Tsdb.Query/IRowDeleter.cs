using Tsdb.Core.Deletes;

namespace Tsdb.Query;

/// <summary>Removes rows by predicate (storage implements it with durable tombstones); what SQL's DELETE runs on.</summary>
public interface IRowDeleter
{
    /// <summary>
    /// Deletes the rows of the table written so far that match; returns once the delete is durable. Throws
    /// <see cref="QueryException"/> when the database, table or a column does not exist or a literal's type does not fit.
    /// </summary>
    ValueTask DeleteAsync(string database, string table, DeletePredicate predicate, CancellationToken cancellationToken);
}
