using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query;

/// <summary>What to do with a plan: run it, describe it (EXPLAIN), or run it and describe what each operator did.</summary>
public enum ExplainMode
{
    None,
    Explain,
    ExplainVerbose,
    Analyze,
}

/// <summary>
/// Runs logical plans, whichever language produced them: optimise, choose operators, stream the batches. It owns the
/// engine's limits (concurrent statements, memory per statement), the query log (system.queries) and the metadata views.
/// </summary>
public sealed class QueryExecutor
{
    private readonly ITableSource _source;
    private readonly TimeProvider _time;
    // Each query's spill directory goes under it (named only if the query spills).
    private readonly string _spillRoot;
    private int _running;

    public QueryExecutor(ITableSource source, TimeProvider time, QueryEngineOptions? options = null)
    {
        _source = source;
        _time = time;
        Options = options ?? new QueryEngineOptions();
        _spillRoot = Options.SpillDirectory ?? Path.Combine(Path.GetTempPath(), "tsdb-spill");
        Log = new QueryLog(time);
        Views = new MetadataViews(source, Log);
    }

    public QueryEngineOptions Options { get; }

    /// <summary>Running and recently finished statements (<c>system.queries</c>).</summary>
    public QueryLog Log { get; }

    public MetadataViews Views { get; }

    public ITableSource Source => _source;

    /// <summary>now() for a statement starting now, ns since the epoch.</summary>
    public long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;

    /// <summary>The plan as it will run (optimised), for schemas and EXPLAIN without running anything.</summary>
    public static LogicalPlan Optimize(LogicalPlan plan) => Optimizer.Optimize(plan);

    /// <summary>
    /// Plans with <paramref name="plan"/> (given the statement's now(); a <see cref="QueryException"/> from it reaches the
    /// caller as it is), optimises, starts the operators and returns once the first batch exists. Throws
    /// <see cref="QueryLimitException"/> when too many statements run or one exceeds its memory.
    /// </summary>
    public async Task<QueryStream> ExecuteAsync(string database, string text, string queryType, Func<long, LogicalPlan> plan, ExplainMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        TakeSlot();
        var entry = Log.Start(database, text, queryType);
        var outcome = QueryOutcome.Failed;
        string? error = null;
        var released = 0;
        var spill = new SpillDirectory(_spillRoot);
        var memory = new QueryMemoryPool(Options.MaxQueryMemoryBytes, Options.ProcessMemory);
        void Release()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                memory.Close();
                Log.Finish(entry, outcome, error);
                Interlocked.Decrement(ref _running);
                spill.Delete();
            }
        }
        IAsyncEnumerator<RecordBatch>? batches = null;
        try
        {
            // Before anything is planned or allocated: waits in line when the process has no room for it now, and is
            // refused (503, retry) when the wait runs out.
            var baseline = memory.Reserve("a new query");
            if (Options.ProcessMemory is not null)
            {
                await baseline.GrowAsync(Options.BaseReservationBytes, running: false, cancellationToken).ConfigureAwait(false);
            }
            var now = Now();
            LogicalPlan initial;
            try
            {
                initial = plan(now);
            }
            catch (QueryException)
            {
                // A source following a catalog written elsewhere may not know a table made a moment ago: plan once more
                // if catching up changed anything, else the error stands.
                if (!await _source.CatchUpAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
                initial = plan(now);
            }
            var logical = Optimizer.Optimize(initial);
            var physical = PhysicalPlanner.Create(logical);
            var context = new TaskContext(_source, memory, new EvalContext(now, cancellationToken), spill, cancellationToken) { MorselRows = Options.MorselRows };
            entry.Progress = () => physical.Display(withMetrics: true);
            Schema schema;
            IAsyncEnumerable<RecordBatch> output;
            switch (mode)
            {
                case ExplainMode.None:
                    schema = logical.Schema;
                    output = Tracked(physical.ExecuteAsync(context));
                    break;
                case ExplainMode.Analyze:
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    long rows = 0;
                    await foreach (var b in physical.ExecuteAsync(context).ConfigureAwait(false))
                    {
                        rows += b.Length;
                    }
                    var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    var summary = string.Create(CultureInfo.InvariantCulture,
                        $"output_rows={rows}, elapsed={elapsed.TotalMilliseconds:0.###}ms, peak_mem={QueryMemoryPool.Format(memory.Peak)}");
                    var result = ExplainBatch([("Plan with Metrics", physical.Display(withMetrics: true)), ("Query", summary)]);
                    schema = result.Schema;
                    output = Tracked(One(result));
                    break;
                }
                default:
                {
                    var rows = new List<(string, string)>();
                    if (mode == ExplainMode.ExplainVerbose)
                    {
                        rows.Add(("initial_logical_plan", plan(now).Display()));
                    }
                    rows.Add(("logical_plan", logical.Display()));
                    rows.Add(("physical_plan", physical.Display()));
                    var result = ExplainBatch(rows);
                    schema = result.Schema;
                    output = Tracked(One(result));
                    break;
                }
            }
            batches = output.GetAsyncEnumerator(cancellationToken);
            var hasFirst = await batches.MoveNextAsync().ConfigureAwait(false);
            var stream = new QueryStream(schema, batches, hasFirst, Release) { Memory = memory };
            if (!hasFirst)
            {
                outcome = QueryOutcome.Success;
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            return stream;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = QueryOutcome.Cancelled;
            await DisposeQuietly(batches).ConfigureAwait(false);
            Release();
            throw;
        }
        catch (Exception ex)
        {
            error = ex.Message;
            await DisposeQuietly(batches).ConfigureAwait(false);
            Release();
            throw;
        }

        async IAsyncEnumerable<RecordBatch> Tracked(IAsyncEnumerable<RecordBatch> source)
        {
            var completed = false;
            try
            {
                await foreach (var b in source.ConfigureAwait(false))
                {
                    yield return b;
                }
                completed = true;
            }
            finally
            {
                outcome = completed ? QueryOutcome.Success : cancellationToken.IsCancellationRequested ? QueryOutcome.Cancelled : QueryOutcome.Failed;
                if (!completed && error is null && !cancellationToken.IsCancellationRequested)
                {
                    error = "the stream ended early (an error while reading, or the client went away)";
                }
            }
        }
    }

    private static async ValueTask DisposeQuietly(IAsyncEnumerator<RecordBatch>? batches)
    {
        if (batches is null)
        {
            return;
        }
        try
        {
            await batches.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The error that stopped the query is the one reported.
        }
    }

    private static async IAsyncEnumerable<RecordBatch> One(RecordBatch batch)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return batch;
    }

    private static RecordBatch ExplainBatch(List<(string Type, string Plan)> rows)
    {
        var schema = new Schema([new Field("plan_type", ArrowType.Utf8), new Field("plan", ArrowType.Utf8)]);
        return new RecordBatch(schema, [Columns.FromStrings([.. rows.Select(r => r.Type)]), Columns.FromStrings([.. rows.Select(r => r.Plan)])], rows.Count);
    }

    /// <summary>Takes one of the concurrent-query slots, or refuses at once when none is free.</summary>
    private void TakeSlot()
    {
        if (Interlocked.Increment(ref _running) > Options.MaxConcurrentQueries)
        {
            Interlocked.Decrement(ref _running);
            throw new QueryLimitException(QueryLimit.Concurrency,
                $"too many queries are running (the limit is {Options.MaxConcurrentQueries} at a time); retry later");
        }
    }
}
