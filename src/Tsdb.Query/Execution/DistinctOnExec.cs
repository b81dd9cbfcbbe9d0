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

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var reservation = context.Memory.Reserve("DistinctOn(keys)");
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            var keys = on.Select(e => e.Evaluate(batch, context.Eval).ToArray(batch.Length)).ToArray();
            var keep = new List<int>();
            var sb = new StringBuilder();
            for (var row = 0; row < batch.Length; row++)
            {
                sb.Clear();
                foreach (var k in keys)
                {
                    var v = Expressions.CastExpr.ScalarAt(k, row);
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
