using System.Runtime.CompilerServices;

namespace Tsdb.ObjectStore;

/// <summary>
/// Counts calls, errors, bytes and time per operation of the store below; read them with <see cref="Snapshot"/>, or as
/// the <c>tsdb_object_store_*</c> metrics of the <c>Tsdb.ObjectStore</c> meter.
/// </summary>
/// <remarks>Placed below a <see cref="RetryingObjectStore"/> it counts every attempt; above it, every logical call.</remarks>
public sealed partial class MetricsObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly TimeProvider _timeProvider;
    private readonly Counters[] _counters;

    public MetricsObjectStore(IObjectStore inner, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _counters = new Counters[Enum.GetValues<ObjectStoreOperation>().Length];
        for (var i = 0; i < _counters.Length; i++)
        {
            _counters[i] = new Counters(ObjectStoreMetrics.TagOf((ObjectStoreOperation)i));
        }
    }

    public ObjectStoreMetricsSnapshot Snapshot() => new(
        Read(ObjectStoreOperation.Put),
        Read(ObjectStoreOperation.PutIfAbsent),
        Read(ObjectStoreOperation.Get),
        Read(ObjectStoreOperation.GetRange),
        Read(ObjectStoreOperation.Head),
        Read(ObjectStoreOperation.List),
        Read(ObjectStoreOperation.Delete),
        Read(ObjectStoreOperation.WritePart),
        Read(ObjectStoreOperation.CompleteWrite),
        Read(ObjectStoreOperation.AbortWrite));

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var counters = Start(ObjectStoreOperation.Put, out var started);
        try
        {
            await _inner.PutAsync(key, data, ct).ConfigureAwait(false);
            counters.Written(data.Length);
        }
        catch (Exception e)
        {
            counters.Fail(e, ct);
            throw;
        }
        finally
        {
            Stop(counters, started);
        }
    }

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var counters = Start(ObjectStoreOperation.PutIfAbsent, out var started);
        try
        {
            var created = await _inner.PutIfAbsentAsync(key, data, ct).ConfigureAwait(false);
            if (created)
            {
                counters.Written(data.Length);
            }
            return created;
        }
        catch (Exception e)
        {
            counters.Fail(e, ct);
            throw;
        }
        finally
        {
            Stop(counters, started);
        }
    }

    public Task<byte[]> GetAsync(string key, CancellationToken ct = default) =>
        ReadAsync(ObjectStoreOperation.Get, token => _inner.GetAsync(key, token), ct);

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default) =>
        ReadAsync(ObjectStoreOperation.GetRange, token => _inner.GetRangeAsync(key, offset, length, token), ct);

    /// <summary>Counted as one range read of all the ranges' bytes.</summary>
    public async Task GetRangesAsync(string key, IReadOnlyList<ObjectRange> ranges, CancellationToken ct = default)
    {
        var counters = Start(ObjectStoreOperation.GetRange, out var started);
        try
        {
            await _inner.GetRangesAsync(key, ranges, ct).ConfigureAwait(false);
            counters.Read(ranges.Sum(r => (long)r.Destination.Length));
        }
        catch (Exception e)
        {
            counters.Fail(e, ct);
            throw;
        }
        finally
        {
            Stop(counters, started);
        }
    }

    public async Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default)
    {
        var counters = Start(ObjectStoreOperation.Head, out var started);
        try
        {
            var meta = await _inner.HeadAsync(key, ct).ConfigureAwait(false);
            if (meta is null)
            {
                Interlocked.Increment(ref counters.NotFound);
            }
            return meta;
        }
        catch (Exception e)
        {
            counters.Fail(e, ct);
            throw;
        }
        finally
        {
            Stop(counters, started);
        }
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var counters = Start(ObjectStoreOperation.List, out var started);
        try
        {
            await using var items = _inner.ListAsync(prefix, ct).GetAsyncEnumerator(ct);
            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    counters.Fail(e, ct);
                    throw;
                }
                if (!more)
                {
                    yield break;
                }
                Interlocked.Increment(ref counters.Objects);
                yield return items.Current;
            }
        }
        finally
        {
            Stop(counters, started); // the time includes the consumer's pauses between items
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        var counters = Start(ObjectStoreOperation.Delete, out var started);
        try
        {
            await _inner.DeleteAsync(key, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            counters.Fail(e, ct);
            throw;
        }
        finally
        {
            Stop(counters, started);
        }
    }

    private async Task<byte[]> ReadAsync(ObjectStoreOperation operation, Func<CancellationToken, Task<byte[]>> call, CancellationToken ct)
    {
        var counters = Start(operation, out var started);
        try
        {
            var bytes = await call(ct).ConfigureAwait(false);
            counters.Read(bytes.Length);
            return bytes;
        }
        catch (Exception e)
        {
            counters.Fail(e, ct);
            throw;
        }
        finally
        {
            Stop(counters, started);
        }
    }

    private Counters Start(ObjectStoreOperation operation, out long started)
    {
        var counters = _counters[(int)operation];
        Interlocked.Increment(ref counters.Calls);
        started = _timeProvider.GetTimestamp();
        return counters;
    }

    private void Stop(Counters counters, long started)
    {
        var elapsed = _timeProvider.GetElapsedTime(started);
        Interlocked.Add(ref counters.DurationTicks, elapsed.Ticks);
        var tag = new KeyValuePair<string, object?>("operation", counters.Operation);
        ObjectStoreMetrics.Operations.Add(1, tag);
        ObjectStoreMetrics.Duration.Record(elapsed.TotalSeconds, tag);
    }

    private OperationMetrics Read(ObjectStoreOperation operation)
    {
        var c = _counters[(int)operation];
        return new OperationMetrics(
            Interlocked.Read(ref c.Calls),
            Interlocked.Read(ref c.Errors),
            Interlocked.Read(ref c.NotFound),
            Interlocked.Read(ref c.BytesWritten),
            Interlocked.Read(ref c.BytesRead),
            Interlocked.Read(ref c.Objects),
            TimeSpan.FromTicks(Interlocked.Read(ref c.DurationTicks)));
    }

    private sealed class Counters(string operation)
    {
        public readonly string Operation = operation;
        public long Calls;
        public long Errors;
        public long NotFound;
        public long BytesWritten;
        public long BytesRead;
        public long Objects;
        public long DurationTicks;

        public void Fail(Exception e, CancellationToken ct)
        {
            if (e is ObjectNotFoundException)
            {
                Interlocked.Increment(ref NotFound);
            }
            else if (!(e is OperationCanceledException && ct.IsCancellationRequested))
            {
                Interlocked.Increment(ref Errors);
                ObjectStoreMetrics.Errors.Add(1, new KeyValuePair<string, object?>("operation", Operation), new KeyValuePair<string, object?>("kind", ObjectStoreMetrics.KindOf(e)));
            }
        }

        public void Written(long bytes)
        {
            Interlocked.Add(ref BytesWritten, bytes);
            ObjectStoreMetrics.Bytes.Add(bytes, new KeyValuePair<string, object?>("direction", "write"));
        }

        public void Read(long bytes)
        {
            Interlocked.Add(ref BytesRead, bytes);
            ObjectStoreMetrics.Bytes.Add(bytes, new KeyValuePair<string, object?>("direction", "read"));
        }
    }
}
