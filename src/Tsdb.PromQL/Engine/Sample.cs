namespace Tsdb.PromQL.Engine;

/// <summary>
/// One element of an instant vector during evaluation. <see cref="T"/> is the sample's own timestamp for selector
/// output (what <c>timestamp()</c> reports) and the evaluation time otherwise. <see cref="DropName"/> marks a
/// metric name that is removed when the query finishes (Prometheus' delayed name removal).
/// </summary>
internal readonly record struct Sample(Labels Metric, double F, long T, bool DropName)
{
    /// <summary>The native histogram when this sample is one (then <see cref="F"/> is meaningless).</summary>
    public FloatHistogram? H { get; init; }
}
