namespace Tsdb.ObjectStore;

/// <summary>What <see cref="IObjectStore.HeadAsync"/> and <see cref="IObjectStore.ListAsync"/> report about an object.</summary>
/// <param name="ETag">changes whenever the object is rewritten; unquoted; its form depends on the store.</param>
public sealed record ObjectMeta(string Key, long Size, DateTimeOffset LastModified, string? ETag);
