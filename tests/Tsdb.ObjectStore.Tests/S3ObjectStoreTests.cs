using System.Text;

namespace Tsdb.ObjectStore.Tests;

/// <summary>The conformance suite against a real Ceph RADOS Gateway; each test has its own key prefix in the class's bucket.</summary>
[Collection(CephCollection.Name)]
public sealed class S3ObjectStoreTests(CephRgwFixture ceph) : ObjectStoreConformance
{
    protected override IObjectStore CreateStore() => new S3ObjectStore(ceph.Options(GetType(), $"test-{Guid.NewGuid():N}"));

    [Fact]
    public async Task Stores_with_different_prefixes_in_one_bucket_do_not_see_each_other()
    {
        using var a = new S3ObjectStore(ceph.Options(GetType(), "tenant-a/"));
        using var b = new S3ObjectStore(ceph.Options(GetType(), "/tenant-b"));
        var key = $"shared/{Guid.NewGuid():N}";
        await a.PutAsync(key, Encoding.UTF8.GetBytes("a"));
        Assert.Null(await b.HeadAsync(key));
        Assert.True(await b.PutIfAbsentAsync(key, Encoding.UTF8.GetBytes("b")));
        Assert.Equal("a"u8.ToArray(), await a.GetAsync(key));
        Assert.Equal("b"u8.ToArray(), await b.GetAsync(key));

        using var root = new S3ObjectStore(ceph.Options(GetType()));
        var keys = new List<string>();
        await foreach (var meta in root.ListAsync("tenant-"))
        {
            keys.Add(meta.Key);
        }
        Assert.Contains($"tenant-a/{key}", keys);
        Assert.Contains($"tenant-b/{key}", keys);
    }

    [Fact]
    public async Task Wrong_credentials_are_a_permanent_error()
    {
        // RGW checks SigV4 signatures: a wrong secret must be refused, and retrying cannot help.
        using var store = new S3ObjectStore(new S3ObjectStoreOptions
        {
            Endpoint = ceph.Endpoint,
            Bucket = ceph.BucketFor(GetType()),
            AccessKey = "RGWKEY",
            SecretKey = "not-the-secret",
        });
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("k", new byte[1]));
        Assert.False(e.IsTransient);
        Assert.Contains("HTTP 403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bucket_is_a_permanent_error_unless_created()
    {
        using var store = new S3ObjectStore(new S3ObjectStoreOptions
        {
            Endpoint = ceph.Endpoint,
            Bucket = $"missing-{Guid.NewGuid():N}",
            AccessKey = "RGWKEY",
            SecretKey = "RGWSECRET",
        });
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("k"));
        Assert.False(e.IsTransient);
        Assert.Contains("NoSuchBucket", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: connection refused
        using var store = new S3ObjectStore(new S3ObjectStoreOptions
        {
            Endpoint = $"http://127.0.0.1:{port}",
            Bucket = "b",
            AccessKey = "RGWKEY",
            SecretKey = "RGWSECRET",
        });
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("k"));
        Assert.True(e.IsTransient, e.ToString());
    }
}
