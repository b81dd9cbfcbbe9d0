namespace Tsdb.ObjectStore;

/// <summary>What <see cref="FaultInjectingObjectStore"/> does instead of (or after) a call.</summary>
public enum InjectedFault
{
    /// <summary>Throw a transient <see cref="ObjectStoreException"/> without calling the store.</summary>
    Transient,

    /// <summary>Throw a permanent <see cref="ObjectStoreException"/> without calling the store.</summary>
    Permanent,

    /// <summary>Throw a <see cref="TaskCanceledException"/> the caller did not ask for, as an HTTP client timeout does.</summary>
    Timeout,

    /// <summary>
    /// Call the store, then throw a transient <see cref="ObjectStoreException"/>: the write took effect but the
    /// caller cannot know (a lost response). A listing fails after returning its first object.
    /// </summary>
    TransientAfterEffect,
}
