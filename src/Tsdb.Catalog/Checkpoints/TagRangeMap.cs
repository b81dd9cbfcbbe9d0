using System.Diagnostics.CodeAnalysis;

namespace Tsdb.Catalog.Checkpoints;

/// <summary>
/// A file's few tag ranges as read from a checkpoint: one array, searched in order, instead of a dictionary's three
/// objects. A load builds 100,000 of these and every one survives; fewer and smaller objects are most of what the
/// garbage collector then spends (docs/performance.md, "Binary catalog checkpoints"). Files with many tags get a
/// dictionary instead (<see cref="MaxEntries"/>), so a lookup never scans far.
/// </summary>
internal sealed class TagRangeMap(KeyValuePair<string, TagRange>[] entries) : IReadOnlyDictionary<string, TagRange>
{
    public const int MaxEntries = 16;

    public int Count => entries.Length;

    public TagRange this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no tag range of '{key}'");

    public IEnumerable<string> Keys => entries.Select(e => e.Key);

    public IEnumerable<TagRange> Values => entries.Select(e => e.Value);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TagRange value)
    {
        foreach (var entry in entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, TagRange>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TagRange>>)entries).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
