namespace Tsdb.ObjectStore;

/// <summary>
/// Writes one object as a sequence of parts, for objects too large to hold in memory (a compaction's output file).
/// Returned by <see cref="IObjectStore.OpenWriteAsync"/>; a synchronous producer such as a Parquet writer writes
/// through an <see cref="ObjectWriteStream"/>, which cuts the bytes into parts.
/// </summary>
/// <remarks>
/// <para><b>Visibility</b>: nothing appears under <see cref="Key"/> until <see cref="CompleteAsync"/> succeeds; then
/// the whole object (every part in order, then the last part) replaces any existing one at once, as
/// <see cref="IObjectStore.PutAsync"/> does. No reader ever sees a partial object. There is no put-if-absent form:
/// the last writer to complete wins.</para>
/// <para><b>Abandoning</b>: <see cref="AbortAsync"/>, or disposing a writer that has not completed, leaves no object
/// and nothing visible (S3: the multipart upload is aborted; local files: the temporary file is removed). A writer
/// lost to a crash leaves only invisible leftovers: temporary files for
/// <see cref="LocalFileObjectStore.DeleteStaleTemporaryFiles"/>, incomplete uploads for
/// <see cref="S3ObjectStore.AbortStaleUploadsAsync"/> (or a bucket lifecycle rule).</para>
/// <para><b>Memory</b>: a writer keeps no copy of the parts it was given once their calls complete (the in-memory
/// store excepted: its objects are memory). What a caller holds is its own part buffer.</para>
/// <para><b>Failures</b>: a failed <see cref="WritePartAsync"/> adds nothing to the object; the writer stays usable
/// and the same part may be written again (so <see cref="RetryingObjectStore"/> retries parts). A failed
/// <see cref="CompleteAsync"/> may be called again with the same last part; once it has succeeded, further calls
/// do nothing. Errors are those of <see cref="IObjectStore"/>: <see cref="ObjectStoreException"/> with
/// <see cref="ObjectStoreException.IsTransient"/>, the caller's cancellation as <see cref="OperationCanceledException"/>.</para>
/// <para>Not thread-safe: one call at a time, each awaited before the next.</para>
/// </remarks>
public interface IObjectWriter : IAsyncDisposable
{
    /// <summary>The key the object will appear under.</summary>
    string Key { get; }

    /// <summary>
    /// The fewest bytes a part given to <see cref="WritePartAsync"/> may hold (S3: 5 MiB; the local and in-memory
    /// stores: 1). The last part, given to <see cref="CompleteAsync"/>, may be shorter, or empty.
    /// </summary>
    int MinimumPartSize { get; }

    /// <summary>Bytes accepted so far (parts whose calls succeeded).</summary>
    long BytesWritten { get; }

    /// <summary>
    /// Appends a part. The writer is done with <paramref name="part"/> when the returned task completes: the caller
    /// may then reuse its buffer.
    /// </summary>
    /// <exception cref="ArgumentException">the part is shorter than <see cref="MinimumPartSize"/> (or empty).</exception>
    /// <exception cref="InvalidOperationException">the writer has completed or been aborted.</exception>
    Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default);

    /// <summary>
    /// Appends <paramref name="lastPart"/> (any length, empty included) and publishes the object atomically. An
    /// object of one part needs no <see cref="WritePartAsync"/> at all (S3 then sends a single PutObject).
    /// </summary>
    /// <exception cref="InvalidOperationException">the writer has been aborted.</exception>
    Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default);

    /// <summary>
    /// Discards everything written; no object appears and an existing one is left as it was. Does nothing after
    /// completion (the object stays: delete it to remove it) or a previous abort.
    /// </summary>
    Task AbortAsync(CancellationToken ct = default);
}
