namespace Tsdb.ObjectStore;

/// <summary>Counts for one operation since the <see cref="MetricsObjectStore"/> was created.</summary>
/// <param name="Calls">calls started (a listing counts once).</param>
/// <param name="Errors">calls that failed, not counting not-found and the caller's cancellation.</param>
/// <param name="NotFound">gets of missing keys, and heads that answered null.</param>
/// <param name="BytesWritten">payload bytes sent into the store (puts).</param>
/// <param name="BytesRead">payload bytes returned from the store (gets and ranges).</param>
/// <param name="Objects">objects returned by listings.</param>
/// <param name="Duration">time spent in the calls, summed.</param>
public readonly record struct OperationMetrics(
    long Calls, long Errors, long NotFound, long BytesWritten, long BytesRead, long Objects, TimeSpan Duration);
