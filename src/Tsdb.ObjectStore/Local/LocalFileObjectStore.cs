using System.Globalization;
using Tsdb.Core.IO;

namespace Tsdb.ObjectStore;

/// <summary>
/// The embedded default: one file per object under <see cref="Root"/>, at the key's path
/// (<c>dbs/mydb/cpu/2024-01-01/42.parquet</c> is <c>{root}/dbs/mydb/cpu/2024-01-01/42.parquet</c>).
/// </summary>
/// <remarks>
/// <para>Crash safety: a put writes a temporary file next to the target, fsyncs it, renames it over the target and
/// fsyncs the directory (<see cref="DurableFile"/>), and fsyncs the parent of every directory it had to create;
/// put-if-absent publishes the fsynced temporary file with a hard
/// link, which the kernel refuses atomically if the name exists, so it is exclusive across processes too.
/// Temporary files (".name.pid.guid.tmp") left by a crash are never listed; <see cref="DeleteStaleTemporaryFiles"/>
/// removes them.</para>
/// <para>Unlike S3, a file system cannot hold both "a" and "a/b": such a put fails with a permanent
/// <see cref="ObjectStoreException"/>. Deletes remove directories left empty.</para>
/// <para>Writes are synchronous inside the returned task (fsync has no asynchronous form); reads are asynchronous.</para>
/// </remarks>
public sealed partial class LocalFileObjectStore : IObjectStore
{
    // A concurrent delete may remove a directory a put has just created; the put then creates it again.
    private const int DirectoryRaceAttempts = 8;

    private readonly TimeProvider _timeProvider;

