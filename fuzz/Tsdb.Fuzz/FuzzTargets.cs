using Tsdb.Fuzz.Targets;

namespace Tsdb.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new LineProtocolTarget(),
        new SqlTarget(),
        new InfluxQLTarget(),
        new PromQLTarget(),
        new RemoteWriteTarget("remote-write-v1", Prometheus.RemoteWriteVersion.V1, compressInput: false),
        new RemoteWriteTarget("remote-write-v2", Prometheus.RemoteWriteVersion.V2, compressInput: false),
        new RemoteWriteTarget("remote-write-v1-proto", Prometheus.RemoteWriteVersion.V1, compressInput: true),
        new RemoteWriteTarget("remote-write-v2-proto", Prometheus.RemoteWriteVersion.V2, compressInput: true),
        new SnappyTarget(),
        new GzipBodyTarget(),
        new ArrowStreamTarget(),
        new ArrowFileTarget(),
        new ParquetTarget(),
        new FlightTicketTarget(),
        new FlightCommandTarget(),
        new JsonBodyTarget(),
        new WalRecordTarget(),
        new WalSegmentTarget(),
        new CatalogSnapshotTarget(),
        new CatalogRecordTarget(),
    ];

    public static FuzzTarget? Find(string name)
    {
        foreach (var target in All)
        {
            if (target.Name == name)
            {
                return target;
            }
        }
        return null;
    }
}
