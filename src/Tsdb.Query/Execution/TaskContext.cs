using Tsdb.Arrow.Arrays;
using Tsdb.Query.Chunks;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>What every operator of one running query shares: the storage to scan, the memory pool, now(), cancellation, where to spill.</summary>
public sealed class TaskContext(ITableSource source, QueryMemoryPool memory, EvalContext eval, SpillDirectory spillDirectory, CancellationToken cancellationToken)
{
    public ITableSource Source { get; } = source;

    public QueryMemoryPool Memory { get; } = memory;

    public EvalContext Eval { get; } = eval;

    /// <summary>A directory private to this query for sort runs, made when one spills; the executor deletes it when the query ends.</summary>
    public SpillDirectory SpillDirectory { get; } = spillDirectory;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The most a scan decodes at once (<see cref="ScanMemory.BatchBytes"/>).</summary>
    public long ScanBatchBytes => ScanMemory.BatchBytes(Memory.Limit);

    /// <summary>
    /// The stored rows <paramref name="request"/> asks for, decoded in batches of at most <see cref="ScanBatchBytes"/>,
    /// each reserved from the process's budget before it is decoded (<see cref="ScanMemory"/>).
    /// </summary>
    public IAsyncEnumerable<RecordBatch> Scan(ScanRequest request, Action<IReadOnlyList<Chunks.IQueryChunk>>? chunksFound = null) =>
        ScanMemory.ReserveAsync(Source.ScanAsync(request with { MaxBatchBytes = ScanBatchBytes }, chunksFound, CancellationToken), Memory.Process, ScanBatchBytes, Parallelism + 1, CancellationToken);

    /// <summary>
    /// As <see cref="Scan(ScanRequest, Action{IReadOnlyList{IQueryChunk}}?)"/>, without the chunks <paramref name="answered"/>
    /// takes: the caller answered for their rows from the chunks themselves (their statistics) and needs no row of them.
    /// It is asked again for each chunk of a fresh list when the scan looks again (a file replaced under it).
    /// </summary>
    public IAsyncEnumerable<RecordBatch> Scan(ScanRequest request, Action<IReadOnlyList<IQueryChunk>>? chunksFound, Func<IQueryChunk, CancellationToken, ValueTask<bool>> answered) =>
        ScanMemory.ReserveAsync(new PartlyAnsweredSource(Source, answered).ScanAsync(request with { MaxBatchBytes = ScanBatchBytes }, chunksFound, CancellationToken), Memory.Process, ScanBatchBytes, Parallelism + 1, CancellationToken);

    /// <summary>Rows per output batch of operators that build their own (sort, aggregate, join).</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>Batches a scan filters at once on the thread pool (one per core).</summary>
    public int Parallelism { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Rows per task where a scan's batches are processed in one task each with the operator above (see
    /// <see cref="FusedScan"/>): storage hands over row groups of up to ~1 M rows, too few to keep the cores busy to
    /// the end, so each is cut into slices of this many rows (views, not copies). The default keeps the arrays a slice's
    /// work allocates under the large-object threshold (8192 × 8 bytes = 64 KB).
    /// </summary>
    public int MorselRows { get; init; } = new QueryEngineOptions().MorselRows;

    /// <summary>
    /// Batches of fewer rows are processed on the thread that read them, not handed to another (see
    /// <see cref="ScanExec.InParallel"/>): a selective read of a few series gives batches of a few hundred rows, each
    /// processed in less time than a hand-over and a wake-up take. Tests set 0 to send every batch to the pool.
    /// </summary>
    public int InlineRows { get; init; } = 2048;
}
