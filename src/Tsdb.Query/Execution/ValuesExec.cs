using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>Batches known when the query was planned (metadata views, the one row of SELECT without FROM).</summary>
internal sealed class ValuesExec(Schema schema, IReadOnlyList<RecordBatch> batches, string name) : ExecutionPlan
{
    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<ExecutionPlan> Children => [];

    public override string Describe() => $"ValuesExec: {name}";

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var b in batches)
        {
            if (b.Length > 0 || Schema.FieldCount == 0)
            {
                yield return b;
            }
        }
    }
}
