namespace Tsdb.ObjectStore.Tests;

public sealed class InMemoryObjectStoreTests : ObjectStoreConformance
{
    protected override IObjectStore CreateStore() => new InMemoryObjectStore();
}
