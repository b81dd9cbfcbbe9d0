using System.Collections.Concurrent;
using System.Numerics;

namespace Tsdb.Arrow.Memory;

/// <summary>
/// Hands out 64-byte-aligned blocks carved from arrays (pinned from 64 KiB), in power-of-two size classes, and keeps returned
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
    /// Blocks below this size are ordinary arrays: allocating on the pinned object heap takes the allocator's slow,
    /// locked path every time (a third of the CPU of remote-write ingest, whose builders grow through many small
    /// blocks), while an ordinary small array is a pointer bump. The GC may move such a block, so its start may stop
    /// being 64-byte aligned: a small block loses nothing measurable by that, and nothing relies on its address.
    /// </summary>
    internal const int PinnedFrom = 64 << 10;

    private static byte[] Allocate(int capacity) =>
        GC.AllocateUninitializedArray<byte>(checked(capacity + Alignment - 1), pinned: capacity >= PinnedFrom);
}
