using System.Diagnostics;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Execution;

/// <summary>
/// A scan and the filters and projections above it, run inside the tasks of the operator they feed (partial
/// aggregation, first row per key): one task per slice of a stored batch aligns and filters it, applies each filter
/// and projection, and does the operator's own step. Run as separate parallel stages, every batch was handed over and
/// queued once per stage, and with row groups of ~1 M rows the last stage's work on the last batch ran alone at the end.
/// <para>
/// The fused operators stay in the plan (EXPLAIN shows them under the operator, which names them in its
/// <c>fused=[…]</c>) and keep their metrics: the rows and batches they produced (a slice counts as a batch), and their
/// time, their inputs' included as everywhere, summed over the slices — which run in parallel, so it can exceed the
/// wall time. Reading storage is counted in the scan's time (and so in every operator's above it), each slice taking
/// its share of its stored batch's read time.
/// </para>
/// </summary>
internal sealed class FusedScan
{
    private readonly ScanExec _scan;

    /// <summary>The filters and projections above the scan, bottom up.</summary>
    private readonly ExecutionPlan[] _above;

    private FusedScan(ScanExec scan, ExecutionPlan[] above)
    {
        _scan = scan;
        _above = above;
    }

    /// <summary>The scan under <paramref name="input"/> through filters and projections; null for any other input, or a scan with a fetch (which stops early).</summary>
    public static FusedScan? Of(ExecutionPlan input)
    {
        var above = new List<ExecutionPlan>();
        var node = input;
        while (true)
        {
            switch (node)
            {
                case ScanExec { Fetch: null } scan:
                    above.Reverse();
                    return new FusedScan(scan, [.. above]);
                case FilterExec f:
                    above.Add(f);
                    node = f.Input;
                    break;
                case ProjectionExec p:
                    above.Add(p);
                    node = p.Input;
                    break;
                default:
                    return null;
            }
        }
    }

    /// <summary>The scan at the bottom.</summary>
    public ScanExec Scan => _scan;

    /// <summary>Whether filters or projections run between the scan and the consuming operator.</summary>
    public bool HasStagesAbove => _above.Length > 0;

    /// <summary>For EXPLAIN, on the consuming operator's line: the operators below it that run in its tasks, top down.</summary>
    public string Describe() =>
        "fused=[" + string.Join(", ", _above.Reverse().Append(_scan).Select(p => p.GetType().Name)) + "]";

    /// <summary>
    /// <paramref name="step"/> over every slice's rows that reach it, up to one slice per core at a time, the results
    /// in scan order; a slice whose rows are all filtered out gives null without calling it.
    /// </summary>
    /// <param name="narrow">Narrows what the scan asks storage for (a tighter time range the operator has learnt).</param>
    public IAsyncEnumerable<T?> RunAsync<T>(TaskContext context, Func<RecordBatch, T?> step, Func<ScanRequest, ScanRequest>? narrow = null)
        where T : class =>
        ScanExec.InParallel(Slices(context, narrow), slice => Process(slice, context, step), context.Parallelism, context.CancellationToken, slice => slice.Rows.Length < context.InlineRows);

    private T? Process<T>(Slice slice, TaskContext context, Func<RecordBatch, T?> step)
        where T : class
    {
        var start = Stopwatch.GetTimestamp() - slice.ReadTicks;
        var batch = _scan.Process(slice.Rows, context);
        Count(_scan, batch, start);
        foreach (var stage in _above)
        {
            if (batch.Length == 0)
            {
                return null;
            }
            context.CancellationToken.ThrowIfCancellationRequested();
            batch = stage switch
            {
                FilterExec f => f.Apply(batch, context),
                ProjectionExec p => p.Project(batch, context),
                _ => throw new InvalidOperationException($"{stage.GetType().Name} cannot run in a fused scan"),
            };
            Count(stage, batch, start);
        }
        return batch.Length == 0 ? null : step(batch);
    }

    /// <summary>What the stage produced, as its own ExecuteAsync would count it (empty batches are not yielded).</summary>
    private static void Count(ExecutionPlan stage, RecordBatch batch, long start)
    {
        var ticks = Stopwatch.GetTimestamp() - start;
        if (batch.Length > 0)
        {
            stage.Metrics.Add(batch.Length, ticks);
        }
        else
        {
            stage.Metrics.AddTime(ticks);
        }
    }

    /// <summary>Rows of one stored batch, and their share of the time it took to read it.</summary>
    private readonly record struct Slice(RecordBatch Rows, long ReadTicks);

    /// <summary>The scan's stored batches, read one at a time, cut into slices of at most <see cref="TaskContext.MorselRows"/> rows.</summary>
    private async IAsyncEnumerable<Slice> Slices(TaskContext context, Func<ScanRequest, ScanRequest>? narrow)
    {
        var ct = context.CancellationToken;
        var size = Math.Max(1, context.MorselRows);
        var request = _scan.Request();
        var batches = context.Scan(narrow is null ? request : narrow(request), _scan.Metrics.AddChunks).GetAsyncEnumerator(ct);
        await using (batches.ConfigureAwait(false))
        {
            while (true)
            {
                // Checked here too: the source may ignore the token, and nothing else between its batches looks.
                ct.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                bool more;
                try
                {
                    more = await batches.MoveNextAsync().ConfigureAwait(false);
                }
                catch
                {
                    _scan.Metrics.AddTime(Stopwatch.GetTimestamp() - start);
                    throw;
                }
                var read = Stopwatch.GetTimestamp() - start;
                if (!more)
                {
                    _scan.Metrics.AddTime(read);
                    yield break;
                }
                var raw = batches.Current;
                if (raw.Length <= size)
                {
                    yield return new Slice(raw, read);
                    continue;
                }
                for (var offset = 0; offset < raw.Length; offset += size)
                {
                    var length = Math.Min(size, raw.Length - offset);
                    yield return new Slice(raw.Slice(offset, length), read * length / raw.Length);
                }
            }
        }
    }
}
