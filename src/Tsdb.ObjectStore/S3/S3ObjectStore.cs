using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Tsdb.ObjectStore;

/// <summary>
/// Objects in an S3 bucket (AWS, Ceph RGW, MinIO), under an optional key prefix. Path-style addressing; no
/// aws-chunked uploads and checksums only where S3 requires them, which is what RGW and MinIO accept.
/// </summary>
/// <remarks>
/// The SDK's own retries are off: a put-if-absent the SDK retried after a lost response would come back as
/// "412, exists" for the caller's own write. Retries belong to <see cref="RetryingObjectStore"/>, which can tell.
/// </remarks>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3ObjectStoreOptions _options;
    private readonly string _prefix;
    private readonly Lock _bucketGate = new();
    private Task? _bucketReady;

    public S3ObjectStore(S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Endpoint);
        ArgumentException.ThrowIfNullOrEmpty(options.Bucket);
        if ((options.AccessKey is null) != (options.SecretKey is null))
        {
            throw new ArgumentException("give both AccessKey and SecretKey, or neither (default credential chain)", nameof(options));
        }
        _options = options;
        _prefix = NormalizePrefix(options.Prefix);
        var config = new AmazonS3Config
        {
            ServiceURL = options.Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            // The SDK's defaults (aws-chunked bodies with trailing checksums) are refused by Ceph RGW 16
            // (XAmzContentSHA256Mismatch) and stored as object bytes by some other servers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
        };
        if (options.WrapHttpHandler is { } wrap)
        {
            config.HttpClientFactory = new WrappingHttpClientFactory(wrap, options.RequestTimeout);
        }
        _client = options.AccessKey is null
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            var request = NewPut(key, data);
            await _client.PutObjectAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure(ObjectStoreOperation.Put, key, e);
        }
    }

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            var request = NewPut(key, data);
            request.IfNoneMatch = "*";
            await _client.PutObjectAsync(request, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict && e.ErrorCode == "ConditionalRequestConflict")
        {
            // S3 says a concurrent conditional write was in flight and ours did not take effect. If the other one
            // won, the key exists and the answer is "false"; if it did not, nobody holds the key: retry.
            if (await HeadAsync(key, ct).ConfigureAwait(false) is not null)
            {
                return false;
            }
            throw new ObjectStoreException($"PutIfAbsent of '{key}' collided with a concurrent conditional write; retry", isTransient: true, e);
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure(ObjectStoreOperation.PutIfAbsent, key, e);
        }
    }

    public async Task<byte[]> GetAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            var request = new GetObjectRequest { BucketName = _options.Bucket, Key = _prefix + key };
            using var response = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
            return await ReadBodyAsync(response, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (IsNoSuchKey(e))
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure(ObjectStoreOperation.Get, key, e);
        }
    }

    public async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            // HTTP cannot ask for zero bytes ("bytes=5-4" is ignored and returns the whole object).
            var meta = await HeadAsync(key, ct).ConfigureAwait(false) ?? throw new ObjectNotFoundException(key);
            RangeCheck.ThrowIfOutside(key, offset, length, meta.Size);
            return [];
        }
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            var request = new GetObjectRequest
            {
                BucketName = _options.Bucket,
                Key = _prefix + key,
                ByteRange = new ByteRange(offset, offset + length - 1),
            };
            using var response = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
            var bytes = await ReadBodyAsync(response, ct).ConfigureAwait(false);
            if (bytes.Length != length)
            {
                // S3 cuts a range that runs past the end short instead of refusing it.
                RangeCheck.ThrowIfOutside(key, offset, length, ObjectSize(response) ?? offset + bytes.Length);
                throw new ObjectStoreException($"GetRange of '{key}' returned {bytes.Length} bytes for [{offset}, {offset + length})", isTransient: true);
            }
            return bytes;
        }
        catch (AmazonS3Exception e) when (IsNoSuchKey(e))
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Only offsets at or past the end get here; find the size for the same message every store gives.
            var meta = await HeadAsync(key, ct).ConfigureAwait(false) ?? throw new ObjectNotFoundException(key, e);
            RangeCheck.ThrowIfOutside(key, offset, length, meta.Size);
            throw Failure(ObjectStoreOperation.GetRange, key, e);
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure(ObjectStoreOperation.GetRange, key, e);
        }
    }

    public async Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            var request = new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = _prefix + key };
            var response = await _client.GetObjectMetadataAsync(request, ct).ConfigureAwait(false);
            return new ObjectMeta(key, response.ContentLength, ToOffset(response.LastModified), Unquote(response.ETag));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // a HEAD response has no body, so no error code to tell NoSuchKey from NoSuchBucket
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure(ObjectStoreOperation.Head, key, e);
        }
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _prefix + prefix, MaxKeys = 1000 };
        while (true)
        {
            ListObjectsV2Response response;
            try
            {
                response = await _client.ListObjectsV2Async(request, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ShouldWrap(e, ct))
            {
                throw Failure(ObjectStoreOperation.List, prefix, e);
            }
            if (response.S3Objects is { } objects) // null, not empty, when a page holds nothing (SDK v4)
            {
                foreach (var item in objects)
                {
                    yield return new ObjectMeta(
                        item.Key[_prefix.Length..], item.Size ?? 0, ToOffset(item.LastModified), Unquote(item.ETag));
                }
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            // S3 answers 204 whether or not the key existed.
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = _prefix + key }, ct)
                .ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (IsNoSuchKey(e))
        {
            // some S3 look-alikes answer 404 instead: deleting a missing key is not an error
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure(ObjectStoreOperation.Delete, key, e);
        }
    }

    public void Dispose() => _client.Dispose();

    private PutObjectRequest NewPut(string key, ReadOnlyMemory<byte> data) => new()
    {
        BucketName = _options.Bucket,
        Key = _prefix + key,
        InputStream = ReadOnlyStream(data),
        AutoCloseStream = true,
        UseChunkEncoding = false,
        ContentType = "application/octet-stream",
    };

    private Task EnsureBucketAsync(CancellationToken ct)
    {
        if (!_options.CreateBucketIfMissing)
        {
            return Task.CompletedTask;
        }
        lock (_bucketGate)
        {
            if (_bucketReady is null || _bucketReady.IsFaulted || _bucketReady.IsCanceled)
            {
                _bucketReady = CreateBucketAsync();
            }
            return _bucketReady.IsCompletedSuccessfully ? Task.CompletedTask : _bucketReady.WaitAsync(ct);
        }
    }

    private async Task CreateBucketAsync()
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // exists already; if someone else owns it, the first real request says so (403)
        }
        catch (Exception e) when (ShouldWrap(e, CancellationToken.None))
        {
            throw Failure("CreateBucket", _options.Bucket, e);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(GetObjectResponse response, CancellationToken ct)
    {
        var length = response.ContentLength;
        if (length < 0 || length > Array.MaxLength)
        {
            throw new ObjectStoreException($"object '{response.Key}' of {length} bytes cannot be read into one array", isTransient: false);
        }
        var bytes = new byte[length];
        await response.ResponseStream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>The object's total size from "Content-Range: bytes a-b/size", if the server sent it.</summary>
    private static long? ObjectSize(GetObjectResponse response)
    {
        var range = response.ContentRange;
        var slash = range?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(range.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var size)
            ? size
            : null;
    }

    private static string NormalizePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.Trim('/');
        if (trimmed.Length == 0)
        {
            return "";
        }
        ObjectKey.Validate(trimmed);
        return trimmed + "/";
    }

    private static bool IsNoSuchKey(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound" or null or "";

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime())
                      : DateTimeOffset.UnixEpoch;

    private static string? Unquote(string? etag) => etag?.Trim('"');

    private sealed class WrappingHttpClientFactory(Func<HttpMessageHandler, HttpMessageHandler> wrap, TimeSpan timeout) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(wrap(new SocketsHttpHandler { AllowAutoRedirect = false })) { Timeout = timeout };

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
    }
}
