using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query;

/// <summary>
/// A statement's answer as it is produced: the output column names, then batches. Row queries over one table
/// (no grouping, sorting or DISTINCT) are streamed batch by batch from the scan, so memory stays flat in the result
/// size; anything else arrives as one materialised batch. Errors found while streaming surface from the enumeration.
/// Dispose it (or enumerate to the end) to give back the query's slot.
/// </summary>
public sealed class QueryStream(Schema schema, IAsyncEnumerable<RecordBatch> batches, bool streamed, Action release) : IAsyncDisposable
{
    private int _released;

    /// <summary>
    /// The answer's columns as computed on no rows: names are exact; a type can differ from the batches' (a tag is
    /// plain utf8 here and may be a dictionary in a batch), so writers that need types take them from the first batch.
    /// </summary>
    public Schema Schema { get; } = schema;

    public IReadOnlyList<string> ColumnNames { get; } = [.. schema.Fields.Select(f => f.Name)];

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
