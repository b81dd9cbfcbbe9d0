using System.Collections.Concurrent;
using System.Numerics;

namespace Tsdb.Arrow.Memory;

/// <summary>
/// Hands out 64-byte-aligned blocks carved from arrays (pinned from 128 KiB), in power-of-two size classes, and keeps returned
/// blocks for reuse. Arrow recommends 64-byte alignment so that SIMD loops never straddle a cache line at the start.
/// Blocks that are never returned are simply collected by the GC.
/// </summary>
public sealed class AlignedMemoryPool
{
    /// <summary>Alignment of every block's first byte.</summary>
    public const int Alignment = 64;

    private const int MinShift = 6;   // 64 B
    private const int MaxShift = 27;  // 128 MiB: larger blocks are not kept
    private const int KeptPerClass = 32;

    private readonly ConcurrentStack<byte[]>[] _classes;

    public static AlignedMemoryPool Shared { get; } = new();

    public AlignedMemoryPool()
    {
        _classes = new ConcurrentStack<byte[]>[MaxShift - MinShift + 1];
        for (var i = 0; i < _classes.Length; i++)
        {
            _classes[i] = new ConcurrentStack<byte[]>();
        }
    }

    /// <summary>A block of at least <paramref name="minimumLength"/> bytes; its contents are undefined.</summary>
    public PooledBuffer Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var shift = Math.Max(MinShift, BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, 1))));
        if (shift > MaxShift)
        {
            return new PooledBuffer(this, Allocate(minimumLength), minimumLength, -1);
        }
        var capacity = 1 << shift;
        var cls = shift - MinShift;
        if (!_classes[cls].TryPop(out var array))
        {
            array = Allocate(capacity);
        }
        return new PooledBuffer(this, array, capacity, cls);
    }

    internal void Return(byte[] array, int sizeClass)
    {
        if (sizeClass >= 0 && _classes[sizeClass].Count < KeptPerClass)
        {
            _classes[sizeClass].Push(array);
        }
    }

    /// <summary>
    /// Blocks below this size are ordinary arrays, on the small-object heap (the 64 KiB class is 65,599 bytes, under
    /// the runtime's 85,000-byte large-object threshold), so the ones nobody returns die in cheap gen0 collections.
    /// Pinned-heap allocations, like large-object ones, count against the gen2 budget: when the 64 KiB class was pinned,
    /// the decode blocks of small queries (a column of a few thousand rows) set off a full collection every 10–15
    /// requests and doubled their CPU (docs/performance.md). Pinning also takes the allocator's slow, locked path every
    /// time (a third of the CPU of remote-write ingest, whose builders grow through many small blocks). The GC may move
    /// an ordinary block, so its start may stop being 64-byte aligned: nothing relies on its address, and SIMD loops
    /// lose nothing measurable by it. Larger blocks would be on the large-object heap anyway; pinned, they keep their
    /// alignment.
    /// </summary>
    internal const int PinnedFrom = 128 << 10;

    private static byte[] Allocate(int capacity) =>
        GC.AllocateUninitializedArray<byte>(checked(capacity + Alignment - 1), pinned: capacity >= PinnedFrom);
}
