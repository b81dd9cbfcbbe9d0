namespace Tsdb.Query.Execution;

/// <summary>
/// One query's private directory for sort runs, under a shared parent. It is named and created only when a sort first
/// spills, so the many queries that never spill cost no random name, no file-system call and no cleanup.
/// </summary>
public sealed class SpillDirectory(string parent)
{
    private readonly Lock _lock = new();
    private string? _path;

    /// <summary>The directory the runs go to (a fresh name under the parent); null until <see cref="Create"/>.</summary>
    public string? Path => Volatile.Read(ref _path);

    /// <summary>Creates the directory on the first call and returns its path; later calls return the same path.</summary>
    public string Create()
    {
        lock (_lock)
        {
            if (_path is null)
            {
                var path = System.IO.Path.Combine(parent, Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(path);
                Volatile.Write(ref _path, path);
            }
            return _path;
        }
    }

    /// <summary>Deletes the directory and whatever is left in it, if it was ever created.</summary>
    public void Delete()
    {
        if (Path is not { } path)
        {
            return;
        }
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A spill file still open elsewhere: the temp directory's owner cleans it up later.
        }
    }
}
