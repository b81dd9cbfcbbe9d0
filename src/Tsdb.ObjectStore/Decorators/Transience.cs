namespace Tsdb.ObjectStore;

internal static class Transience
{
    /// <summary>
    /// Whether retrying may help: a transient <see cref="ObjectStoreException"/>, or a timeout from below
    /// (a cancellation the caller did not ask for). Not-found, argument errors and permanent failures never.
    /// </summary>
    public static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        ObjectStoreException store => store.IsTransient,
        OperationCanceledException => !ct.IsCancellationRequested,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>What the caller gets once retries are spent: always an <see cref="ObjectStoreException"/>.</summary>
    public static ObjectStoreException Exhausted(Exception last, ObjectStoreOperation operation, string key, int attempts) =>
        last as ObjectStoreException
        ?? new ObjectStoreException($"{operation} of '{key}' timed out ({attempts} attempts): {last.Message}", isTransient: true, last);
}
