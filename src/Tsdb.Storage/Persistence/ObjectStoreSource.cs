using Tsdb.ObjectStore;
using Tsdb.Parquet.Reading;

namespace Tsdb.Storage.Persistence;

/// <summary>A Parquet file in the object store, read by ranges straight into the reader's buffers.</summary>
internal sealed class ObjectStoreSource(IObjectStore store, string key, long length) : IRandomAccessSource
{
    public long Length => length;

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        await store.GetRangesAsync(key, [new ObjectRange(offset, destination)], cancellationToken).ConfigureAwait(false);

    public async ValueTask ReadAsync(IReadOnlyList<SourceRange> ranges, CancellationToken cancellationToken = default) =>
        await store.GetRangesAsync(key, [.. ranges.Select(r => new ObjectRange(r.Offset, r.Destination))], cancellationToken).ConfigureAwait(false);
}
