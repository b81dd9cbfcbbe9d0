using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>DISTINCT ON: the first row of each key in input order (the input is sorted when the query orders), streamed.</summary>
internal sealed class DistinctOnExec(ExecutionPlan input, IReadOnlyList<Expr> on) : ExecutionPlan
{
    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() => $"DistinctOnExec: {string.Join(", ", on)}";

    private static object?[] Values(ArrowArray array)
    {
        if (Columns.IsString(array.Type))
        {
            return Columns.StringValues(array);
        }
        var values = new object?[array.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = CastExpr.ScalarAt(array, i);
        }
        return values;
    }

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var reservation = context.Memory.Reserve("DistinctOn(keys)");
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            // Each key column as values once per batch (strings decoded once, not per row through their dictionary).
            var keys = on.Select(e => Values(e.Evaluate(batch, context.Eval).ToArray(batch.Length))).ToArray();
            var keep = new List<int>();
            var sb = new StringBuilder();
            for (var row = 0; row < batch.Length; row++)
            {
                sb.Clear();
                foreach (var k in keys)
                {
                    var v = k[row];
                    sb.Append(v is null ? "\u0000N" : LiteralExpr.Format(v)).Append('\u0001');
                }
                var key = sb.ToString();
                if (seen.Add(key))
                {
                    reservation.Grow((key.Length * 2) + 48);
                    keep.Add(row);
                }
            }
            if (keep.Count > 0)
            {
                yield return Selection.Take(batch, keep.ToArray());
            }
        }
    }
}
