using System.Collections.Concurrent;
using Tsdb.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Tsdb.ObjectStore.Tests;

/// <summary>
/// The S3 tests' server: one <see cref="CephRgw"/> (a real single-node Ceph RADOS Gateway, see there) for the whole
/// collection, with a bucket per test class.
/// </summary>
public sealed class CephRgwFixture(IMessageSink messages) : IAsyncLifetime
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentDictionary<Type, string> _buckets = new();
    private CephRgw? _ceph;

    public string Endpoint => _ceph?.Endpoint ?? throw new InvalidOperationException("Ceph RGW is not started");

    public async Task InitializeAsync()
    {
        _ceph = await Task.Run(CephRgw.Start);
        messages.OnMessage(new DiagnosticMessage(
            $"Ceph RGW at {_ceph.Endpoint}: install check {_ceph.InstallTime.TotalSeconds:F1} s, start {_ceph.StartTime.TotalSeconds:F1} s"));
    }

    public Task DisposeAsync()
    {
        _ceph?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>One bucket per test class, created by the store on first use.</summary>
    public string BucketFor(Type testClass) =>
        _buckets.GetOrAdd(testClass, t =>
        {
            var name = new string(t.Name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
            return $"{name[..Math.Min(name.Length, 40)]}-{_runId}";
        });

    /// <summary>Options for a store in the class's bucket, under its own key prefix.</summary>
    public S3ObjectStoreOptions Options(Type testClass, string prefix = "") => new()
    {
        Endpoint = Endpoint,
        Bucket = BucketFor(testClass),
        AccessKey = CephRgw.AccessKey,
        SecretKey = CephRgw.SecretKey,
        Prefix = prefix,
        CreateBucketIfMissing = true,
        RequestTimeout = TimeSpan.FromSeconds(30),
    };
}
