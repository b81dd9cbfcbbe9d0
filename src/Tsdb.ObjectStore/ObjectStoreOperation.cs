namespace Tsdb.ObjectStore;

/// <summary>The operations of <see cref="IObjectStore"/>, for metrics and fault injection.</summary>
public enum ObjectStoreOperation
{
    Put,
    PutIfAbsent,
    Get,
    GetRange,
    Head,
    List,
    Delete,
}
