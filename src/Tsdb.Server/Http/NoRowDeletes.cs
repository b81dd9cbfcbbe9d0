using Tsdb.Core.Deletes;
using Tsdb.Query;

namespace Tsdb.Server.Http;

/// <summary>
/// Row deletes on a node of a cluster: not yet. A delete is ordered against writes by the WAL sequence of the one
/// server; a cluster has a WAL per ingest node, so a delete cannot yet say which writes it comes after.
/// </summary>
internal sealed class NoRowDeletes : IRowDeleter
{
    public const string Message = "row deletes are not supported on a cluster yet (a delete is ordered against writes by the single server's WAL); delete whole tables or databases, or use retention";

    public ValueTask DeleteAsync(string database, string table, DeletePredicate predicate, CancellationToken cancellationToken) =>
        throw new QueryException(Message);

    public ValueTask<int> DeleteEverywhereAsync(string database, DeletePredicate predicate, CancellationToken cancellationToken) =>
        throw new QueryException(Message);
}
