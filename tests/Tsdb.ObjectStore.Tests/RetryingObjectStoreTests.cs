using System.Text;

namespace Tsdb.ObjectStore.Tests;

/// <summary>The retry decorator over the in-memory store, with faults injected in between.</summary>
public sealed class RetryingObjectStoreTests
{
    private readonly InMemoryObjectStore _memory = new();
    private readonly FaultInjectingObjectStore _faults;
    private readonly List<TimeSpan> _delays = [];
    private readonly RetryingObjectStore _store;

    public RetryingObjectStoreTests()
    {
        _faults = new FaultInjectingObjectStore(_memory, seed: 7);
        _store = new RetryingObjectStore(_faults, Policy(maxAttempts: 5));
    }

    private RetryPolicy Policy(int maxAttempts) => new()
    {
        MaxAttempts = maxAttempts,
        BaseDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromMilliseconds(1000),
        JitterSeed = 3,
        Delay = (delay, _) =>
        {
            lock (_delays)
            {
                _delays.Add(delay);
            }
            return Task.CompletedTask;
        },
    };

    [Fact]
    public async Task Transient_failures_are_retried_with_growing_jittered_backoff()
    {
        await _memory.PutAsync("k", Bytes("v"));
        _faults.FailNext(ObjectStoreOperation.Get, 4);

        Assert.Equal(Bytes("v"), await _store.GetAsync("k"));

        Assert.Equal(4, _faults.InjectedCount);
        Assert.Equal(4, _store.Retries);
        Assert.Equal(4, _delays.Count);
        double[] ceilings = [100, 200, 400, 800];
        for (var i = 0; i < ceilings.Length; i++)
        {
            Assert.InRange(_delays[i].TotalMilliseconds, ceilings[i] / 2, ceilings[i]);
        }
    }

    [Fact]
    public void Backoff_is_capped_at_the_maximum_delay()
    {
        var policy = Policy(maxAttempts: 50);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), policy.BackoffFor(30, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.BackoffFor(30, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(50), policy.BackoffFor(1, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), policy.BackoffFor(int.MaxValue, 1.0));
    }

    [Fact]
    public async Task Every_operation_is_retried()
    {
        await _memory.PutAsync("k", Bytes("value"));
        foreach (var operation in Enum.GetValues<ObjectStoreOperation>())
        {
            _faults.FailNext(operation, 2);
        }
        await _store.PutAsync("k2", Bytes("v2"));
        Assert.True(await _store.PutIfAbsentAsync("k3", Bytes("v3")));
        Assert.Equal(Bytes("value"), await _store.GetAsync("k"));
        Assert.Equal(Bytes("alu"), await _store.GetRangeAsync("k", 1, 3));
        Assert.Equal(5, (await _store.HeadAsync("k"))!.Size);
        Assert.Equal(["k", "k2", "k3"], await ListKeys(_store, ""));
        await _store.DeleteAsync("k2");
        Assert.Null(await _memory.HeadAsync("k2"));
        Assert.Equal(14, _faults.InjectedCount);
    }