    public LocalFileObjectStore(string root, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _timeProvider = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            ThrowIfDirectory(key, path);
            for (var attempt = 1; ; attempt++)
            {
                CreateDirectoryDurably(Path.GetDirectoryName(path)!);
                try
                {
                    DurableFile.WriteAllBytes(path, data.Span);
                    return Task.CompletedTask;
                }
                catch (DirectoryNotFoundException) when (attempt < DirectoryRaceAttempts)
                {
                }
            }
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.Put, key, e);
        }
    }

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            ThrowIfDirectory(key, path);
            if (File.Exists(path))
            {
                return Task.FromResult(false); // the common loss needs no temporary file; the link below decides races
            }
            var directory = Path.GetDirectoryName(path)!;
            for (var attempt = 1; ; attempt++)
            {
                CreateDirectoryDurably(directory);
                try
                {
                    return Task.FromResult(PublishExclusively(key, path, directory, data.Span));
                }
                catch (DirectoryNotFoundException) when (attempt < DirectoryRaceAttempts)
                {
                }
            }
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.PutIfAbsent, key, e);
        }
    }

    public async Task<byte[]> GetAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsMissing(e, path))
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.Get, key, e);
        }
    }

    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        if (length < 0)
        {
            return Task.FromException<byte[]>(new ArgumentOutOfRangeException(nameof(length), length, "a range's length cannot be negative"));
        }
        var buffer = GC.AllocateUninitializedArray<byte>(length);
        var read = GetRangesAsync(key, [new ObjectRange(offset, buffer)], ct);
        return read.IsCompletedSuccessfully ? Task.FromResult(buffer) : Finish(read, buffer);

        static async Task<byte[]> Finish(Task read, byte[] buffer)
        {
            await read.ConfigureAwait(false);
            return buffer;
        }
    }

    public Task GetRangesAsync(string key, IReadOnlyList<ObjectRange> ranges, CancellationToken ct = default)
    {
        try
        {
            ReadRanges(key, ranges, ct);
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>
    /// Plain (blocking) preads through one handle: on Linux the asynchronous form is the same read queued to another
    /// pool thread, and for the few small ranges a selective query reads, that hop costs more than the reads.
    /// </summary>
    private void ReadRanges(string key, IReadOnlyList<ObjectRange> ranges, CancellationToken ct)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(ranges);
        foreach (var range in ranges)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(range.Offset, nameof(ranges));
        }
        ct.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            // The handle pins the inode: a concurrent put renames a new file over the name, this one stays whole.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var size = RandomAccess.GetLength(handle);
            foreach (var (offset, destination) in ranges)
            {
                RangeCheck.ThrowIfOutside(key, offset, destination.Length, size);
                var filled = 0;
                while (filled < destination.Length)
                {
                    var read = RandomAccess.Read(handle, destination.Span[filled..], offset + filled);
                    if (read == 0)
                    {
                        throw new IOException($"'{path}' ended at {offset + filled} while reading [{offset}, {offset + destination.Length})");
                    }
                    filled += read;
                }
            }
        }
        catch (Exception e) when (IsMissing(e, path))
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.GetRange, key, e);
        }
    }

    public Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        try
        {
            var info = new FileInfo(PathOf(key));
            return Task.FromResult(info.Exists ? Meta(key, info) : null); // false for directories too
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.Head, key, e);
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            if (!File.Exists(path))
            {
                return Task.CompletedTask;
            }
            File.Delete(path);
            var directory = Path.GetDirectoryName(path)!;
            DurableFile.SyncDirectory(directory); // a deleted file must not come back after a crash
            RemoveEmptyDirectories(directory);
            return Task.CompletedTask;
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.Delete, key, e);
        }
    }

    /// <summary>Removes temporary files older than <paramref name="olderThan"/> (left by crashed writers).</summary>
    /// <returns>how many were removed.</returns>
    public int DeleteStaleTemporaryFiles(TimeSpan olderThan)
    {
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*.tmp", SearchOption.AllDirectories))
        {
            if (ObjectKey.IsTemporaryName(file.Name) && file.LastWriteTimeUtc < cutoff)
            {
                try
                {
                    file.Delete();
                    removed++;
                }
                catch (IOException)
                {
                    // gone already, or a directory race: it is not ours to fail over
                }
            }
        }
        return removed;
    }

    private string PathOf(string key) => Path.Join(Root, key);

    private static bool PublishExclusively(string key, string path, string directory, ReadOnlySpan<byte> data)
    {
        var temporary = Path.Join(directory, TemporaryName(Path.GetFileName(path)));
        try
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            stream.Write(data);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            DurableFile.DeleteQuietly(temporary); // a full disk must not leave an invisible file behind
            throw;
        }
        bool created;
        try
        {
            created = TryCreateExclusively(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
        if (!created && Directory.Exists(path))
        {
            ThrowIfDirectory(key, path);
        }
        // One fsync makes both the new name and the removal of the temporary name durable (same directory).
        DurableFile.SyncDirectory(directory);
        return created;
    }

    /// <summary>Gives <paramref name="temporary"/>'s inode the name <paramref name="path"/> unless that exists.</summary>
    private static bool TryCreateExclusively(string temporary, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically if the target exists.
            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path) || Directory.Exists(path))
            {
                return false;
            }
        }
        // link(2) fails with EEXIST if the name exists, atomically; rename(2) would silently replace it.
        return Native.Link(temporary, path);
    }

    /// <summary>
    /// Creates the directory and any missing parents, fsyncing each new entry's parent: a file fsynced into a
    /// directory whose own entry was never made durable can vanish with it in a crash.
    /// </summary>
    private void CreateDirectoryDurably(string directory)
    {
        if (directory.Length <= Root.Length || Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory)!;
        CreateDirectoryDurably(parent);
        Directory.CreateDirectory(directory);
        DurableFile.SyncDirectory(parent);
    }

    private void RemoveEmptyDirectories(string directory)
    {
        for (var current = directory; current.Length > Root.Length && current.StartsWith(Root, StringComparison.Ordinal);
             current = Path.GetDirectoryName(current)!)
        {
            try
            {
                Directory.Delete(current, recursive: false); // rmdir: fails unless empty, so it cannot lose a file
            }
            catch (IOException)
            {
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static string TemporaryName(string fileName) =>
        string.Create(CultureInfo.InvariantCulture, $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    private static void ThrowIfDirectory(string key, string path)
    {
        if (Directory.Exists(path))
        {
            throw new ObjectStoreException(
                $"cannot write object '{key}': '{path}' is a directory (keys under '{key}/' exist; a file system cannot hold both)",
                isTransient: false);
        }
    }

    private static ObjectMeta Meta(string key, FileInfo info)
    {
        var modified = info.LastWriteTimeUtc;
        return new ObjectMeta(
            key,
            info.Length,
            new DateTimeOffset(modified, TimeSpan.Zero),
            string.Create(CultureInfo.InvariantCulture, $"{modified.Ticks:x}-{info.Length:x}"));
    }

    private static bool IsMissing(Exception e, string path) =>
        e is FileNotFoundException or DirectoryNotFoundException
        || (e is UnauthorizedAccessException && Directory.Exists(path)); // a directory is not an object

    private static bool IsFileSystemError(Exception e) => e is IOException or UnauthorizedAccessException;

    private static ObjectStoreException Failure(ObjectStoreOperation operation, string key, Exception e) =>
        new($"{operation} of '{key}' failed: {e.Message}", isTransient: false, e);
}
