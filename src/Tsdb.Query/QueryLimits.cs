namespace Tsdb.Query;

/// <summary>Limits of the engine: how many statements run at once and how many bytes of batches one may materialise.</summary>
public sealed record QueryEngineOptions
{
    /// <summary>Statements that may run at the same time; one more is refused (not queued).</summary>
    public int MaxConcurrentQueries { get; init; } = 16;

    /// <summary>Bytes of Arrow buffers one statement may materialise (scanned batches, intermediate and final results).</summary>
    public long MaxQueryMemoryBytes { get; init; } = 1L << 30;

    /// <summary>
    /// The budget all queries, persists and compactions of the process share (null: none). A query takes
    /// <see cref="BaseReservationBytes"/> from it before it starts, and every reservation of its operators besides.
    /// </summary>
    public Tsdb.Core.Diagnostics.ProcessMemory? ProcessMemory { get; init; }

    /// <summary>
    /// What a query reserves before it plans, for what its operators' reservations do not see (batches in flight
    /// between operators, the answer's formatting): a quarter of <see cref="MaxQueryMemoryBytes"/>, at most 16 MiB. When
    /// the process budget cannot give it, the query is refused before it allocates.
    /// </summary>
    public long BaseReservationBytes => Math.Min(MaxQueryMemoryBytes / 4, 16L << 20);

    /// <summary>Where sorts spill their runs (a directory per query under it); the system temp directory when null.</summary>
    public string? SpillDirectory { get; init; }

    /// <summary>Rows per slice of a stored batch in a fused scan (<see cref="Execution.TaskContext.MorselRows"/>); tests make it small.</summary>
    internal int MorselRows { get; init; } = 8192;
}

/// <summary>Which limit a <see cref="QueryLimitException"/> reports.</summary>
public enum QueryLimit
{
    Concurrency,
    Memory,

    /// <summary>The process-wide memory budget (<c>--process-memory-limit</c>) is in use by other work: retry later.</summary>
    ProcessMemory,
}

/// <summary>A statement refused or stopped by a limit of <see cref="QueryEngineOptions"/>.</summary>
public sealed class QueryLimitException(QueryLimit limit, string message) : Exception(message)
{
    public QueryLimit Limit { get; } = limit;
}
