namespace Tsdb.Query.Plans;

/// <summary>What a <see cref="SeriesTransformPlan"/> computes for one value column, walking each series in time order.</summary>
public enum SeriesFunction
{
    /// <summary>The value as it is.</summary>
    None,

    /// <summary>(v − previous v) / ((t − previous t) / unit), as float.</summary>
    Derivative,

    /// <summary>Derivative, negative results dropped.</summary>
    NonNegativeDerivative,

    /// <summary>v − previous v.</summary>
    Difference,

    /// <summary>Difference, negative results dropped.</summary>
    NonNegativeDifference,

    /// <summary>(t − previous t) / unit, as integer.</summary>
    Elapsed,

    /// <summary>The mean of the last N values, from the Nth value on.</summary>
    MovingAverage,

    /// <summary>The running sum.</summary>
    CumulativeSum,
}
