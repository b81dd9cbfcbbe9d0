namespace Tsdb.Query.Plans;

/// <summary>The window functions the engine computes: ranking, offsets, frame values and aggregates over frames.</summary>
public enum WindowFunctionKind
{
    RowNumber,
    Rank,
    DenseRank,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    Count,
    Sum,
    Avg,
    Min,
    Max,
}
