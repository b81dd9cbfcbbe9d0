namespace Tsdb.LineProtocol;

/// <summary>Turns a timestamp as written in a line into nanoseconds since the Unix epoch.</summary>
public static class Timestamps
{
    /// <summary>
    /// Scales <paramref name="value"/> from <paramref name="precision"/> to nanoseconds; false when the result does
    /// not fit in a signed 64-bit integer. For <see cref="Precision.Auto"/> the unit is guessed from the magnitude as
    /// InfluxDB 3 does: with v = |value| / 10^9, v &lt; 5 is seconds, v &lt; 5,000 milliseconds, v &lt; 5,000,000
    /// microseconds, anything larger nanoseconds.
    /// </summary>
    public static bool TryToNanoseconds(long value, Precision precision, out long nanoseconds)
    {
        if (precision == Precision.Auto)
        {
            precision = GuessPrecision(value);
        }
        long factor = precision switch
        {
            Precision.Nanosecond => 1,
            Precision.Microsecond => 1_000,
            Precision.Millisecond => 1_000_000,
            Precision.Second => 1_000_000_000,
            _ => 0,
        };
        if (factor == 0 || value > long.MaxValue / factor || value < long.MinValue / factor)
        {
            nanoseconds = 0;
            return false;
        }
        nanoseconds = value * factor;
        return true;
    }

    /// <summary>The unit <see cref="Precision.Auto"/> picks for <paramref name="value"/>.</summary>
    public static Precision GuessPrecision(long value)
    {
        // Unsigned magnitude so that long.MinValue does not overflow.
        var magnitude = value < 0 ? (ulong)-(value + 1) + 1 : (ulong)value;
        var v = magnitude / 1_000_000_000UL;
        return v switch
        {
            < 5 => Precision.Second,
            < 5_000 => Precision.Millisecond,
            < 5_000_000 => Precision.Microsecond,
            _ => Precision.Nanosecond,
        };
    }
}
