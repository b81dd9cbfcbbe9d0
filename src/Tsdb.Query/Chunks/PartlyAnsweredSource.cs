using Tsdb.Arrow.Types;

namespace Tsdb.Query.Chunks;

/// <summary>
/// A table source whose chunk lists leave out the chunks a reader answered for without their rows (from their
/// statistics): <c>answered</c> sees each chunk of each list and takes it by returning true.
/// </summary>
internal sealed class PartlyAnsweredSource(ITableSource inner, Func<IQueryChunk, CancellationToken, ValueTask<bool>> answered) : ITableSource
{
    public Schema? GetSchema(string database, string table) => inner.GetSchema(database, table);

    public async ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var table = await inner.GetChunksAsync(request, cancellationToken).ConfigureAwait(false);
        var left = new List<IQueryChunk>(table.Chunks.Count);
        foreach (var chunk in table.Chunks)
        {
            if (!await answered(chunk, cancellationToken).ConfigureAwait(false))
            {
                left.Add(chunk);
            }
        }
        return left.Count == table.Chunks.Count ? table : table with { Chunks = left };
    }

    public IReadOnlyList<string> Tables(string database) => inner.Tables(database);
}
