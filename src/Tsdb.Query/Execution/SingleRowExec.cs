using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>A scalar subquery's answer: at most one row, or the query fails.</summary>
internal sealed class SingleRowExec(ExecutionPlan input) : ExecutionPlan
{
    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() => "SingleRowExec";

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        long rows = 0;
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            rows += batch.Length;
            if (rows > 1)
            {
                throw new QueryException("a scalar subquery returned more than one row");
            }
            if (batch.Length > 0)
            {
                yield return batch;
            }
        }
    }
}
