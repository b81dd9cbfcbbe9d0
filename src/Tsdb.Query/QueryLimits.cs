using System.Globalization;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query;

/// <summary>Limits of the engine: how many statements run at once and how many bytes of batches one may materialise.</summary>
public sealed record QueryEngineOptions
{
    /// <summary>Statements that may run at the same time; one more is refused (not queued).</summary>
    public int MaxConcurrentQueries { get; init; } = 16;

    /// <summary>Bytes of Arrow buffers one statement may materialise (scanned batches, intermediate and final results).</summary>
    public long MaxQueryMemoryBytes { get; init; } = 1L << 30;

    /// <summary>Where sorts spill their runs (a directory per query under it); the system temp directory when null.</summary>
    public string? SpillDirectory { get; init; }
}

/// <summary>Which limit a <see cref="QueryLimitException"/> reports.</summary>
public enum QueryLimit
{
    Concurrency,
    Memory,
}

/// <summary>A statement refused or stopped by a limit of <see cref="QueryEngineOptions"/>.</summary>
public sealed class QueryLimitException(QueryLimit limit, string message) : Exception(message)
{
    public QueryLimit Limit { get; } = limit;
}

/// <summary>Bytes materialised by one statement so far, against its limit.</summary>
internal sealed class MemoryBudget(long limit)
{
    private long _used;

    public long Used => Interlocked.Read(ref _used);

    public void Charge(RecordBatch batch)
    {
        long bytes = 0;
        foreach (var column in batch.Columns)
        {
            bytes += Size(column.Data);
        }
        Charge(bytes);
    }

    public void Charge(ArrowArray array) => Charge(Size(array.Data));

    private void Charge(long bytes)
    {
        var used = Interlocked.Add(ref _used, bytes);
        if (used > limit)
        {
            throw new QueryLimitException(QueryLimit.Memory, string.Create(CultureInfo.InvariantCulture,
                $"the query exceeded its memory limit of {limit} bytes (it materialised at least {used} bytes); narrow the time range, filter more or aggregate"));
        }
    }

    private static long Size(ArrayData data)
    {
        long bytes = 0;
        foreach (var b in data.Buffers)
        {
            bytes += b.Length;
        }
        return bytes + (data.Dictionary is null ? 0 : Size(data.Dictionary));
    }
}
