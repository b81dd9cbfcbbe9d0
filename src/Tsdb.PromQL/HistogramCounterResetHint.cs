namespace Tsdb.PromQL;

/// <summary>
/// What a native histogram sample says about counter resets (Prometheus' CounterResetHint): unknown (detect by
/// comparing with the previous sample), a reset, certainly no reset, or a gauge histogram (never a counter).
/// </summary>
public enum HistogramCounterResetHint : byte
{
    Unknown = 0,
    CounterReset = 1,
    NotCounterReset = 2,
    Gauge = 3,
}
