namespace Tsdb.Prometheus;

/// <summary>The remote-write message schema of a request, chosen by its Content-Type.</summary>
public enum RemoteWriteVersion
{
    /// <summary><c>prometheus.WriteRequest</c> (remote-write 1.0).</summary>
    V1,

    /// <summary><c>io.prometheus.write.v2.Request</c> (remote-write 2.0).</summary>
    V2,
}
