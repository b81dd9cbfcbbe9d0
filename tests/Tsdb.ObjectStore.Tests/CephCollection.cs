namespace Tsdb.ObjectStore.Tests;

/// <summary>The test classes that share one Ceph cluster (started once, stopped after the last of them).</summary>
[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephRgwFixture>
{
    public const string Name = "Ceph RGW";
}
