namespace Tsdb.PromQL.Engine;

/// <summary>Prometheus' staleness marker: a NaN with a specific bit pattern, distinct from an ordinary NaN.</summary>
internal static class StaleMarker
{
    public const ulong Bits = 0x7FF0000000000002;

    public static readonly double Value = BitConverter.UInt64BitsToDouble(Bits);

    public static bool IsStale(double value) => BitConverter.DoubleToUInt64Bits(value) == Bits;
}
