namespace Tsdb.ObjectStore.Tests;

public sealed class MetricsObjectStoreTests
{
    [Fact]
    public async Task Counts_calls_bytes_errors_and_misses_per_operation()
    {
        var faults = new FaultInjectingObjectStore(new InMemoryObjectStore());
        var store = new MetricsObjectStore(faults);

        await store.PutAsync("a", new byte[10]);
        await store.PutAsync("b", new byte[5]);
        Assert.True(await store.PutIfAbsentAsync("c", new byte[7]));
        Assert.False(await store.PutIfAbsentAsync("c", new byte[100]));
        await store.GetAsync("a");
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync("missing"));
        await store.GetRangeAsync("a", 2, 3);
        Assert.Null(await store.HeadAsync("missing"));
        await store.HeadAsync("a");
        await foreach (var _ in store.ListAsync(""))
        {
        }
        faults.FailNext(ObjectStoreOperation.Delete, 1);
        await Assert.ThrowsAsync<ObjectStoreException>(() => store.DeleteAsync("a"));
        await store.DeleteAsync("a");
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("/bad"));

        var s = store.Snapshot();
        Assert.Equal(new OperationMetrics(2, 0, 0, 15, 0, 0, s.Put.Duration), s.Put);
        Assert.Equal(new OperationMetrics(2, 0, 0, 7, 0, 0, s.PutIfAbsent.Duration), s.PutIfAbsent);
        Assert.Equal(new OperationMetrics(3, 1, 1, 0, 10, 0, s.Get.Duration), s.Get);
        Assert.Equal(new OperationMetrics(1, 0, 0, 0, 3, 0, s.GetRange.Duration), s.GetRange);
        Assert.Equal(new OperationMetrics(2, 0, 1, 0, 0, 0, s.Head.Duration), s.Head);
        Assert.Equal(new OperationMetrics(1, 0, 0, 0, 0, 3, s.List.Duration), s.List);
        Assert.Equal(new OperationMetrics(2, 1, 0, 0, 0, 0, s.Delete.Duration), s.Delete);
        Assert.Equal(s.Get, s[ObjectStoreOperation.Get]);
        Assert.Equal(13, s.TotalCalls);
        Assert.Equal(2, s.TotalErrors);
        Assert.True(s.Put.Duration >= TimeSpan.Zero);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_an_error()
    {
        var store = new MetricsObjectStore(new InMemoryObjectStore());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync("k", new byte[1], cts.Token));
        Assert.Equal(1, store.Snapshot().Put.Calls);
        Assert.Equal(0, store.Snapshot().Put.Errors);
    }

    [Fact]
    public async Task Counts_parts_completions_and_aborts_of_streamed_writes()
    {
        var faults = new FaultInjectingObjectStore(new InMemoryObjectStore());
        var store = new MetricsObjectStore(faults);
        await using (var writer = await store.OpenWriteAsync("a"))
        {
            await writer.WritePartAsync(new byte[10]);
            faults.FailNext(ObjectStoreOperation.WritePart, 1);
            await Assert.ThrowsAsync<ObjectStoreException>(() => writer.WritePartAsync(new byte[10]));
            await writer.WritePartAsync(new byte[20]);
            await writer.CompleteAsync(new byte[3]);
            await writer.CompleteAsync(new byte[3]); // a no-op, not counted
        }
        await using (var writer = await store.OpenWriteAsync("b"))
        {
            await writer.WritePartAsync(new byte[5]);
        } // disposed unfinished: an abort

        var s = store.Snapshot();
        Assert.Equal(new OperationMetrics(4, 1, 0, 35, 0, 0, s.WritePart.Duration), s.WritePart);
        Assert.Equal(new OperationMetrics(1, 0, 0, 3, 0, 0, s.CompleteWrite.Duration), s.CompleteWrite);
        Assert.Equal(new OperationMetrics(1, 0, 0, 0, 0, 0, s.AbortWrite.Duration), s.AbortWrite);
        Assert.Equal(s.WritePart, s[ObjectStoreOperation.WritePart]);
        Assert.Equal(6, s.TotalCalls);
        Assert.Equal(1, s.TotalErrors);
        Assert.Equal(33, (await store.HeadAsync("a"))!.Size);
    }
}
