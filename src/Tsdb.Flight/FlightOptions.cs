namespace Tsdb.Flight;

/// <summary>Settings of the Flight service.</summary>
public sealed record FlightOptions
{
    public bool AuthEnabled { get; init; } = true;

    /// <summary>Target body size of one FlightData message; results are cut into slices of about this size.
    /// Kept well below the 4 MiB most gRPC clients accept by default.</summary>
    public int TargetMessageBytes { get; init; } = 1 << 20;

    public string Version { get; init; } = Tsdb.Core.Diagnostics.BuildInfo.Version;

    /// <summary>
    /// On an ingest node of a cluster: its write buffer as a table source, served to query nodes by DoGet of a
    /// <c>BufferScanTicket</c>. Null: this node serves no buffer (such tickets are refused).
    /// </summary>
    public Tsdb.Query.ITableSource? BufferedRows { get; init; }

    /// <summary>
    /// In a cluster: why this node does not serve a role (null when it does), e.g. queries on an ingest node. Calls
    /// needing it fail with FAILED_PRECONDITION and this message.
    /// </summary>
    public Func<Tsdb.Core.Cluster.NodeRoles, string?> RoleRefusal { get; init; } = _ => null;

    /// <summary>The clock token expiry is judged by.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
