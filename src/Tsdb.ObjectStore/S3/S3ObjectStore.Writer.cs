using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Tsdb.ObjectStore;

public sealed partial class S3ObjectStore
{
    /// <summary>S3's smallest part, except the last (5 MiB).</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>S3's most parts in one upload: with 8 MiB parts, objects up to ~78 GiB.</summary>
    public const int MaximumPartCount = 10_000;

    /// <summary>
    /// A multipart upload, created with the first part; an object given whole to
    /// <see cref="IObjectWriter.CompleteAsync"/> is a single PutObject. S3 publishes the object atomically at
    /// CompleteMultipartUpload; until then it is invisible to GET, HEAD and LIST.
    /// </summary>
    public async Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        return new Writer(this, key);
    }

    /// <summary>
    /// Aborts incomplete multipart uploads under this store's prefix started more than <paramref name="olderThan"/>
    /// ago: what writers lost to a crash leave (invisible, but billed). A bucket lifecycle rule
    /// (AbortIncompleteMultipartUpload) does the same on AWS.
    /// </summary>
    /// <returns>how many uploads were aborted.</returns>
    public async Task<int> AbortStaleUploadsAsync(TimeSpan olderThan, CancellationToken ct = default)
    {
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        var cutoff = _options.TimeProvider.GetUtcNow() - olderThan;
        var request = new ListMultipartUploadsRequest { BucketName = _options.Bucket, Prefix = _prefix };
        var aborted = 0;
        try
        {
            while (true)
            {
                var response = await _client.ListMultipartUploadsAsync(request, ct).ConfigureAwait(false);
                foreach (var upload in response.MultipartUploads ?? [])
                {
                    if (upload.Initiated is { } initiated && ToOffset(initiated) < cutoff)
                    {
                        await AbortUploadAsync(upload.Key, upload.UploadId, ct).ConfigureAwait(false);
                        aborted++;
                    }
                }
                if (response.IsTruncated != true)
                {
                    return aborted;
                }
                request.KeyMarker = response.NextKeyMarker;
                request.UploadIdMarker = response.NextUploadIdMarker;
            }
        }
        catch (Exception e) when (ShouldWrap(e, ct))
        {
            throw Failure("ListMultipartUploads", _prefix, e);
        }
    }

    private async Task AbortUploadAsync(string fullKey, string uploadId, CancellationToken ct)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = fullKey, UploadId = uploadId }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // NoSuchUpload: aborted or completed already
        }
    }

    private static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private sealed class Writer(S3ObjectStore store, string key) : ObjectWriterBase(key, S3ObjectStore.MinimumPartSize)
    {
        private readonly List<PartETag> _parts = [];
        private string? _uploadId;
        private bool _lastPartUploaded;
        private bool _completeAttempted;

        private string FullKey => store._prefix + Key;

        protected override async Task WritePartCoreAsync(ReadOnlyMemory<byte> part, long offset, CancellationToken ct)
        {
            if (_parts.Count >= MaximumPartCount - 1) // one number stays free for the last part
            {
                throw new InvalidOperationException($"'{Key}': S3 allows at most {MaximumPartCount} parts; write larger parts");
            }
            try
            {
                _uploadId ??= await CreateUploadAsync(ct).ConfigureAwait(false);
                _parts.Add(await UploadPartAsync(_parts.Count + 1, part, ct).ConfigureAwait(false));
            }
            catch (Exception e) when (ShouldWrap(e, ct))
            {
                throw Failure(ObjectStoreOperation.WritePart, Key, e);
            }
        }

        protected override async Task CompleteCoreAsync(ReadOnlyMemory<byte> lastPart, long offset, CancellationToken ct)
        {
            try
            {
                if (_uploadId is null)
                {
                    using var stream = ReadOnlyStream(lastPart);
                    await store._client.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = store._options.Bucket,
                        Key = FullKey,
                        InputStream = stream,
                        AutoCloseStream = false,
                        UseChunkEncoding = false,
                        ContentType = "application/octet-stream",
                    }, ct).ConfigureAwait(false);
                    return;
                }
                if (!lastPart.IsEmpty && !_lastPartUploaded)
                {
                    _parts.Add(await UploadPartAsync(_parts.Count + 1, lastPart, ct).ConfigureAwait(false));
                    _lastPartUploaded = true;
                }
                var retried = _completeAttempted;
                _completeAttempted = true;
                try
                {
                    await store._client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                    {
                        BucketName = store._options.Bucket,
                        Key = FullKey,
                        UploadId = _uploadId,
                        PartETags = _parts,
                    }, ct).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (retried && e.StatusCode == HttpStatusCode.NotFound)
                {
                    // NoSuchUpload after an attempt whose answer was lost: it completed if the key now holds exactly
                    // these parts (S3's multipart ETag is the MD5 of the parts' MD5s, then "-" and the part count).
                    var meta = await store.HeadAsync(Key, ct).ConfigureAwait(false);
                    if (meta?.ETag is null || !string.Equals(meta.ETag, MultipartETag(_parts), StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ObjectStoreException($"the upload of '{Key}' vanished before it completed (aborted by someone else?)", isTransient: false, e);
                    }
                }
            }
            catch (Exception e) when (ShouldWrap(e, ct))
            {
                throw Failure(ObjectStoreOperation.CompleteWrite, Key, e);
            }
        }

        protected override async Task AbortCoreAsync(CancellationToken ct)
        {
            if (_uploadId is null)
            {
                return; // nothing was sent
            }
            try
            {
                await store.AbortUploadAsync(FullKey, _uploadId, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ShouldWrap(e, ct))
            {
                throw Failure(ObjectStoreOperation.AbortWrite, Key, e);
            }
        }

        private async Task<string> CreateUploadAsync(CancellationToken ct)
        {
            var response = await store._client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = store._options.Bucket,
                Key = FullKey,
                ContentType = "application/octet-stream",
            }, ct).ConfigureAwait(false);
            return response.UploadId;
        }

        /// <summary>Re-sending a part number replaces that part, so a retried part never duplicates bytes.</summary>
        private async Task<PartETag> UploadPartAsync(int number, ReadOnlyMemory<byte> part, CancellationToken ct)
        {
            using var stream = ReadOnlyStream(part);
            var response = await store._client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = store._options.Bucket,
                Key = FullKey,
                UploadId = _uploadId,
                PartNumber = number,
                InputStream = stream,
                PartSize = part.Length,
                UseChunkEncoding = false,
            }, ct).ConfigureAwait(false);
            return new PartETag(number, response.ETag);
        }
    }

    /// <summary>The ETag S3 (and Ceph RGW) gives an object completed from these parts, or null if one is not an MD5.</summary>
    internal static string? MultipartETag(IReadOnlyList<PartETag> parts)
    {
        var digests = new byte[parts.Count * MD5.HashSizeInBytes];
        for (var i = 0; i < parts.Count; i++)
        {
            var hex = parts[i].ETag?.Trim('"');
            if (hex is null || hex.Length != 2 * MD5.HashSizeInBytes)
            {
                return null;
            }
            try
            {
                Convert.FromHexString(hex).CopyTo(digests, i * MD5.HashSizeInBytes);
            }
            catch (FormatException)
            {
                return null;
            }
        }
#pragma warning disable CA5351 // S3 defines the ETag with MD5; this is an identity check, not security
        return $"{Convert.ToHexStringLower(MD5.HashData(digests))}-{parts.Count}";
#pragma warning restore CA5351
    }
}
