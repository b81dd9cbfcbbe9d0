namespace Tsdb.Catalog;

/// <summary>An object the catalog no longer references, deleted once <see cref="DeleteAfter"/> has passed.</summary>
public sealed record PendingDelete(string Path, DateTimeOffset DeleteAfter);
