namespace Tsdb.PromQL.Engine;

/// <summary>Prometheus' staleness marker: a NaN with a specific bit pattern, distinct from an ordinary NaN.</summary>
internal static class StaleMarker
{
    public const ulong Bits = 0x7FF0000000000002;

    public static readonly double Value = BitConverter.UInt64BitsToDouble(Bits);

    public static bool IsStale(double value) => BitConverter.DoubleToUInt64Bits(value) == Bits;

    /// <summary>
    /// A sample that ends its series: the float marker, or a histogram whose sum carries the marker's bits (how
    /// Prometheus' TSDB writes a stale histogram).
    /// </summary>
    public static bool IsStale(double value, FloatHistogram? histogram) => histogram is null ? IsStale(value) : IsStale(histogram.Sum);
}
