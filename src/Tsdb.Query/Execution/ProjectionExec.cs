using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>One output column per expression, evaluated over each input batch.</summary>
internal sealed class ProjectionExec(ExecutionPlan input, IReadOnlyList<Expr> exprs, Schema schema) : ExecutionPlan
{
    private readonly string[] _names = [.. schema.Fields.Select(f => f.Name)];

    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() =>
        "ProjectionExec: " + string.Join(", ", exprs.Select((e, i) => e is ColumnExpr c && c.Name == _names[i] ? c.Name : $"{e} AS {_names[i]}"));

    internal ExecutionPlan Input => input;

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            yield return Project(batch, context);
        }
    }

    /// <summary>One batch's output columns (also run inside a <see cref="FusedScan"/>'s tasks).</summary>
    internal RecordBatch Project(RecordBatch batch, TaskContext context)
    {
        var columns = new ArrowArray[exprs.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var value = exprs[i].Evaluate(batch, context.Eval);
            columns[i] = value.IsScalar && value.Scalar is null && Schema[i].Type.Id != ArrowTypeId.Null
                ? ScanExec.NullColumn(Schema[i].Type, batch.Length)
                : value.ToArray(batch.Length);
        }
        return MakeBatch(_names, columns, batch.Length);
    }
}
