using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>
/// A join: the right input is the build side, held (and reserved) whole; the left input streams through it and the
/// output streams in batches, so a join whose answer is huge never holds it. Equality keys go through a hash table
/// (<see cref="HashJoiner"/>); a join without them compares every pair (<see cref="NestedLoopJoiner"/>). Keys that
/// are not plain columns are computed per batch and carried as extra columns, dropped from the output.
/// </summary>
internal sealed class JoinExec(ExecutionPlan left, ExecutionPlan right, JoinType type, IReadOnlyList<(Expr Left, Expr Right)> on, Expr? filter, bool nullAwareAnti, Schema schema) : ExecutionPlan
{
    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<ExecutionPlan> Children => [left, right];

    public override string Describe() =>
        (on.Count > 0 ? "HashJoinExec" : "NestedLoopJoinExec") + $": type={type}"
        + (on.Count == 0 ? "" : ", on=[" + string.Join(", ", on.Select(p => $"({p.Left}, {p.Right})")) + "]")
        + (filter is null ? "" : $", filter={filter}")
        + (nullAwareAnti ? ", null_aware" : "");

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var leftCount = left.Schema.FieldCount;
        var rightCount = right.Schema.FieldCount;
        var (leftKeys, leftExtra) = KeyColumns(on.Select(p => p.Left).ToList(), leftCount);
        var (rightKeys, rightExtra) = KeyColumns(on.Select(p => p.Right).ToList(), rightCount);
        var leftSchema = Extend(left.Schema, leftExtra);
        var rightSchema = Extend(right.Schema, rightExtra);
        // The residual condition was bound over left then right columns; with extra key columns the right ones move.
        var residualExpr = filter is null || leftExtra.Count == 0 ? filter
            : filter.Transform(e => e is ColumnExpr c && c.Index >= leftCount ? new ColumnExpr(c.Index + leftExtra.Count, c.Name, c.Type) : null);
        Func<RecordBatch, BooleanArray>? residual = residualExpr is null ? null : pairs => residualExpr.EvaluateMask(pairs, context.Eval);
        using var reservation = context.Memory.Reserve(on.Count > 0 ? "HashJoin(build side)" : "NestedLoopJoin(build side)");
        var leftStream = Extended(left.ExecuteAsync(context), leftExtra, leftSchema, context);
        var rightStream = Extended(right.ExecuteAsync(context), rightExtra, rightSchema, context);
        IAsyncEnumerable<RecordBatch> output;
        if (on.Count > 0)
        {
            var joiner = new HashJoiner(leftSchema, rightSchema, leftKeys, rightKeys, type, residual, reservation, context.BatchSize, nullAwareAnti);
            await joiner.BuildAsync(rightStream, context.CancellationToken).ConfigureAwait(false);
            output = joiner.ProbeAsync(leftStream, context.CancellationToken);
        }
        else
        {
            var joiner = new NestedLoopJoiner(leftSchema, rightSchema, type, residual, reservation, context.BatchSize);
            await joiner.BuildAsync(rightStream, context.CancellationToken).ConfigureAwait(false);
            output = joiner.ProbeAsync(leftStream, context.CancellationToken);
        }
        Metrics.PeakMemory = reservation.Size;
        var names = Schema.Fields.Select(f => f.Name).ToArray();
        var semi = type is JoinType.LeftSemi or JoinType.LeftAnti;
        await foreach (var batch in output.ConfigureAwait(false))
        {
            var columns = new ArrowArray[names.Length];
            for (var i = 0; i < leftCount; i++)
            {
                columns[i] = batch.Column(i);
            }
            if (!semi)
            {
                for (var i = 0; i < rightCount; i++)
                {
                    columns[leftCount + i] = batch.Column(leftCount + leftExtra.Count + i);
                }
            }
            yield return MakeBatch(names, columns, batch.Length);
        }
    }

    /// <summary>Key positions: a plain column keeps its own; other expressions get extra columns after the input's.</summary>
    private static (List<int> Keys, List<Expr> Extra) KeyColumns(List<Expr> keys, int width)
    {
        var positions = new List<int>();
        var extra = new List<Expr>();
        foreach (var k in keys)
        {
            if (k is ColumnExpr c)
            {
                positions.Add(c.Index);
            }
            else
            {
                positions.Add(width + extra.Count);
                extra.Add(k);
            }
        }
        return (positions, extra);
    }

    private static Schema Extend(Schema schema, List<Expr> extra) =>
        extra.Count == 0 ? schema : new Schema([.. schema.Fields, .. extra.Select((e, i) => new Field($"__join_key_{i}", e.Type))]);

    private static async IAsyncEnumerable<RecordBatch> Extended(IAsyncEnumerable<RecordBatch> input, List<Expr> extra, Schema schema, TaskContext context)
    {
        await foreach (var batch in input.ConfigureAwait(false))
        {
            if (extra.Count == 0)
            {
                yield return batch;
                continue;
            }
            var columns = new List<ArrowArray>(batch.Columns);
            foreach (var e in extra)
            {
                columns.Add(e.Evaluate(batch, context.Eval).ToArray(batch.Length));
            }
            yield return new RecordBatch(new Schema(columns.Select((c, i) => new Field(schema[i].Name, c.Type))), columns, batch.Length);
        }
    }
}
