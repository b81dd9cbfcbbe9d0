using System.Runtime.CompilerServices;

namespace Tsdb.ObjectStore;

public sealed partial class LocalFileObjectStore
{
    /// <summary>
    /// Walks the tree depth-first in key order without collecting it: within a directory, entries sorted by
    /// name (directories as "name/") come out in exactly the order their keys sort, because every key below a
    /// directory shares the prefix "name/".
    /// </summary>
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        ct.ThrowIfCancellationRequested();
        await Task.CompletedTask.ConfigureAwait(false); // directory reads are synchronous; keep the iterator async
        var slash = prefix.LastIndexOf('/');
        var startKey = prefix[..(slash + 1)];     // whole segments: a directory to start in
        var namePrefix = prefix[(slash + 1)..];   // the partial segment: filters that directory's entries
        var pending = new Stack<Entry>();
        PushChildren(pending, Path.Join(Root, startKey), startKey, namePrefix);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var entry = pending.Pop();
            if (entry.Info is DirectoryInfo directory)
            {
                PushChildren(pending, directory.FullName, entry.SortKey, namePrefix: "");
                continue;
            }
            var meta = TryMeta(entry.SortKey, (FileInfo)entry.Info);
            if (meta is not null)
            {
                yield return meta;
            }
        }
    }

    private static void PushChildren(Stack<Entry> pending, string directory, string keyPrefix, string namePrefix)
    {
        FileSystemInfo[] children;
        try
        {
            children = new DirectoryInfo(directory).GetFileSystemInfos();
        }
        catch (DirectoryNotFoundException)
        {
            return; // nothing under this prefix, or removed by a concurrent delete
        }
        catch (IOException) when (File.Exists(directory))
        {
            return; // the prefix names a file, not a directory: nothing lies below it
        }
        var entries = new List<Entry>(children.Length);
        foreach (var child in children)
        {
            if (!child.Name.StartsWith(namePrefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (child is DirectoryInfo)
            {
                entries.Add(new Entry(keyPrefix + child.Name + "/", child));
            }
            else if (!ObjectKey.IsTemporaryName(child.Name))
            {
                entries.Add(new Entry(keyPrefix + child.Name, child));
            }
        }
        entries.Sort(static (a, b) => ObjectKey.Compare(b.SortKey, a.SortKey)); // descending: the stack pops ascending
        foreach (var entry in entries)
        {
            pending.Push(entry);
        }
    }

    private static ObjectMeta? TryMeta(string key, FileInfo file)
    {
        try
        {
            file.Refresh();
            return file.Exists ? Meta(key, file) : null; // deleted since the directory was read
        }
        catch (IOException)
        {
            return null;
        }
    }

    private readonly record struct Entry(string SortKey, FileSystemInfo Info);
}
