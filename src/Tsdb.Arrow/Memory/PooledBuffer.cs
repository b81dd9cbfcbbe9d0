using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tsdb.Arrow.Memory;

/// <summary>
/// One 64-byte-aligned block rented from an <see cref="AlignedMemoryPool"/>. Disposing returns it to the pool;
/// whoever still reads it afterwards sees undefined bytes, so arrays dispose their blocks only when told to.
/// </summary>
public sealed class PooledBuffer : IDisposable
{
    private readonly AlignedMemoryPool _pool;
    private readonly int _sizeClass;
    private byte[]? _array;
    private readonly int _start;

    internal unsafe PooledBuffer(AlignedMemoryPool pool, byte[] array, int capacity, int sizeClass)
    {
        _pool = pool;
        _array = array;
        _sizeClass = sizeClass;
        Capacity = capacity;
        // A large array is pinned (POH), so its address never moves and the aligned start stays aligned; a small one
        // may move, and then is merely unaligned (see AlignedMemoryPool.PinnedFrom).
        var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        _start = (int)((AlignedMemoryPool.Alignment - (address % AlignedMemoryPool.Alignment)) % AlignedMemoryPool.Alignment);
    }

    public int Capacity { get; }

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledBuffer))).AsMemory(_start, Capacity);

    public Span<byte> Span => (_array ?? throw new ObjectDisposedException(nameof(PooledBuffer))).AsSpan(_start, Capacity);

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            _pool.Return(array, _sizeClass);
        }
    }
}
