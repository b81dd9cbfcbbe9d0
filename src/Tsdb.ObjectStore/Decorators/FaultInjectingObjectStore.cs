using System.Runtime.CompilerServices;

namespace Tsdb.ObjectStore;

/// <summary>
/// Makes the store below fail on purpose, for tests: the next N calls of an operation (<see cref="FailNext"/>)
/// and/or a seeded random fraction of calls (<see cref="FailRandomly"/>). Queued faults come first.
/// </summary>
public sealed partial class FaultInjectingObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly Queue<InjectedFault>[] _queued;
    private double _probability;
    private InjectedFault _randomFault;
    private HashSet<ObjectStoreOperation>? _randomOperations;
    private int _injected;

    public FaultInjectingObjectStore(IObjectStore inner, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _random = new Random(seed);
        _queued = new Queue<InjectedFault>[Enum.GetValues<ObjectStoreOperation>().Length];
        for (var i = 0; i < _queued.Length; i++)
        {
            _queued[i] = new Queue<InjectedFault>();
        }
    }

    /// <summary>Faults injected so far.</summary>
    public int InjectedCount => Volatile.Read(ref _injected);

    /// <summary>Makes the next <paramref name="count"/> calls of <paramref name="operation"/> fail with <paramref name="fault"/>.</summary>
    public void FailNext(ObjectStoreOperation operation, int count, InjectedFault fault = InjectedFault.Transient)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _queued[(int)operation].Enqueue(fault);
            }
        }
    }

    /// <summary>
    /// Makes each call fail with probability <paramref name="probability"/> (drawn from the seeded generator), for
    /// the given operations or, if none are given, all of them. A probability of 0 turns it off.
    /// </summary>
    public void FailRandomly(double probability, InjectedFault fault = InjectedFault.Transient, params ObjectStoreOperation[] operations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1.0);
        ArgumentNullException.ThrowIfNull(operations);
        lock (_gate)
        {
            _probability = probability;
            _randomFault = fault;
            _randomOperations = operations.Length == 0 ? null : [.. operations];
        }
    }

    /// <summary>Drops queued faults and turns random faults off.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            foreach (var queue in _queued)
            {
                queue.Clear();
            }
            _probability = 0;
        }
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Put, key, async () =>
        {
            await _inner.PutAsync(key, data, ct).ConfigureAwait(false);
            return true;
        });

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.PutIfAbsent, key, () => _inner.PutIfAbsentAsync(key, data, ct));

    public Task<byte[]> GetAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Get, key, () => _inner.GetAsync(key, ct));

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.GetRange, key, () => _inner.GetRangeAsync(key, offset, length, ct));

    public Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Head, key, () => _inner.HeadAsync(key, ct));

    public Task DeleteAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.Delete, key, async () =>
        {
            await _inner.DeleteAsync(key, ct).ConfigureAwait(false);
            return true;
        });

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var fault = NextFault(ObjectStoreOperation.List);
        if (fault is { } before && before != InjectedFault.TransientAfterEffect)
        {
            throw Create(before, ObjectStoreOperation.List, prefix);
        }
        var returned = 0;
        await foreach (var item in _inner.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            yield return item;
            if (++returned == 1 && fault is not null)
            {
                throw Create(InjectedFault.Transient, ObjectStoreOperation.List, prefix);
            }
        }
        if (fault is not null)
        {
            throw Create(InjectedFault.Transient, ObjectStoreOperation.List, prefix); // the listing was empty
        }
    }

    private async Task<T> RunAsync<T>(ObjectStoreOperation operation, string key, Func<Task<T>> call)
    {
        switch (NextFault(operation))
        {
            case null:
                return await call().ConfigureAwait(false);
            case InjectedFault.TransientAfterEffect:
                await call().ConfigureAwait(false);
                throw Create(InjectedFault.Transient, operation, key);
            case { } fault:
                throw Create(fault, operation, key);
        }
    }

    private InjectedFault? NextFault(ObjectStoreOperation operation)
    {
        lock (_gate)
        {
            InjectedFault? fault = null;
            if (_queued[(int)operation].TryDequeue(out var queued))
            {
                fault = queued;
            }
            else if (_probability > 0
                     && (_randomOperations is null || _randomOperations.Contains(operation))
                     && _random.NextDouble() < _probability)
            {
                fault = _randomFault;
            }
            if (fault is not null)
            {
                _injected++;
            }
            return fault;
        }
    }

    private static Exception Create(InjectedFault fault, ObjectStoreOperation operation, string key) => fault switch
    {
        InjectedFault.Permanent => new ObjectStoreException($"injected permanent failure of {operation} '{key}'", isTransient: false),
        InjectedFault.Timeout => new TaskCanceledException($"injected timeout of {operation} '{key}'", new TimeoutException()),
        _ => new ObjectStoreException($"injected transient failure of {operation} '{key}'", isTransient: true),
    };
}
