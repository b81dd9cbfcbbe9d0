using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Tsdb.ObjectStore;

/// <summary>A thread-safe store in a dictionary, for tests and for servers that persist nothing.</summary>
/// <remarks>Bytes are copied on the way in and out, so callers may reuse or mutate their buffers.</remarks>
public sealed partial class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _version;

    public InMemoryObjectStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The number of objects held.</summary>
    public int Count => _objects.Count;

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        _objects[key] = NewObject(data);
        return Task.CompletedTask;
    }

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(_objects.TryAdd(key, NewObject(data)));
    }

    public Task<byte[]> GetAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        return _objects.TryGetValue(key, out var stored)
            ? Task.FromResult(stored.Data.AsSpan().ToArray())
            : Task.FromException<byte[]>(new ObjectNotFoundException(key));
    }

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ct.ThrowIfCancellationRequested();
        if (!_objects.TryGetValue(key, out var stored))
        {
            return Task.FromException<byte[]>(new ObjectNotFoundException(key));
        }
        RangeCheck.ThrowIfOutside(key, offset, length, stored.Data.Length);
        return Task.FromResult(stored.Data.AsSpan((int)offset, length).ToArray());
    }

    public Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(_objects.TryGetValue(key, out var stored) ? stored.Meta(key) : null);
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        ct.ThrowIfCancellationRequested();
        await Task.CompletedTask.ConfigureAwait(false); // the snapshot below is synchronous; keep the iterator async
        var matches = new List<KeyValuePair<string, StoredObject>>();
        foreach (var pair in _objects)
        {
            if (pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                matches.Add(pair);
            }
        }
        matches.Sort(static (a, b) => ObjectKey.Compare(a.Key, b.Key));
        foreach (var (key, stored) in matches)
        {
            ct.ThrowIfCancellationRequested();
            yield return stored.Meta(key);
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private StoredObject NewObject(ReadOnlyMemory<byte> data) =>
        new(data.ToArray(), _timeProvider.GetUtcNow(), Interlocked.Increment(ref _version).ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    private sealed record StoredObject(byte[] Data, DateTimeOffset LastModified, string ETag)
    {
        public ObjectMeta Meta(string key) => new(key, Data.Length, LastModified, ETag);
    }
}
