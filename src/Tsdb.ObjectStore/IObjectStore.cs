namespace Tsdb.ObjectStore;

/// <summary>
/// Where persisted Parquet files and the catalog log live. Keys are '/'-separated relative paths
/// (see <see cref="ObjectKey"/>). Every implementation passes the same conformance suite.
/// </summary>
/// <remarks>
/// Errors: an invalid key is an <see cref="ArgumentException"/>; a missing object (where one is required) is an
/// <see cref="ObjectNotFoundException"/>; a range outside the object is an <see cref="ArgumentOutOfRangeException"/>;
/// every other failure of the store is an <see cref="ObjectStoreException"/> that says whether retrying may help.
/// Cancellation through the caller's token surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
public interface IObjectStore
{
    /// <summary>Writes the object, replacing any existing one. Readers see the old or the new bytes, never a mix.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <summary>
    /// Starts writing an object part by part, for objects too large to hold in memory: nothing is visible under
    /// <paramref name="key"/> until <see cref="IObjectWriter.CompleteAsync"/>, then the whole object replaces any
    /// existing one at once; an aborted or abandoned writer leaves no object. See <see cref="IObjectWriter"/> for the
    /// contract and <see cref="ObjectWriteStream"/> for writing through a <see cref="Stream"/>.
    /// Overwrite semantics only: there is no streaming put-if-absent.
    /// </summary>
    /// <exception cref="ArgumentException">the key is invalid.</exception>
    Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// Writes the object only if the key does not exist yet. Atomic: of two racing writers exactly one gets true.
    /// </summary>
    /// <returns>false if the key already existed (the existing object is left as it was).</returns>
    Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <exception cref="ObjectNotFoundException">the key does not exist.</exception>
    Task<byte[]> GetAsync(string key, CancellationToken ct = default);

    /// <summary>Reads exactly <paramref name="length"/> bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ObjectNotFoundException">the key does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">the range is negative or reaches past the end of the object.</exception>
    Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default);

    /// <summary>
    /// Reads several ranges of one object, each filling its destination exactly. A store may serve them together (the
    /// local store opens the file once): a selective query asks for a handful of pages at a time.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">the key does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a range is negative or reaches past the end of the object.</exception>
    async Task GetRangesAsync(string key, IReadOnlyList<ObjectRange> ranges, CancellationToken ct = default)
    {
        foreach (var range in ranges)
        {
            var bytes = await GetRangeAsync(key, range.Offset, range.Destination.Length, ct).ConfigureAwait(false);
            if (bytes.Length != range.Destination.Length)
            {
                throw new IOException($"'{key}': asked for {range.Destination.Length} bytes at {range.Offset}, got {bytes.Length}");
            }
            bytes.CopyTo(range.Destination);
        }
    }

    /// <returns>the object's metadata, or null if the key does not exist.</returns>
    Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/> (a plain string prefix, not only whole
    /// segments), in <see cref="ObjectKey.Compare"/> order. Pages through large listings internally.
    /// </summary>
    IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, CancellationToken ct = default);

    /// <summary>Removes the object. Deleting a missing key is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);
}
