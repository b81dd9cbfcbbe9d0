using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tsdb.Catalog;
using Tsdb.ObjectStore;
using Tsdb.Parquet.Reading;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Persistence;

namespace Tsdb.Storage.Chunks;

/// <summary>
/// Open Parquet files shared by every scan: footers by path (files are immutable, so an entry never goes stale; a
/// deleted file's entry just fails to read and is dropped), and the <see cref="ReadCache"/> of tag dictionaries and
/// decompressed pages that selective reads (a few series of a file) share.
/// </summary>
/// <param name="readCacheBytes">Budget of the read cache (0: none).</param>
public sealed class ParquetFiles(IObjectStore store, long readCacheBytes = ParquetFiles.DefaultReadCacheBytes)
{
    public const long DefaultReadCacheBytes = 128L << 20;

    private const int MaxCachedFooters = 4096;

    private readonly ConcurrentDictionary<string, ParquetReader> _footers = new(StringComparer.Ordinal);

    private readonly ReadCache? _cache = readCacheBytes > 0 ? new(readCacheBytes) : null;

    public IObjectStore Store => store;

    /// <summary>A file's reader (footer cached); tags read as dictionaries.</summary>
    /// <exception cref="ObjectNotFoundException">The file is gone.</exception>
    public async ValueTask<ParquetReader> OpenAsync(ParquetFileEntry file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (_footers.TryGetValue(file.Path, out var cached))
        {
            return cached;
        }
        var options = new ParquetReadOptions { DictionaryColumns = file.TagRanges.Keys.ToHashSet(StringComparer.Ordinal), Cache = _cache };
        var reader = await ParquetReader.OpenAsync(new ObjectStoreSource(store, file.Path, file.SizeBytes), options, cancellationToken).ConfigureAwait(false);
        if (_footers.Count >= MaxCachedFooters)
        {
            _footers.Clear();
        }
        _footers[file.Path] = reader;
        return reader;
    }

    /// <summary>Each open file's <see cref="TagTimes"/> by column, decoded once (null: the file has none for it); dropped with the reader.</summary>
    private readonly ConditionalWeakTable<ParquetReader, ConcurrentDictionary<string, TagTimes?>> _tagTimes = [];

    /// <summary>The file's <see cref="TagTimes"/> of one tag column, from its footer; null when the file did not record them.</summary>
    /// <exception cref="ObjectNotFoundException">The file is gone.</exception>
    public async ValueTask<TagTimes?> TagTimesAsync(ParquetFileEntry file, string column, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(column);
        var reader = await OpenAsync(file, cancellationToken).ConfigureAwait(false);
        return _tagTimes.GetValue(reader, _ => new(StringComparer.Ordinal)).GetOrAdd(column, static (c, r) =>
        {
            var key = TagTimesMetadata.KeyPrefix + c;
            var pair = r.Metadata.KeyValueMetadata?.Find(kv => kv.Key == key);
            return pair?.Value is { } text ? TagTimesMetadata.Decode(text) : null;
        }, reader);
    }

    /// <summary>Forgets a file that turned out to be gone.</summary>
    public void Forget(string path) => _footers.TryRemove(path, out _);
}
