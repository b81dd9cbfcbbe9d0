using Tsdb.Arrow.Arrays;

namespace Tsdb.Query;

/// <summary>
/// A statement's answer as it is produced: the output column names, then batches. Row queries over one table
/// (no grouping, sorting or DISTINCT) are streamed batch by batch from the scan, so memory stays flat in the result
/// size; anything else arrives as one materialised batch. Errors found while streaming surface from the enumeration.
/// Dispose it (or enumerate to the end) to give back the query's slot.
/// </summary>
public sealed class QueryStream(IReadOnlyList<string> columnNames, IAsyncEnumerable<RecordBatch> batches, bool streamed, Action release) : IAsyncDisposable
{
    private int _released;

    public IReadOnlyList<string> ColumnNames { get; } = columnNames;

    /// <summary>Whether batches come from the scan as it goes (false: the whole answer was computed first).</summary>
    public bool IsStreamed { get; } = streamed;

    public async IAsyncEnumerable<RecordBatch> ReadAllAsync()
    {
        try
        {
            await foreach (var batch in batches.ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}
