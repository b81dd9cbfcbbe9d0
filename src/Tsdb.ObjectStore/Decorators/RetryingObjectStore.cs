using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Tsdb.ObjectStore;

/// <summary>
/// Retries transient failures (and timeouts) of the store below with exponential backoff and jitter. Never retries
/// <see cref="ObjectNotFoundException"/>, argument errors, permanent failures or the caller's cancellation.
/// </summary>
/// <remarks>
/// A failed write may still have taken effect (the response was lost). For put that is harmless — it is
/// rewritten. For put-if-absent the retry would find "its own" object and answer false; so after a failed
/// attempt, a false is checked by reading the object: if it holds exactly the bytes being written, the answer is
/// true. (A different writer that wrote the identical bytes is then indistinguishable — and equivalent.)
/// Listings resume after the last key already returned.
/// </remarks>
public sealed partial class RetryingObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly RetryPolicy _policy;
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private long _retries;

    public RetryingObjectStore(IObjectStore inner, RetryPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _policy = policy ?? RetryPolicy.Default;
        _policy.Check();
        _random = _policy.JitterSeed is { } seed ? new Random(seed) : Random.Shared;
    }

    /// <summary>Retries made so far (attempts after the first), over all operations.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Put, key, async token =>
        {
            await _inner.PutAsync(key, data, token).ConfigureAwait(false);
            return true;
        }, ct);

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var started = _policy.TimeProvider.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await _inner.PutIfAbsentAsync(key, data, ct).ConfigureAwait(false))
                {
                    return true;
                }
                if (attempt == 1)
                {
                    return false; // nothing of ours can be there: this was the first try
                }
                return await HoldsAsync(key, data, ct).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                // The object that refused us was deleted before we could read it: the key is free again.
                if (_policy.GivesUp(attempt, started))
                {
                    return false; // it existed, and was not provably ours, when we last tried
                }
            }
            catch (Exception e) when (Transience.IsTransient(e, ct))
            {
                if (_policy.GivesUp(attempt, started))
                {
                    Rethrow(e, ObjectStoreOperation.PutIfAbsent, key, attempt);
                }
                await BackoffAsync(attempt, ct).ConfigureAwait(false);
            }
        }
    }

    public Task<byte[]> GetAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Get, key, token => _inner.GetAsync(key, token), ct);

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.GetRange, key, token => _inner.GetRangeAsync(key, offset, length, token), ct);

    public Task GetRangesAsync(string key, IReadOnlyList<ObjectRange> ranges, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.GetRange, key, async token =>
        {
            await _inner.GetRangesAsync(key, ranges, token).ConfigureAwait(false);
            return true;
        }, ct);

    public Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Head, key, token => _inner.HeadAsync(key, token), ct);

    public Task DeleteAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Delete, key, async token =>
        {
            await _inner.DeleteAsync(key, token).ConfigureAwait(false);
            return true;
        }, ct);

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? lastKey = null;
        var attempt = 1;
        var started = _policy.TimeProvider.GetTimestamp();
        while (true)
        {
            Exception? failure = null;
            await using (var items = _inner.ListAsync(prefix, ct).GetAsyncEnumerator(ct))
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await items.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (Transience.IsTransient(e, ct))
                    {
                        failure = e;
                        break;
                    }
                    if (!more)
                    {
                        yield break;
                    }
                    var item = items.Current;
                    if (lastKey is not null && ObjectKey.Compare(item.Key, lastKey) <= 0)
                    {
                        continue; // returned before the failure
                    }
                    lastKey = item.Key;
                    attempt = 1; // progress: a long listing may survive any number of spread-out failures
                    started = _policy.TimeProvider.GetTimestamp();
                    yield return item;
                }
            }
            if (_policy.GivesUp(attempt, started))
            {
                Rethrow(failure!, ObjectStoreOperation.List, prefix, attempt);
            }
            await BackoffAsync(attempt, ct).ConfigureAwait(false);
            attempt++;
        }
    }

    private async Task<T> RunAsync<T>(ObjectStoreOperation operation, string key, Func<CancellationToken, Task<T>> action, CancellationToken ct)
    {
        var started = _policy.TimeProvider.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (Transience.IsTransient(e, ct))
            {
                if (_policy.GivesUp(attempt, started))
                {
                    Rethrow(e, operation, key, attempt);
                }
            }
            await BackoffAsync(attempt, ct).ConfigureAwait(false);
        }
    }

    private async Task<bool> HoldsAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var existing = await _inner.GetAsync(key, ct).ConfigureAwait(false);
        return existing.AsSpan().SequenceEqual(data.Span);
    }

    private Task BackoffAsync(int failedAttempt, CancellationToken ct)
    {
        Interlocked.Increment(ref _retries);
        double unit;
        lock (_randomGate)
        {
            unit = _random.NextDouble();
        }
        var delay = _policy.BackoffFor(failedAttempt, unit);
        return _policy.Delay is { } delayHook ? delayHook(delay, ct) : Task.Delay(delay, _policy.TimeProvider, ct);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Rethrow(Exception e, ObjectStoreOperation operation, string key, int attempts)
    {
        var final = Transience.Exhausted(e, operation, key, attempts);
        if (ReferenceEquals(final, e))
        {
            ExceptionDispatchInfo.Throw(e);
        }
        throw final;
    }
}
