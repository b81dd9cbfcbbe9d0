namespace Tsdb.ObjectStore;

/// <summary>A consistent-enough copy of <see cref="MetricsObjectStore"/>'s counters (each counter is exact).</summary>
public sealed record ObjectStoreMetricsSnapshot(
    OperationMetrics Put,
    OperationMetrics PutIfAbsent,
    OperationMetrics Get,
    OperationMetrics GetRange,
    OperationMetrics Head,
    OperationMetrics List,
    OperationMetrics Delete,
    OperationMetrics WritePart = default,
    OperationMetrics CompleteWrite = default,
    OperationMetrics AbortWrite = default)
{
    public OperationMetrics this[ObjectStoreOperation operation] => operation switch
    {
        ObjectStoreOperation.Put => Put,
        ObjectStoreOperation.PutIfAbsent => PutIfAbsent,
        ObjectStoreOperation.Get => Get,
        ObjectStoreOperation.GetRange => GetRange,
        ObjectStoreOperation.Head => Head,
        ObjectStoreOperation.List => List,
        ObjectStoreOperation.Delete => Delete,
        ObjectStoreOperation.WritePart => WritePart,
        ObjectStoreOperation.CompleteWrite => CompleteWrite,
        ObjectStoreOperation.AbortWrite => AbortWrite,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    public long TotalCalls => Put.Calls + PutIfAbsent.Calls + Get.Calls + GetRange.Calls + Head.Calls + List.Calls + Delete.Calls
        + WritePart.Calls + CompleteWrite.Calls + AbortWrite.Calls;

    public long TotalErrors => Put.Errors + PutIfAbsent.Errors + Get.Errors + GetRange.Errors + Head.Errors + List.Errors + Delete.Errors
        + WritePart.Errors + CompleteWrite.Errors + AbortWrite.Errors;
}
