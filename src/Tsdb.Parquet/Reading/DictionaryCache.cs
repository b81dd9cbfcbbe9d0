using System.Collections.Concurrent;

namespace Tsdb.Parquet.Reading;

/// <summary>
/// Decoded dictionary pages of column chunks, shared by the readers given the same <see cref="ParquetReadOptions"/>,
/// within a byte budget (the oldest entries leave first). A selective read — a few pages of a tag-sorted file — would
/// otherwise read and decode a whole dictionary (thousands of tag values) for a few rows, every time it is asked.
/// Files never change, so an entry is never stale; a reader that is dropped leaves its entries to age out.
/// </summary>
public sealed class DictionaryCache(long capacityBytes)
{
    private readonly ConcurrentDictionary<(object Chunk, int Column), ChunkDictionary> _entries = new();
    private readonly ConcurrentQueue<(object Chunk, int Column)> _order = new();
    private long _bytes;

    public long CapacityBytes { get; } = capacityBytes;

    /// <summary>Bytes of the dictionaries held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _entries.Count;

    internal bool TryGet(object chunk, int column, out ChunkDictionary dictionary) =>
        _entries.TryGetValue((chunk, column), out dictionary!);

    internal void Add(object chunk, int column, ChunkDictionary dictionary)
    {
        // One dictionary may take an eighth of the budget, so a few large ones cannot push everything else out.
        if (dictionary.Bytes > CapacityBytes / 8 || !_entries.TryAdd((chunk, column), dictionary))
        {
            return;
        }
        _order.Enqueue((chunk, column));
        Interlocked.Add(ref _bytes, dictionary.Bytes);
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
