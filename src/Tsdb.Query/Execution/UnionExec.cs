using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>UNION ALL: each input's batches in turn, renamed to the union's column names.</summary>
internal sealed class UnionExec(IReadOnlyList<ExecutionPlan> inputs, Schema schema) : ExecutionPlan
{
    private readonly string[] _names = [.. schema.Fields.Select(f => f.Name)];

    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<ExecutionPlan> Children => inputs;

    public override string Describe() => "UnionExec";

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        foreach (var input in inputs)
        {
            await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
            {
                yield return MakeBatch(_names, batch.Columns, batch.Length);
            }
        }
    }
}
