using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query;

/// <summary>
/// A statement's answer as its plan produces it: the output column names, then batches. The executor hands it out
/// once the first batch exists (or the plan ended), so errors of the operators that must see every row first (sort,
/// aggregate, hash build, memory limits) are thrown before any output is sent; later errors surface from the
/// enumeration. Dispose it (or enumerate to the end) to give back the query's slot.
/// </summary>
public sealed class QueryStream : IAsyncDisposable
{
    private readonly IAsyncEnumerator<RecordBatch>? _batches;
    private readonly bool _hasFirst;
    private readonly Action _release;
    private int _released;
    private int _read;

    internal QueryStream(Schema schema, IAsyncEnumerator<RecordBatch>? primed, bool hasFirst, Action release)
    {
        Schema = schema;
        ColumnNames = [.. schema.Fields.Select(f => f.Name)];
        _batches = primed;
        _hasFirst = hasFirst;
        _release = release;
    }

    /// <summary>
    /// The answer's columns as planned: names are exact; a type can differ from the batches' (a tag is a dictionary
    /// in a batch, a NULL column is typed by its first value), so writers that need types take them from the first batch.
    /// </summary>
    public Schema Schema { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The statement's memory pool, for a writer that holds rows of the answer (a Parquet row group).</summary>
    public Execution.QueryMemoryPool? Memory { get; init; }

    public async IAsyncEnumerable<RecordBatch> ReadAllAsync()
    {
        if (Interlocked.Exchange(ref _read, 1) != 0)
        {
            throw new InvalidOperationException("a query stream can be read once");
        }
        try
        {
            if (_batches is null || !_hasFirst)
            {
                yield break;
            }
            yield return _batches.Current;
            while (await _batches.MoveNextAsync().ConfigureAwait(false))
            {
                yield return _batches.Current;
            }
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            try
            {
                if (_batches is not null)
                {
                    await _batches.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _release();
            }
        }
    }
}
