using System.Globalization;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Execution;

/// <summary>
/// The bytes one query may hold (<c>--query-memory-limit</c>). Every operator that keeps rows past the batch it is
/// working on (sort, hash build, aggregate state, materialised subqueries) holds a <see cref="MemoryReservation"/>
/// and grows it before it keeps more; an operator that can spill asks with <see cref="MemoryReservation.TryGrow"/> and
/// spills when refused, one that cannot calls <see cref="MemoryReservation.Grow"/>, which fails the query with a
/// message naming the operator.
/// </summary>
public sealed class QueryMemoryPool(long limit)
{
    private long _used;
    private long _peak;

    public long Limit { get; } = limit;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>The most this query held at once.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    public MemoryReservation Reserve(string consumer) => new(this, consumer);

    internal bool TryAdd(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            var next = used + bytes;
            if (bytes > 0 && next > Limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _used, next, used) == used)
            {
                long peak;
                while (next > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, next, peak) != peak)
                {
                }
                return true;
            }
        }
    }

    /// <summary>Bytes of the Arrow buffers behind a batch (a dictionary is counted with each batch that carries it).</summary>
    public static long SizeOf(RecordBatch batch)
    {
        long bytes = 0;
        foreach (var column in batch.Columns)
        {
            bytes += SizeOf(column.Data);
        }
        return bytes;
    }

    public static long SizeOf(ArrowArray array) => SizeOf(array.Data);

    private static long SizeOf(ArrayData data)
    {
        long bytes = 0;
        foreach (var b in data.Buffers)
        {
            bytes += b.Length;
        }
        return bytes + (data.Dictionary is null ? 0 : SizeOf(data.Dictionary));
    }

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}

/// <summary>One operator's share of a <see cref="QueryMemoryPool"/>; disposing it gives the bytes back.</summary>
public sealed class MemoryReservation(QueryMemoryPool pool, string consumer) : IDisposable
{
    private long _size;

    public string Consumer { get; } = consumer;

    public long Size => Interlocked.Read(ref _size);

    public QueryMemoryPool Pool { get; } = pool;

    /// <summary>Grows by <paramref name="bytes"/> if the pool has room; false (and nothing reserved) when it has not.</summary>
    public bool TryGrow(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (!Pool.TryAdd(bytes))
        {
            return false;
        }
        Interlocked.Add(ref _size, bytes);
        return true;
    }

    /// <summary>Grows by <paramref name="bytes"/> or fails the query (HTTP 413) naming this operator.</summary>
    public void Grow(long bytes)
    {
        if (!TryGrow(bytes))
        {
            throw new QueryLimitException(QueryLimit.Memory, string.Create(CultureInfo.InvariantCulture,
                $"the query exceeded its memory limit of {QueryMemoryPool.Format(Pool.Limit)}: {Consumer} needed {QueryMemoryPool.Format(bytes)} more while holding {QueryMemoryPool.Format(Size)} (the query held {QueryMemoryPool.Format(Pool.Used)}); narrow the time range, filter more or aggregate"));
        }
    }

    public void Shrink(long bytes)
    {
        bytes = Math.Min(bytes, Size);
        Interlocked.Add(ref _size, -bytes);
        Pool.TryAdd(-bytes);
    }

    /// <summary>Gives everything back (after a spill, or when the operator is done).</summary>
    public void Free() => Shrink(Size);

    public void Dispose() => Free();
}
