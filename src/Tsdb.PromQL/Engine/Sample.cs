namespace Tsdb.PromQL.Engine;

/// <summary>
/// One element of an instant vector during evaluation. <see cref="T"/> is the sample's own timestamp for selector
/// output (what <c>timestamp()</c> reports) and the evaluation time otherwise. <see cref="DropName"/> marks a
/// metric name that is removed when the query finishes (Prometheus' delayed name removal).
/// </summary>
internal readonly record struct Sample(Labels Metric, double F, long T, bool DropName);
