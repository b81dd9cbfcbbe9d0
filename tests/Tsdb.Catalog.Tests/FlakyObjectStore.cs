using System.Runtime.CompilerServices;
using Tsdb.ObjectStore;

namespace Tsdb.Catalog.Tests;

/// <summary>The in-memory store, except that puts of keys under <see cref="FailingPrefix"/> fail while it is set.</summary>
internal sealed class FlakyObjectStore(IObjectStore inner) : IObjectStore
{
    public string? FailingPrefix { get; set; }

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        Fails(key) ? throw new ObjectStoreException($"injected failure of {key}", isTransient: true) : inner.PutAsync(key, data, ct);

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        Fails(key) ? throw new ObjectStoreException($"injected failure of {key}", isTransient: true) : inner.PutIfAbsentAsync(key, data, ct);

    public Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default) =>
        Fails(key) ? throw new ObjectStoreException($"injected failure of {key}", isTransient: true) : inner.OpenWriteAsync(key, ct);

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

    private bool Fails(string key) => FailingPrefix is { } prefix && key.StartsWith(prefix, StringComparison.Ordinal);
}
