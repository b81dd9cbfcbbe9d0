using Tsdb.Catalog;

namespace Tsdb.Storage.Deletes;

/// <summary>Bookkeeping of row deletes shared by persist and compaction.</summary>
public static class Tombstones
{
    /// <summary>Forgets the row deletes that reach nothing any more (applied to every file and buffered row they reached).</summary>
    public static void ForgetFolded(CatalogEditor editor)
    {
        ArgumentNullException.ThrowIfNull(editor);
        var files = editor.Files;
        var persisted = editor.PersistedSequence;
        var done = editor.Tombstones.Where(t => persisted >= t.Sequence && !files.Any(t.Reaches)).Select(t => t.Id).ToList();
        if (done.Count > 0)
        {
            editor.RemoveTombstones(done);
        }
    }
}
