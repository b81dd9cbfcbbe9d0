using System.Text;

namespace Tsdb.ObjectStore.Tests;

/// <summary>The production stack — retries over metrics over S3 — against Ceph RGW with faults injected in between.</summary>
[Collection(CephCollection.Name)]
public sealed class RetryingS3ObjectStoreTests(CephRgwFixture ceph) : IDisposable
{
    private readonly S3ObjectStore _s3 = new(ceph.Options(typeof(RetryingS3ObjectStoreTests), $"retry-{Guid.NewGuid():N}"));

    public void Dispose() => _s3.Dispose();

    [Fact]
    public async Task Retries_ride_out_injected_faults_against_a_real_S3()
    {
        var metrics = new MetricsObjectStore(_s3);
        var faults = new FaultInjectingObjectStore(metrics, seed: 11);
        var store = new RetryingObjectStore(faults, new RetryPolicy
        {
            MaxAttempts = 10,
            BaseDelay = TimeSpan.FromMilliseconds(5),
            MaxDelay = TimeSpan.FromMilliseconds(50),
        });

        // An ambiguous put-if-absent: S3 stored it, the answer was "lost"; the retry gets 412 and must say true.
        faults.FailNext(ObjectStoreOperation.PutIfAbsent, 1, InjectedFault.TransientAfterEffect);
        Assert.True(await store.PutIfAbsentAsync("catalog/00000001.json", Bytes("record 1")));
        Assert.False(await store.PutIfAbsentAsync("catalog/00000001.json", Bytes("a rival record")));
        Assert.Equal(1, metrics.Snapshot().Get.Calls); // the retry read the object back to recognise its own bytes

        faults.FailNext(ObjectStoreOperation.Put, 2, InjectedFault.Timeout);
        await store.PutAsync("dbs/db/t/2024-01-01/1.parquet", Bytes("parquet"));

        faults.FailRandomly(0.25, InjectedFault.TransientAfterEffect);
        var keys = Enumerable.Range(0, 40).Select(i => $"dbs/db/t/2024-01-02/{i:D3}.parquet").ToArray();
        foreach (var key in keys)
        {
            await store.PutAsync(key, Bytes(key));
            Assert.True(await store.PutIfAbsentAsync(key + ".meta", Bytes(key)));
            Assert.Equal(Bytes(key)[3..9], await store.GetRangeAsync(key, 3, 6));
        }
        var listed = await RetryingObjectStoreTests.ListKeys(store, "dbs/db/t/2024-01-02/");
        Assert.Equal(keys.SelectMany(k => new[] { k, k + ".meta" }).Order(ObjectKey.Comparer), listed);
        faults.Reset();

        Assert.True(faults.InjectedCount > 20, $"only {faults.InjectedCount} faults injected");
        Assert.True(store.Retries >= faults.InjectedCount);
        Assert.Equal(0, metrics.Snapshot().TotalErrors); // every failure was injected above S3: the server never failed
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
