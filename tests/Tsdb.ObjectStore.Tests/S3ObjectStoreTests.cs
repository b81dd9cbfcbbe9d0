using System.Text;

namespace Tsdb.ObjectStore.Tests;

/// <summary>The conformance suite against a real Ceph RADOS Gateway; each test has its own key prefix in the class's bucket.</summary>
[Collection(CephCollection.Name)]
public sealed class S3ObjectStoreTests(CephRgwFixture ceph) : ObjectStoreConformance
{
    protected override IObjectStore CreateStore() => new S3ObjectStore(ceph.Options(GetType(), $"test-{Guid.NewGuid():N}"));

    protected override int StreamPartSize => S3ObjectStore.MinimumPartSize;

    [Fact]
    public async Task A_streamed_object_of_several_parts_is_one_multipart_upload_with_S3s_multipart_ETag()
    {
        await using var writer = await Store.OpenWriteAsync("mp/obj");
        var (parts, tail, whole) = PartsFor(writer, 2, 1000, seed: 21);
        foreach (var part in parts)
        {
            await writer.WritePartAsync(part);
        }
        await writer.CompleteAsync(tail);

        // The ETag a retried completion checks against: MD5 of the parts' MD5s, "-", the part count.
#pragma warning disable CA5351 // S3's ETag is defined with MD5
        var partTags = parts.Append(tail).Select(p => new Amazon.S3.Model.PartETag(0, Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(p)))).ToList();
#pragma warning restore CA5351
        Assert.Equal(S3ObjectStore.MultipartETag(partTags), (await Store.HeadAsync("mp/obj"))!.ETag);
        Assert.EndsWith("-3", S3ObjectStore.MultipartETag(partTags), StringComparison.Ordinal);
        Assert.Equal(whole, await Store.GetAsync("mp/obj"));

