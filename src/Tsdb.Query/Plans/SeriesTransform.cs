using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>
/// One value column of a <see cref="SeriesTransformPlan"/>: the <see cref="Function"/> applied to it, the time
/// <see cref="Unit"/> (ns) of derivatives and elapsed, and the window <see cref="N"/> of a moving average.
/// </summary>
public sealed record SeriesTransform(int Column, SeriesFunction Function, long Unit = 1_000_000_000, int N = 0)
{
    /// <summary>The column's type after the function.</summary>
    public ArrowType ResultType(ArrowType input) => Function switch
    {
        SeriesFunction.None => input,
        SeriesFunction.Derivative or SeriesFunction.NonNegativeDerivative or SeriesFunction.MovingAverage => ArrowType.Float64,
        SeriesFunction.Elapsed => ArrowType.Int64,
        _ => input.IsInteger ? ArrowType.Int64 : ArrowType.Float64,
    };

    public string Describe(string name) => Function switch
    {
        SeriesFunction.None => name,
        SeriesFunction.MovingAverage => $"moving_average({name}, {N})",
        SeriesFunction.Derivative or SeriesFunction.NonNegativeDerivative or SeriesFunction.Elapsed => $"{Function}({name}, {Unit}ns)",
        _ => $"{Function}({name})",
    };
}
