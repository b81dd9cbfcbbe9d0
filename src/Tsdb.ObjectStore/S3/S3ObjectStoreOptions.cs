namespace Tsdb.ObjectStore;

/// <summary>Where and how <see cref="S3ObjectStore"/> connects (AWS, Ceph RGW, MinIO …).</summary>
public sealed class S3ObjectStoreOptions
{
    /// <summary>The service URL, e.g. <c>http://127.0.0.1:7480</c> or <c>https://s3.eu-west-1.amazonaws.com</c>.</summary>
    public required string Endpoint { get; init; }

    public required string Bucket { get; init; }

    /// <summary>The region requests are signed for; RGW and MinIO accept the default.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>With <see cref="SecretKey"/>; when both are null the SDK's default credential chain is used.</summary>
    public string? AccessKey { get; init; }

    public string? SecretKey { get; init; }

    /// <summary>Put before every key inside the bucket, so several servers can share one bucket ("" for none).</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Create the bucket on first use if it does not exist.</summary>
    public bool CreateBucketIfMissing { get; init; }

    /// <summary>How long one HTTP request may take before it counts as a (transient) timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock <see cref="S3ObjectStore.AbortStaleUploadsAsync"/> measures age on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Tests: wraps the HTTP handler under the SDK (to lose answers to requests that took effect).</summary>
    internal Func<HttpMessageHandler, HttpMessageHandler>? WrapHttpHandler { get; init; }
}
