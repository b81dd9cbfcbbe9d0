namespace Tsdb.ObjectStore.Tests;

public sealed class FaultInjectingObjectStoreTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Fact]
    public async Task FailNext_fails_only_that_operation_that_many_times()
    {
        var store = new FaultInjectingObjectStore(_memory);
        store.FailNext(ObjectStoreOperation.Put, 2);
        await store.HeadAsync("k");
        Assert.True((await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("k", new byte[1]))).IsTransient);
        await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("k", new byte[1]));
        Assert.Null(await _memory.HeadAsync("k")); // a plain fault happens before the store is called
        await store.PutAsync("k", new byte[1]);
        Assert.Equal(2, store.InjectedCount);
    }

    [Fact]
    public async Task Faults_come_in_the_kinds_asked_for()
    {
        var store = new FaultInjectingObjectStore(_memory);
        store.FailNext(ObjectStoreOperation.Get, 1, InjectedFault.Permanent);
        store.FailNext(ObjectStoreOperation.Get, 1, InjectedFault.Timeout);
        Assert.False((await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("k"))).IsTransient);
        var timeout = await Assert.ThrowsAsync<TaskCanceledException>(() => store.GetAsync("k"));
        Assert.IsType<TimeoutException>(timeout.InnerException);
    }

    [Fact]
    public async Task An_after_effect_fault_lets_the_write_happen()
    {
        var store = new FaultInjectingObjectStore(_memory);
        store.FailNext(ObjectStoreOperation.PutIfAbsent, 1, InjectedFault.TransientAfterEffect);
        await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutIfAbsentAsync("k", "x"u8.ToArray()));
        Assert.Equal("x"u8.ToArray(), await _memory.GetAsync("k"));
    }

    [Fact]
    public async Task An_after_effect_fault_on_a_listing_fails_after_the_first_object()
    {
        await _memory.PutAsync("a", new byte[1]);
        await _memory.PutAsync("b", new byte[1]);
        var store = new FaultInjectingObjectStore(_memory);
        store.FailNext(ObjectStoreOperation.List, 1, InjectedFault.TransientAfterEffect);
        var seen = new List<string>();
        await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await foreach (var meta in store.ListAsync(""))
            {
                seen.Add(meta.Key);
            }
        });
        Assert.Equal(["a"], seen);
    }

    [Fact]
    public async Task Random_faults_are_reproducible_from_the_seed_and_can_be_limited_to_operations()
    {
        async Task<string> Pattern(int seed)
        {
            var store = new FaultInjectingObjectStore(_memory, seed);
            store.FailRandomly(0.5, InjectedFault.Transient, ObjectStoreOperation.Head);
            var outcome = new System.Text.StringBuilder();
            for (var i = 0; i < 40; i++)
            {
                await store.GetRangeAsync("r", 0, 0).ContinueWith(_ => { }, TaskScheduler.Default); // never faulted by injection
                try
                {
                    await store.HeadAsync("r");
                    outcome.Append('.');
                }
                catch (ObjectStoreException)
                {
                    outcome.Append('x');
                }
            }
            return outcome.ToString();
        }
        await _memory.PutAsync("r", new byte[1]);
        var first = await Pattern(5);
        Assert.Equal(first, await Pattern(5));
        Assert.NotEqual(first, await Pattern(6));
        Assert.Contains('x', first);
        Assert.Contains('.', first);
    }
}
