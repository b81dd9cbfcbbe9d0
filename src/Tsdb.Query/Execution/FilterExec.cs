using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>The rows of each input batch for which the predicate is true.</summary>
internal sealed class FilterExec(ExecutionPlan input, Expr predicate) : ExecutionPlan
{
    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() => $"FilterExec: {predicate}";

    internal ExecutionPlan Input => input;

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var filtered = Apply(batch, context);
            if (filtered.Length > 0)
            {
                yield return filtered;
            }
        }
    }

    /// <summary>One batch's rows that pass (also run inside a <see cref="FusedScan"/>'s tasks).</summary>
    internal RecordBatch Apply(RecordBatch batch, TaskContext context) =>
        Selection.Filter(batch, predicate.EvaluateMask(batch, context.Eval));
}
