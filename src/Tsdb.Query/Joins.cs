using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// Inner and left joins on equality terms (hash join): the ON clause's top-level AND terms of the form
/// <c>left_expr = right_expr</c> are the keys; other terms are applied afterwards (inner joins only).
/// </summary>
internal static class Joins
{
    public static RecordBatch Join(JoinTableSource join, RecordBatch left, RecordBatch right, QueryText text, long now)
    {
        if (join.Kind is not (JoinKind.Inner or JoinKind.Left))
        {
            throw text.Error(join.Span, $"{join.Kind.ToString().ToUpperInvariant()} JOIN is not supported yet");
        }
        if (join.On is null)
        {
            throw text.Error(join.Span, "a join needs an ON clause");
        }
        var leftKeys = new List<Expression>();
        var rightKeys = new List<Expression>();
        var residual = new List<Expression>();
        foreach (var term in Terms(join.On))
        {
            if (term is BinaryExpression { Operator: BinaryOperator.Equal } eq)
            {
                var l = Side(eq.Left, left.Schema, right.Schema);
                var r = Side(eq.Right, left.Schema, right.Schema);
                if (l == 1 && r == 2)
                {
                    leftKeys.Add(eq.Left);
                    rightKeys.Add(eq.Right);
                    continue;
                }
                if (l == 2 && r == 1)
                {
                    leftKeys.Add(eq.Right);
                    rightKeys.Add(eq.Left);
                    continue;
                }
            }
            residual.Add(term);
        }
        if (leftKeys.Count == 0)
        {
            throw text.Error(join.On.Span, "a join needs at least one equality between the two sides");
        }
        if (residual.Count > 0 && join.Kind == JoinKind.Left)
        {
            throw text.Error(residual[0].Span, "only equality conditions are supported in a LEFT JOIN's ON clause");
        }
        var le = new Evaluator(text, now) { Batch = left, Length = left.Length };
        var re = new Evaluator(text, now) { Batch = right, Length = right.Length };
        var lk = leftKeys.Select(e => Columns.Plain(le.Materialize(le.Eval(e)))).ToArray();
        var rk = rightKeys.Select(e => Columns.Plain(re.Materialize(re.Eval(e)))).ToArray();

        // Both sides' keys numbered together: equal ids mean equal key tuples. Null keys never match.
        var combined = new ArrowArray[lk.Length];
        for (var k = 0; k < lk.Length; k++)
        {
            var (a, b) = Unify(lk[k], rk[k], text, leftKeys[k]);
            combined[k] = ArrowArray.Create(ArrayConcatenation.Concatenate(a.Data, b.Data));
        }
        int[] ids;
        var groups = 0;
        ids = left.Length + right.Length == 0 ? [] : Hashing.GroupIds(combined, out groups);
        bool HasNull(int row) => combined.Any(c => c.IsNull(row));
        var buckets = new List<int>?[groups];
        for (var i = 0; i < right.Length; i++)
        {
            var row = left.Length + i;
            if (!HasNull(row))
            {
                (buckets[ids[row]] ??= []).Add(i);
            }
        }
        var leftRows = new List<int>();
        var rightRows = new List<int>();
        for (var i = 0; i < left.Length; i++)
        {
            var matches = HasNull(i) ? null : buckets[ids[i]];
            if (matches is null)
            {
                if (join.Kind == JoinKind.Left)
                {
                    leftRows.Add(i);
                    rightRows.Add(-1);
                }
                continue;
            }
            foreach (var m in matches)
            {
                leftRows.Add(i);
                rightRows.Add(m);
            }
        }
        var li = leftRows.ToArray();
        var ri = rightRows.ToArray();
        var columns = new List<ArrowArray>();
        var fields = new List<Field>();
        for (var c = 0; c < left.ColumnCount; c++)
        {
            var col = Selection.Take(Columns.Plain(left.Column(c)), li);
            columns.Add(col);
            fields.Add(new Field(left.Schema[c].Name, col.Type));
        }
        for (var c = 0; c < right.ColumnCount; c++)
        {
            var col = Selection.Take(Columns.Plain(right.Column(c)), ri);
            columns.Add(col);
            fields.Add(new Field(right.Schema[c].Name, col.Type));
        }
        var result = new RecordBatch(new Schema(fields), [.. columns], li.Length);
        foreach (var term in residual)
        {
            var mask = new Evaluator(text, now) { Batch = result, Length = result.Length }.Predicate(term);
            result = Selection.Filter(result, mask);
        }
        return result;
    }

    private static (ArrowArray, ArrowArray) Unify(ArrowArray a, ArrowArray b, QueryText text, Expression at)
    {
        if (a.Type.Id == b.Type.Id)
        {
            return (a, b);
        }
        if (Columns.IsNumeric(a.Type) && Columns.IsNumeric(b.Type))
        {
            return (Columns.FromValues(ArrowType.Float64, Columns.DoubleValues(a), Valid(a)), Columns.FromValues(ArrowType.Float64, Columns.DoubleValues(b), Valid(b)));
        }
        throw text.Error(at.Span, $"cannot join {a.Type} with {b.Type}");
    }

    private static bool[] Valid(ArrowArray a) => [.. Enumerable.Range(0, a.Length).Select(i => !a.IsNull(i))];

    private static IEnumerable<Expression> Terms(Expression e) =>
        e is BinaryExpression { Operator: BinaryOperator.And } and ? Terms(and.Left).Concat(Terms(and.Right)) : [e];

    /// <summary>1 when every column of <paramref name="e"/> is on the left, 2 when all are on the right, else 0.</summary>
    private static int Side(Expression e, Schema left, Schema right)
    {
        var refs = new List<ColumnReference>();
        Collect(e, refs);
        if (refs.Count == 0)
        {
            return 0;
        }
        if (refs.All(r => Evaluator.FindColumn(left, r) >= 0 && Evaluator.FindColumn(right, r) < 0))
        {
            return 1;
        }
        return refs.All(r => Evaluator.FindColumn(right, r) >= 0 && Evaluator.FindColumn(left, r) < 0) ? 2 : 0;
    }

    private static void Collect(Expression e, List<ColumnReference> refs)
    {
        switch (e)
        {
            case ColumnReference c:
                refs.Add(c);
                break;
            case BinaryExpression b:
                Collect(b.Left, refs);
                Collect(b.Right, refs);
                break;
            case UnaryExpression u:
                Collect(u.Operand, refs);
                break;
            case CastExpression c:
                Collect(c.Operand, refs);
                break;
            case FunctionCall f:
                foreach (var a in f.Arguments)
                {
                    Collect(a, refs);
                }
                break;
            default:
                break;
        }
    }
}
