using Tsdb.ObjectStore;

namespace Tsdb.Host;

/// <summary>The --object-store choice and its S3 settings, checked before anything starts.</summary>
public sealed record ObjectStoreSettings(string Kind, string? Endpoint, string? Bucket, string Region, string? AccessKey, string? SecretKey)
{
    /// <summary>One S3 request's limit: a gateway that accepts connections but never answers fails an attempt in this long.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one operation keeps retrying (see <see cref="RetryPolicy.MaxElapsed"/>).</summary>
    public TimeSpan RetryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static ObjectStoreSettings Parse(string kind, string? endpoint, string? bucket, string region, string? accessKey, string? secretKey)
    {
        switch (kind)
        {
            case "file" or "memory":
                return new ObjectStoreSettings(kind, null, null, region, null, null);
            case "s3":
                var missing = new[] { ("--s3-endpoint", endpoint), ("--s3-bucket", bucket), ("--s3-access-key", accessKey), ("--s3-secret-key", secretKey) }
                    .Where(p => string.IsNullOrEmpty(p.Item2)).Select(p => p.Item1).ToList();
                if (missing.Count > 0)
                {
                    throw new ArgumentException($"--object-store s3 needs {string.Join(", ", missing)}");
                }
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out _))
                {
                    throw new ArgumentException($"--s3-endpoint must be a URL, got '{endpoint}'");
                }
                return new ObjectStoreSettings(kind, endpoint, bucket, region, accessKey, secretKey);
            default:
                throw new ArgumentException($"--object-store must be file, memory or s3, got '{kind}'");
        }
    }

    /// <summary>
    /// The store, behind retries with backoff for transient failures. The metrics sit below the retries, so every
    /// attempt (and every transient error) is counted.
    /// </summary>
    public IObjectStore Create(string dataDir)
    {
        IObjectStore inner = Kind switch
        {
            "memory" => new InMemoryObjectStore(),
            "s3" => new S3ObjectStore(new S3ObjectStoreOptions
            {
                Endpoint = Endpoint!,
                Bucket = Bucket!,
                Region = Region,
                AccessKey = AccessKey!,
                SecretKey = SecretKey!,
                CreateBucketIfMissing = true,
                RequestTimeout = RequestTimeout,
            }),
            _ => new LocalFileObjectStore(dataDir),
        };
        return new RetryingObjectStore(new MetricsObjectStore(inner), RetryPolicy.Default with { MaxElapsed = RetryTimeout });
    }

    public string Describe(string dataDir) => Kind switch
    {
        "memory" => "memory (nothing survives a restart but the WAL)",
        "s3" => $"s3 {Endpoint} bucket {Bucket}",
        _ => $"file {dataDir}",
    };
}