    [Fact]
    public async Task Gives_up_after_the_maximum_attempts_with_the_last_failure()
    {
        _faults.FailNext(ObjectStoreOperation.Put, 10);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => _store.PutAsync("k", Bytes("v")));
        Assert.True(e.IsTransient);
        Assert.Equal(5, _faults.InjectedCount);
        Assert.Equal(4, _delays.Count);
        Assert.Null(await _memory.HeadAsync("k"));
    }

    [Fact]
    public async Task Gives_up_once_the_retry_time_is_spent_though_attempts_remain()
    {
        // The clock moves only by the backoffs slept, so the test sees exactly when the budget runs out.
        var clock = new SteppingClock();
        var store = new RetryingObjectStore(_faults, Policy(maxAttempts: 1000) with
        {
            MaxElapsed = TimeSpan.FromSeconds(3),
            TimeProvider = clock,
            Delay = (delay, _) =>
            {
                _delays.Add(delay);
                clock.Advance(delay);
                return Task.CompletedTask;
            },
        });
        _faults.FailNext(ObjectStoreOperation.Put, 1000);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("k", Bytes("v")));
        Assert.True(e.IsTransient);
        Assert.Equal(_delays.Count + 1, _faults.InjectedCount);
        Assert.InRange(_faults.InjectedCount, 3, 999);
        var slept = _delays.Aggregate(TimeSpan.Zero, (a, d) => a + d);
        Assert.True(slept >= TimeSpan.FromSeconds(3), $"gave up after {slept}");
        Assert.True(slept - _delays[^1] < TimeSpan.FromSeconds(3), $"went on retrying after {slept - _delays[^1]}");
    }

    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public async Task Permanent_failures_are_not_retried()
    {
        _faults.FailNext(ObjectStoreOperation.Put, 1, InjectedFault.Permanent);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => _store.PutAsync("k", Bytes("v")));
        Assert.False(e.IsTransient);
        Assert.Empty(_delays);
        await _store.PutAsync("k", Bytes("v")); // the fault was used up by the one attempt
    }

    [Fact]
    public async Task Not_found_and_argument_errors_are_not_retried()
    {
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.GetAsync("missing"));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync("../x"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.GetRangeAsync("missing", -1, 1));
        Assert.Empty(_delays);
        Assert.Equal(0, _store.Retries);
    }

    [Fact]
    public async Task Timeouts_are_transient_and_retried()
    {
        await _memory.PutAsync("k", Bytes("v"));
        _faults.FailNext(ObjectStoreOperation.Head, 2, InjectedFault.Timeout);
        Assert.NotNull(await _store.HeadAsync("k"));
        Assert.Equal(2, _delays.Count);
    }

    [Fact]
    public async Task Timeouts_that_never_end_become_a_transient_ObjectStoreException()
    {
        _faults.FailNext(ObjectStoreOperation.Get, 5, InjectedFault.Timeout);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => _store.GetAsync("k"));
        Assert.True(e.IsTransient);
        Assert.IsType<TaskCanceledException>(e.InnerException);
        Assert.Contains("Get of 'k' timed out (5 attempts)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.PutAsync("k", Bytes("v"), cts.Token));
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task Cancellation_during_backoff_stops_retrying()
    {
        using var cts = new CancellationTokenSource();
        var store = new RetryingObjectStore(_faults, new RetryPolicy { BaseDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(1) });
        _faults.FailNext(ObjectStoreOperation.Get, 1);
        var get = store.GetAsync("k", cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
    }

    [Fact]
    public async Task PutIfAbsent_whose_first_attempt_took_effect_but_failed_reports_true()
    {
        // The write lands, the answer is lost; the retry sees the key taken — by our own bytes.
        _faults.FailNext(ObjectStoreOperation.PutIfAbsent, 1, InjectedFault.TransientAfterEffect);
        Assert.True(await _store.PutIfAbsentAsync("catalog/1", Bytes("mine")));
        Assert.Equal(Bytes("mine"), await _memory.GetAsync("catalog/1"));
        Assert.Equal(1, _store.Retries);
    }

    [Fact]
    public async Task PutIfAbsent_that_failed_ambiguously_while_another_writer_won_reports_false()
    {
        await _memory.PutAsync("catalog/1", Bytes("theirs"));
        _faults.FailNext(ObjectStoreOperation.PutIfAbsent, 1, InjectedFault.TransientAfterEffect);
        Assert.False(await _store.PutIfAbsentAsync("catalog/1", Bytes("mine")));
        Assert.Equal(Bytes("theirs"), await _memory.GetAsync("catalog/1"));
    }

    [Fact]
    public async Task PutIfAbsent_that_failed_before_writing_while_another_writer_won_reports_false()
    {
        await _memory.PutAsync("catalog/1", Bytes("theirs"));
        _faults.FailNext(ObjectStoreOperation.PutIfAbsent, 2, InjectedFault.Timeout);
        Assert.False(await _store.PutIfAbsentAsync("catalog/1", Bytes("mine")));
    }

    [Fact]
    public async Task PutIfAbsent_without_failures_reports_false_without_reading_the_object()
    {
        await _memory.PutAsync("catalog/1", Bytes("mine"));
        var metrics = new MetricsObjectStore(_memory);
        var store = new RetryingObjectStore(metrics, Policy(5));
        Assert.False(await store.PutIfAbsentAsync("catalog/1", Bytes("mine"))); // no earlier attempt: not ours
        Assert.Equal(0, metrics.Snapshot().Get.Calls);
    }

    [Fact]
    public async Task PutIfAbsent_checks_its_own_write_even_when_the_check_fails_transiently()
    {
        _faults.FailNext(ObjectStoreOperation.PutIfAbsent, 1, InjectedFault.TransientAfterEffect);
        _faults.FailNext(ObjectStoreOperation.Get, 1);
        Assert.True(await _store.PutIfAbsentAsync("catalog/1", Bytes("mine")));
    }

    [Fact]
    public async Task A_listing_that_fails_midway_resumes_after_the_last_key_without_duplicates()
    {
        var keys = Enumerable.Range(0, 10).Select(i => $"l/{i:D2}").ToArray();
        foreach (var key in keys)
        {
            await _memory.PutAsync(key, Bytes(key));
        }
        _faults.FailNext(ObjectStoreOperation.List, 1, InjectedFault.TransientAfterEffect);
        _faults.FailNext(ObjectStoreOperation.List, 1, InjectedFault.Transient);
        Assert.Equal(keys, await ListKeys(_store, "l/"));
        Assert.Equal(2, _delays.Count);
    }

    [Fact]
    public async Task A_seeded_storm_of_random_faults_is_ridden_out()
    {
        var store = new RetryingObjectStore(_faults, Policy(maxAttempts: 12));
        _faults.FailRandomly(0.3, InjectedFault.TransientAfterEffect);
        for (var i = 0; i < 50; i++)
        {
            var key = $"storm/{i:D3}";
            await store.PutAsync(key, Bytes(key));
            Assert.True(await store.PutIfAbsentAsync(key + ".once", Bytes(key)));
            Assert.False(await store.PutIfAbsentAsync(key + ".once", Bytes("someone else")));
            Assert.Equal(Bytes(key), await store.GetAsync(key));
        }
        Assert.Equal(100, (await ListKeys(store, "storm/")).Length);
        Assert.True(_faults.InjectedCount > 50, $"only {_faults.InjectedCount} faults injected");
    }

    internal static async Task<string[]> ListKeys(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var meta in store.ListAsync(prefix))
        {
            keys.Add(meta.Key);
        }
        return [.. keys];
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
