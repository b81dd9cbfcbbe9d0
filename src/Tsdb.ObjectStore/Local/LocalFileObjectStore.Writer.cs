using Microsoft.Win32.SafeHandles;
using Tsdb.Core.IO;

namespace Tsdb.ObjectStore;

public sealed partial class LocalFileObjectStore
{
    /// <summary>
    /// A temporary file next to the target (invisible: never listed), written at explicit offsets; completion fsyncs
    /// it, renames it over the target and fsyncs the directory, as <see cref="PutAsync"/> does.
    /// </summary>
    public Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            ThrowIfDirectory(key, path);
            var directory = Path.GetDirectoryName(path)!;
            var temporary = Path.Join(directory, TemporaryName(Path.GetFileName(path)));
            for (var attempt = 1; ; attempt++)
            {
                CreateDirectoryDurably(directory);
                try
                {
                    // The temporary file keeps the directory non-empty, so a concurrent delete cannot remove it under us.
                    var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                    return Task.FromResult<IObjectWriter>(new Writer(this, key, path, temporary, handle));
                }
                catch (DirectoryNotFoundException) when (attempt < DirectoryRaceAttempts)
                {
                }
            }
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw Failure(ObjectStoreOperation.WritePart, key, e);
        }
    }

    /// <summary>
    /// Writes go straight to the file (no buffer: memory is the caller's part). Each part is written at its offset,
    /// so a part that failed half-way is simply written again over its own bytes; completion trims the file to the
    /// bytes accepted. Synchronous inside the returned tasks, like every write of this store.
    /// </summary>
    private sealed class Writer(LocalFileObjectStore store, string key, string path, string temporary, SafeFileHandle handle)
        : ObjectWriterBase(key, minimumPartSize: 1)
    {
        private bool _published;

        protected override Task WritePartCoreAsync(ReadOnlyMemory<byte> part, long offset, CancellationToken ct)
        {
            try
            {
                RandomAccess.Write(handle, part.Span, offset);
                return Task.CompletedTask;
            }
            catch (Exception e) when (IsFileSystemError(e))
            {
                throw Failure(ObjectStoreOperation.WritePart, Key, e);
            }
        }

        protected override Task CompleteCoreAsync(ReadOnlyMemory<byte> lastPart, long offset, CancellationToken ct)
        {
            var directory = Path.GetDirectoryName(path)!;
            try
            {
                if (!handle.IsClosed)
                {
                    RandomAccess.Write(handle, lastPart.Span, offset);
                    RandomAccess.SetLength(handle, offset + lastPart.Length);
                    RandomAccess.FlushToDisk(handle);
                    handle.Dispose();
                }
                if (!_published)
                {
                    ThrowIfDirectory(Key, path);
                    File.Move(temporary, path, overwrite: true);
                    _published = true;
                }
                DurableFile.SyncDirectory(directory);
                return Task.CompletedTask;
            }
            catch (Exception e) when (IsFileSystemError(e))
            {
                throw Failure(ObjectStoreOperation.CompleteWrite, Key, e);
            }
        }

        protected override Task AbortCoreAsync(CancellationToken ct)
        {
            try
            {
                handle.Dispose();
                File.Delete(temporary); // not an error if missing
                store.RemoveEmptyDirectories(Path.GetDirectoryName(path)!);
                return Task.CompletedTask;
            }
            catch (Exception e) when (IsFileSystemError(e))
            {
                throw Failure(ObjectStoreOperation.AbortWrite, Key, e);
            }
        }
    }
}
