using System.Collections.Concurrent;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Reading;

/// <summary>
/// What selective reads keep between queries, shared by the readers given the same <see cref="ParquetReadOptions"/>,
/// within a byte budget (the oldest entries leave first): column chunks' decoded dictionaries, and data pages
/// decompressed (the "uncompressed cache" of other engines). A dashboard that asks for the same few series of a
/// tag-sorted file again and again would otherwise read and decompress the same pages and the same dictionary of
/// thousands of tag values every time, for a few rows. Files never change, so an entry is never stale; a reader that
/// is dropped leaves its entries to age out. Whole-chunk scans neither use nor fill it.
/// </summary>
public sealed class ReadCache(long capacityBytes)
{
    private readonly ConcurrentDictionary<(object Owner, long Key), Entry> _entries = new();
    private readonly ConcurrentQueue<(object Owner, long Key)> _order = new();
    private long _bytes;

    private abstract record Entry(long Bytes);

    private sealed record DictionaryEntry(ChunkDictionary Dictionary) : Entry(Dictionary.Bytes);

    private sealed record PageEntry(CachedPage Page) : Entry(64 + Page.Data.LongLength + Page.IndexBytes);

    public long CapacityBytes { get; } = capacityBytes;

    /// <summary>Bytes held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _entries.Count;

    /// <summary>A column chunk's dictionary: owner is the row group, key the column.</summary>
    internal bool TryGetDictionary(object rowGroup, int column, out ChunkDictionary dictionary)
    {
        dictionary = _entries.TryGetValue((rowGroup, column), out var entry) && entry is DictionaryEntry d ? d.Dictionary : null!;
        return dictionary is not null;
    }

    internal void AddDictionary(object rowGroup, int column, ChunkDictionary dictionary) => Add((rowGroup, column), new DictionaryEntry(dictionary));

    /// <summary>A data page: owner is the file's reader, key the page's offset in the file.</summary>
    internal bool TryGetPage(object file, long offset, out CachedPage page)
    {
        page = _entries.TryGetValue((file, offset), out var entry) && entry is PageEntry p ? p.Page : null!;
        return page is not null;
    }

    internal void AddPage(object file, long offset, CachedPage page) => Add((file, offset), new PageEntry(page));

    private void Add((object, long) key, Entry entry)
    {
        // One entry may take an eighth of the budget, so a few large ones cannot push everything else out.
        if (entry.Bytes > CapacityBytes / 8 || !_entries.TryAdd(key, entry))
        {
            return;
        }
        _order.Enqueue(key);
        Interlocked.Add(ref _bytes, entry.Bytes);
        while (Interlocked.Read(ref _bytes) > CapacityBytes && _order.TryDequeue(out var oldest))
        {
            if (_entries.TryRemove(oldest, out var evicted))
            {
                Interlocked.Add(ref _bytes, -evicted.Bytes);
            }
        }
    }
}

/// <summary>A column chunk's dictionary, decoded into the typed arrays its pages' indices point into.</summary>
internal sealed record ChunkDictionary(int Count, long[] Longs, int[] Ints, double[] Doubles, float[] Floats, int[] Offsets, byte[] Data)
{
    public long Bytes { get; } = 64 + (Longs.LongLength * 8) + (Ints.LongLength * 4) + (Doubles.LongLength * 8) + (Floats.LongLength * 4) + (Offsets.LongLength * 4) + Data.LongLength;
}

/// <summary>
/// A version-1 data page, decompressed: its header and its levels and values as they are on the page; for a
/// DELTA_BINARY_PACKED page, also the index of its blocks once a read needed it (charged to the cache up front).
/// </summary>
internal sealed class CachedPage(PageHeader Header, byte[] Data)
{
    private Encodings.DeltaBinaryPacked.BlockIndex? _blocks;
    private bool _blocksBuilt;

    public PageHeader Header { get; } = Header;

    public byte[] Data { get; } = Data;

    /// <summary>What the block index of a delta-encoded page may take.</summary>
    public long IndexBytes => Header.DataPageHeader is { Encoding: Encoding.DeltaBinaryPacked } h
        ? Encodings.DeltaBinaryPacked.BlockIndex.BytesFor(h.NumValues) : 0;

    /// <summary>
    /// The block index of the page's delta-encoded <paramref name="values"/> (the same bytes every call), built at the
    /// first call; null for blocks too small to index. Two readers racing build it twice, harmlessly.
    /// </summary>
    public Encodings.DeltaBinaryPacked.BlockIndex? DeltaBlocks(ReadOnlySpan<byte> values)
    {
        if (!Volatile.Read(ref _blocksBuilt))
        {
            _blocks = Encodings.DeltaBinaryPacked.Index(values);
            Volatile.Write(ref _blocksBuilt, true);
        }
        return _blocks;
    }
}
