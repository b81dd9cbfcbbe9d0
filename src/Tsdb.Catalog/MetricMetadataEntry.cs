namespace Tsdb.Catalog;

/// <summary>
/// A metric family's metadata as Prometheus senders describe it (type in lower case: counter, gauge, …; help;
/// unit), kept per database in the catalog so <c>/api/v1/metadata</c> answers the same after a restart.
/// </summary>
public sealed record MetricMetadataEntry(string Type, string Help, string Unit);
