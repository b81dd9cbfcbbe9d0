namespace Tsdb.ObjectStore;

/// <summary>The key does not exist. Never transient: retrying cannot make the object appear.</summary>
public sealed class ObjectNotFoundException : Exception
{
    public ObjectNotFoundException(string key, Exception? innerException = null)
        : base($"object '{key}' not found", innerException)
    {
        Key = key;
    }

    public string Key { get; }
}