        await using var small = await Store.OpenWriteAsync("mp/small");
        await small.CompleteAsync(tail);
        Assert.DoesNotContain('-', (await Store.HeadAsync("mp/small"))!.ETag!); // one PutObject, not a multipart upload
    }

    [Fact]
    public async Task Aborting_leaves_no_incomplete_upload_and_the_sweeper_aborts_abandoned_ones()
    {
        var prefix = $"sweep-{Guid.NewGuid():N}";
        using var store = new S3ObjectStore(ceph.Options(GetType(), prefix));
        // The sweeper's clock an hour ahead: every upload started now counts as stale.
        using var sweeper = new S3ObjectStore(WithClock(ceph.Options(GetType(), prefix), new ShiftedClock(TimeSpan.FromHours(1))));

        await using (var aborted = await store.OpenWriteAsync("a"))
        {
            await aborted.WritePartAsync(new byte[S3ObjectStore.MinimumPartSize]);
            await aborted.AbortAsync();
        }
        Assert.Equal(0, await sweeper.AbortStaleUploadsAsync(TimeSpan.FromMinutes(30)));

        var abandoned = await store.OpenWriteAsync("b"); // a crashed writer: never completed, never disposed
        await abandoned.WritePartAsync(new byte[S3ObjectStore.MinimumPartSize]);
        Assert.Equal(0, await store.AbortStaleUploadsAsync(TimeSpan.FromMinutes(30))); // not stale on the real clock
        Assert.Equal(1, await sweeper.AbortStaleUploadsAsync(TimeSpan.FromMinutes(30)));
        Assert.Equal(0, await sweeper.AbortStaleUploadsAsync(TimeSpan.FromMinutes(30)));
        Assert.Null(await store.HeadAsync("b"));
        await Assert.ThrowsAsync<ObjectStoreException>(() => abandoned.CompleteAsync());
    }

    [Fact]
    public async Task Lost_answers_to_a_part_and_to_the_completion_are_retried_into_one_whole_object()
    {
        // The requests reach Ceph and take effect; only their answers are lost. The part is re-sent under the same
        // number (S3 replaces it); the completion is re-sent, finds the upload gone, and recognises its own object
        // by the multipart ETag of exactly its parts.
        var lose = new AnswersToLose { UploadParts = 1, Completions = 1 };
        using var s3 = new S3ObjectStore(Copy(ceph.Options(GetType(), $"lost-{Guid.NewGuid():N}"), wrap: inner => new LoseAnswers(lose) { InnerHandler = inner }));
        var store = new RetryingObjectStore(s3, new RetryPolicy { Delay = static (_, _) => Task.CompletedTask });

        await using (var writer = await store.OpenWriteAsync("lost/obj"))
        {
            var (parts, tail, whole) = PartsFor(writer, 2, 4321, seed: 22);
            foreach (var part in parts)
            {
                await writer.WritePartAsync(part);
            }
            await writer.CompleteAsync(tail);
            Assert.Equal(whole, await s3.GetAsync("lost/obj"));
        }
        Assert.Equal(0, lose.UploadParts + lose.Completions);
        Assert.Equal(2, store.Retries);
        Assert.Equal(0, await s3.AbortStaleUploadsAsync(TimeSpan.FromDays(-1))); // no upload left behind
    }

    [Fact]
    public async Task A_repeated_completion_that_meets_NoSuchUpload_accepts_only_its_own_object()
    {
        // Servers that forget a completed upload answer a repeated completion 404 NoSuchUpload (Ceph and AWS answer
        // 200 for a while): then the writer checks the key's ETag against the multipart ETag of its parts.
        var lose = new AnswersToLose { Completions = 1, RepeatedCompletionIsNoSuchUpload = true };
        using var s3 = new S3ObjectStore(Copy(ceph.Options(GetType(), $"nsu-{Guid.NewGuid():N}"), wrap: inner => new LoseAnswers(lose) { InnerHandler = inner }));

        await using (var writer = await s3.OpenWriteAsync("nsu/completed"))
        {
            var (parts, tail, whole) = PartsFor(writer, 2, 10, seed: 23);
            await writer.WritePartAsync(parts[0]);
            await writer.WritePartAsync(parts[1]);
            Assert.True((await Assert.ThrowsAsync<ObjectStoreException>(() => writer.CompleteAsync(tail))).IsTransient);
            await writer.CompleteAsync(tail); // 404 NoSuchUpload, but the key holds exactly these parts
            Assert.Equal(whole, await s3.GetAsync("nsu/completed"));
        }

        // The completion never reached the server, and a repeat meets NoSuchUpload (someone aborted it): not ours.
        lose.Completions = 1;
        lose.ForwardLostCompletion = false;
        await using (var writer = await s3.OpenWriteAsync("nsu/vanished"))
        {
            var (parts, tail, _) = PartsFor(writer, 1, 10, seed: 24);
            await writer.WritePartAsync(parts[0]);
            await Assert.ThrowsAsync<ObjectStoreException>(() => writer.CompleteAsync(tail));
            var e = await Assert.ThrowsAsync<ObjectStoreException>(() => writer.CompleteAsync(tail));
            Assert.False(e.IsTransient);
            Assert.Contains("vanished", e.Message, StringComparison.Ordinal);
            Assert.Null(await s3.HeadAsync("nsu/vanished"));
        }
        Assert.Equal(0, await s3.AbortStaleUploadsAsync(TimeSpan.FromDays(-1))); // disposing aborted the real upload
    }

    private sealed class AnswersToLose
    {
        public int UploadParts { get; set; }

        public int Completions { get; set; }

        public bool ForwardLostCompletion { get; set; } = true;

        public bool RepeatedCompletionIsNoSuchUpload { get; set; }

        public bool CompletionLost { get; set; }
    }

    /// <summary>Forwards a request, then throws away its answer as a dropped connection would.</summary>
    private sealed class LoseAnswers(AnswersToLose lose) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = request.RequestUri!.Query;
            var isPart = request.Method == HttpMethod.Put && query.Contains("partNumber=", StringComparison.Ordinal);
            var isCompletion = request.Method == HttpMethod.Post && query.Contains("uploadId=", StringComparison.Ordinal);
            if (isCompletion && lose.CompletionLost && lose.RepeatedCompletionIsNoSuchUpload)
            {
                lose.CompletionLost = false;
                return new HttpResponseMessage(System.Net.HttpStatusCode.NotFound)
                {
                    RequestMessage = request,
                    Content = new StringContent(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>",
                        System.Text.Encoding.UTF8, "application/xml"),
                };
            }
            if (isCompletion && lose.Completions > 0 && !lose.ForwardLostCompletion)
            {
                lose.Completions--;
                lose.CompletionLost = true;
                throw new HttpRequestException("simulated: the connection dropped before the request was sent");
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode && ((isPart && lose.UploadParts > 0) || (isCompletion && lose.Completions > 0)))
            {
                if (isPart)
                {
                    lose.UploadParts--;
                }
                else
                {
                    lose.Completions--;
                    lose.CompletionLost = true;
                }
                response.Dispose();
                throw new HttpRequestException("simulated: the connection dropped before the answer arrived");
            }
            return response;
        }
    }

    private static S3ObjectStoreOptions WithClock(S3ObjectStoreOptions o, TimeProvider clock) => Copy(o, clock);

    private static S3ObjectStoreOptions Copy(S3ObjectStoreOptions o, TimeProvider? clock = null, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null) => new()
    {
        Endpoint = o.Endpoint,
        Bucket = o.Bucket,
        AccessKey = o.AccessKey,
        SecretKey = o.SecretKey,
        Prefix = o.Prefix,
        CreateBucketIfMissing = o.CreateBucketIfMissing,
        RequestTimeout = o.RequestTimeout,
        TimeProvider = clock ?? o.TimeProvider,
        WrapHttpHandler = wrap,
    };

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }

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
