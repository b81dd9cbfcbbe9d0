namespace Tsdb.Catalog;

/// <summary>Another writer kept publishing the catalog version this one meant to write, more times than an update retries.</summary>
public sealed class CatalogConflictException(string message) : Exception(message);
