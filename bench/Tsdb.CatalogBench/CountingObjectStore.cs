using System.Runtime.CompilerServices;
using Tsdb.ObjectStore;

/// <summary>Counts the bytes written through it (records, checkpoints, whole catalogs).</summary>
internal sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    private long _written;
    private long _records;

    public long BytesWritten => Interlocked.Read(ref _written);

    /// <summary>The bytes of the log's records alone (<c>catalog/log/</c>), without checkpoints.</summary>
    public long RecordBytesWritten => Interlocked.Read(ref _records);

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        Interlocked.Add(ref _written, data.Length);
        return inner.PutAsync(key, data, ct);
    }

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        Interlocked.Add(ref _written, data.Length);
        if (key.StartsWith(Tsdb.Catalog.ObjectStoreCatalogStore.LogPrefix, StringComparison.Ordinal))
        {
            Interlocked.Add(ref _records, data.Length);
        }
        return inner.PutIfAbsentAsync(key, data, ct);
    }

    /// <summary>Streamed writes are not counted (the catalog does not use them).</summary>
    public Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default) => inner.OpenWriteAsync(key, ct);

    public Task<byte[]> GetAsync(string key, CancellationToken ct = default) => inner.GetAsync(key, ct);

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default) => inner.GetRangeAsync(key, offset, length, ct);

    public Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default) => inner.HeadAsync(key, ct);

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var meta in inner.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            yield return meta;
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct = default) => inner.DeleteAsync(key, ct);
}
