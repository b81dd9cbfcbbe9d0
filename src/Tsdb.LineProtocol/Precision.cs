namespace Tsdb.LineProtocol;

/// <summary>The unit of the timestamps in a write request.</summary>
public enum Precision
{
    Nanosecond,
    Microsecond,
    Millisecond,
    Second,

    /// <summary>Guess the unit of each timestamp from its magnitude (InfluxDB 3's <c>precision=auto</c>).</summary>
    Auto,
}
