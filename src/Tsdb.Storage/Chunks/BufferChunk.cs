using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;

namespace Tsdb.Storage.Chunks;

/// <summary>
/// Rows of one WAL record for one table and day, still in the write buffer, as a chunk: in arrival order (unsorted),
/// and a record may repeat a point, so a scan always merges it. Its tag ranges are worked out on first use from the
/// batch's dictionaries (once per record), so tag filters skip buffered records of other series too.
/// </summary>
public sealed class BufferChunk(BufferedChunk chunk) : IQueryChunk
{
    public BufferedChunk Buffered => chunk;

    public string Kind => "buffer";

    public string PartitionKey { get; } = ParquetChunk.PartitionKeyOf(chunk.Day);

    public long MinTime => chunk.MinTime;

    public long MaxTime => chunk.MaxTime;

    public long RowCount => chunk.Batch.Length;

    /// <summary>The WAL sequence of the record.</summary>
    public long Order => chunk.Sequence;

    public bool IsSorted => false;

    public bool MayHaveDuplicates => true;

    /// <summary>Worked out once per buffered record (the record outlives the many scans that wrap it).</summary>
    public IReadOnlyDictionary<string, ChunkTagRange> TagRanges => chunk.TagRanges;

    IReadOnlyDictionary<string, ChunkTagRange>? IQueryChunk.TagRanges => TagRanges;

    /// <summary>Worked out on first use for each column, once per buffered record.</summary>
    public ValueTask<TagTimes?> GetTagTimesAsync(string column, CancellationToken cancellationToken) => ValueTask.FromResult(chunk.TagTimes(column));

    public ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) => ValueTask.FromResult(chunk.Batch.Schema);

    public async IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        await Task.CompletedTask.ConfigureAwait(false);
        var batch = chunk.Batch;
        if (read.Columns is { } columns)
        {
            var indices = columns.Select(c => batch.Schema.GetFieldIndex(c)).Where(i => i >= 0).ToList();
            if (indices.Count != batch.ColumnCount)
            {
                batch = new RecordBatch(new Schema([.. indices.Select(i => batch.Schema[i])]), [.. indices.Select(batch.Column)], batch.Length);
            }
        }
        yield return batch;
    }
}
