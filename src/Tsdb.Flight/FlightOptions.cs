namespace Tsdb.Flight;

/// <summary>Settings of the Flight service.</summary>
public sealed record FlightOptions
{
    public bool AuthEnabled { get; init; } = true;

    /// <summary>Target body size of one FlightData message; results are cut into slices of about this size.
    /// Kept well below the 4 MiB most gRPC clients accept by default.</summary>
    public int TargetMessageBytes { get; init; } = 1 << 20;

    public string Version { get; init; } = Tsdb.Core.Diagnostics.BuildInfo.Version;

    /// <summary>The clock token expiry is judged by.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
