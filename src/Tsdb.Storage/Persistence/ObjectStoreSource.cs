using Tsdb.ObjectStore;
using Tsdb.Parquet.Reading;

namespace Tsdb.Storage.Persistence;

/// <summary>A Parquet file in the object store, read by ranges.</summary>
internal sealed class ObjectStoreSource(IObjectStore store, string key, long length) : IRandomAccessSource
{
    public long Length => length;

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var bytes = await store.GetRangeAsync(key, offset, destination.Length, cancellationToken).ConfigureAwait(false);
        if (bytes.Length != destination.Length)
        {
            throw new Tsdb.Parquet.ParquetFormatException($"{key}: asked for {destination.Length} bytes at {offset}, got {bytes.Length}");
        }
        bytes.CopyTo(destination);
    }
}
