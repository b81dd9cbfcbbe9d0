namespace Tsdb.ObjectStore;

/// <summary>
/// A failure of the store itself (network, server, disk, permissions). <see cref="IsTransient"/> tells whether
/// the same request may succeed if retried (5xx, throttling, timeouts, dropped connections); permanent failures
/// (bad credentials, missing bucket, a key that collides with a directory) will not.
/// </summary>
public class ObjectStoreException : Exception
{
    public ObjectStoreException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    public bool IsTransient { get; }
}
