using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Catalog;

/// <summary>
/// Catalog sizes as observable gauges, read from the current snapshot at scrape time (nothing is counted on the
/// write path). The server observes its one catalog with <see cref="Observe"/>.
/// </summary>
public static class CatalogMetrics
{
    public const string MeterName = "Tsdb.Catalog";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);
    private static Catalog? _catalog;

    static CatalogMetrics()
    {
        Meter.CreateObservableGauge("tsdb.catalog.databases", () => Current()?.Databases.Count ?? 0, "{database}", "Databases in the catalog");
        Meter.CreateObservableGauge("tsdb.catalog.tables", () =>
        {
            var tables = 0;
            if (Current() is { } snapshot)
            {
                foreach (var db in snapshot.Databases)
                {
                    tables += db.TableCount;
                }
            }
            return tables;
        }, "{table}", "Tables in all databases");
        Meter.CreateObservableGauge("tsdb.catalog.files", () => Current()?.Files.Count ?? 0, "{file}", "Parquet files the catalog references");
        Meter.CreateObservableGauge("tsdb.catalog.files.size", () =>
        {
            long bytes = 0;
            if (Current() is { } snapshot)
            {
                foreach (var file in snapshot.Files)
                {
                    bytes += file.SizeBytes;
                }
            }
            return bytes;
        }, "By", "Bytes of the Parquet files the catalog references");
        Meter.CreateObservableGauge("tsdb.catalog.tokens", () => Current()?.Tokens.Count ?? 0, "{token}", "API tokens");
    }

    /// <summary>Makes <paramref name="catalog"/> the one the gauges read.</summary>
    public static void Observe(Catalog catalog) => Volatile.Write(ref _catalog, catalog);

    private static CatalogSnapshot? Current() => Volatile.Read(ref _catalog)?.Current;
}
