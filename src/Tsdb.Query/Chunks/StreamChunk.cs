using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Chunks;

/// <summary>
/// A chunk over rows a source holds as plain batches (no points to deduplicate, no statistics): its time range is
/// unbounded, it is unsorted and promises no duplicates, so a scan returns its rows as they come.
/// </summary>
public sealed class StreamChunk(Schema schema, Func<ChunkRead, CancellationToken, IAsyncEnumerable<RecordBatch>> reader, long order = 0) : IQueryChunk
{
    public StreamChunk(Schema schema, IReadOnlyList<RecordBatch> batches, long order = 0)
        : this(schema, (_, _) => batches.ToAsyncEnumerable(), order)
    {
    }

    public string Kind => "stream";

    public string PartitionKey => "";

    public long MinTime => long.MinValue;

    public long MaxTime => long.MaxValue;

    public long RowCount => -1;

    public long Order => order;

    public ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) => ValueTask.FromResult(schema);

    public bool IsSorted => false;

    public bool MayHaveDuplicates => false;

    public IReadOnlyDictionary<string, ChunkTagRange>? TagRanges => null;

    public IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, CancellationToken cancellationToken) => reader(read, cancellationToken);
}
