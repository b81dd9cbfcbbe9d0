namespace Tsdb.Arrow.Types;

/// <summary>Arrow's TimeUnit; the numeric values are the ones in Schema.fbs.</summary>
public enum TimeUnit : short
{
    Second = 0,
    Millisecond = 1,
    Microsecond = 2,
    Nanosecond = 3,
}
