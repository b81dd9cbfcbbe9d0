using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// A physical operator: pulls batches from its children and yields its own, as an async stream. A result streams
/// unless an operator has to hold rows (sort, hash build, aggregate state), and those reserve their memory from the
/// query's pool. Every operator counts its rows, batches and time for EXPLAIN ANALYZE.
/// </summary>
public abstract class ExecutionPlan
{
    public abstract Schema Schema { get; }

    public abstract IReadOnlyList<ExecutionPlan> Children { get; }

    /// <summary>This operator on one line, as EXPLAIN shows it.</summary>
    public abstract string Describe();

    public OperatorMetrics Metrics { get; } = new();

    public async IAsyncEnumerable<RecordBatch> ExecuteAsync(TaskContext context)
    {
        await using var e = ExecuteCoreAsync(context).GetAsyncEnumerator(context.CancellationToken);
        while (true)
        {
            // Checked here, between batches, so every operator stops on cancellation even when its own loop or its
            // input never looks at the token (a values list, a union of such inputs, a source that ignores it).
            context.CancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            bool more;
            try
            {
                more = await e.MoveNextAsync().ConfigureAwait(false);
            }
            finally
            {
                Metrics.AddTime(Stopwatch.GetTimestamp() - start);
            }
            if (!more)
            {
                yield break;
            }
            var batch = e.Current;
            Metrics.Add(batch.Length, 0);
            yield return batch;
        }
    }

    protected abstract IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context);

    /// <summary>The plan as an indented tree; with metrics after a run (EXPLAIN ANALYZE).</summary>
    public string Display(bool withMetrics = false)
    {
        var sb = new StringBuilder();
        Append(this, 0);
        return sb.ToString().TrimEnd('\n');

        void Append(ExecutionPlan plan, int depth)
        {
            sb.Append(' ', depth * 2).Append(plan.Describe());
            if (withMetrics)
            {
                sb.Append(", metrics=[").Append(plan.Metrics).Append(']');
            }
            sb.Append('\n');
            foreach (var child in plan.Children)
            {
                Append(child, depth + 1);
            }
        }
    }

    /// <summary>Every operator of the tree, parents first.</summary>
    public IEnumerable<ExecutionPlan> Walk()
    {
        yield return this;
        foreach (var c in Children)
        {
            foreach (var d in c.Walk())
            {
                yield return d;
            }
        }
    }

    /// <summary>A batch under <paramref name="names"/>, its field types taken from its arrays.</summary>
    protected static RecordBatch MakeBatch(IReadOnlyList<string> names, IReadOnlyList<ArrowArray> columns, int length) =>
        new(new Schema(columns.Select((c, i) => new Field(names[i], c.Type))), columns, length);

    protected static async IAsyncEnumerable<RecordBatch> Empty([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        yield break;
    }
}
