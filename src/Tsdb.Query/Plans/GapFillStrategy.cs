namespace Tsdb.Query.Plans;

/// <summary>What a gap-filled column holds in a bin that has no row, or where its value is null.</summary>
public enum GapFillStrategy
{
    /// <summary>Missing bins are null; nulls in present rows stay.</summary>
    Null,

    /// <summary>Missing bins get a constant (count's 0, as IOx fills aggregates that never return null); present rows stay.</summary>
    Default,

    /// <summary>locf(x): the last non-null value of the series so far, for missing bins and null values (IOx's PrevNullAsMissing).</summary>
    Locf,

    /// <summary>interpolate(x): linear between the non-null neighbours in time, for missing bins and null values; null at the ends.</summary>
    Interpolate,
}
