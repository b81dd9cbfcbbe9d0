using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>Searched CASE (a simple CASE is bound as one: each WHEN compares the operand).</summary>
public sealed class CaseExpr(IReadOnlyList<(Expr When, Expr Then)> branches, Expr? @else, ArrowType type) : Expr
{
    public IReadOnlyList<(Expr When, Expr Then)> Branches { get; } = branches;

    public Expr? Else { get; } = @else;

    public override ArrowType Type { get; } = type;

    public override IReadOnlyList<Expr> Children
    {
        get
        {
            var list = new List<Expr>(Branches.Count * 2 + 1);
            foreach (var (w, t) in Branches)
            {
                list.Add(w);
                list.Add(t);
            }
            if (Else is not null)
            {
                list.Add(Else);
            }
            return list;
        }
    }

    public override Expr WithChildren(IReadOnlyList<Expr> children)
    {
        var branches = new (Expr, Expr)[Branches.Count];
        for (var i = 0; i < branches.Length; i++)
        {
            branches[i] = (children[2 * i], children[(2 * i) + 1]);
        }
        return new CaseExpr(branches, Else is null ? null : children[^1], Type) { Location = Location };
    }

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var n = batch.Length;
        var pick = new int[n];
        pick.AsSpan().Fill(Branches.Count);
        var decided = new bool[n];
        for (var w = 0; w < Branches.Count; w++)
        {
            var mask = Branches[w].When.Evaluate(batch, context);
            if (mask.IsScalar)
            {
                if (mask.Scalar is true)
                {
                    for (var i = 0; i < n; i++)
                    {
                        if (!decided[i])
                        {
                            decided[i] = true;
                            pick[i] = w;
                        }
                    }
                }
                continue;
            }
            var bits = (BooleanArray)mask.Array!;
            for (var i = 0; i < n; i++)
            {
                if (!decided[i] && bits.Get(i) == true)
                {
                    decided[i] = true;
                    pick[i] = w;
                }
            }
        }
        var arms = new List<ArrowArray?>(Branches.Count + 1);
        foreach (var (_, then) in Branches)
        {
            arms.Add(Arm(then.Evaluate(batch, context), n));
        }
        arms.Add(Else is null ? null : Arm(Else.Evaluate(batch, context), n));
        var chosen = Columns.Choose(arms, pick, n);
        return ColumnarValue.Of(chosen.Type == Type || Type.Id == ArrowTypeId.Null ? chosen : CastExpr.CastArray(chosen, Type));
    }

    /// <summary>A branch; a NULL constant has no type of its own and is left out.</summary>
    private static ArrowArray? Arm(ColumnarValue v, int n) => v.IsScalar && v.Scalar is null ? null : v.ToArray(n);

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder("CASE");
        foreach (var (w, t) in Branches)
        {
            sb.Append(" WHEN ").Append(w).Append(" THEN ").Append(t);
        }
        if (Else is not null)
        {
            sb.Append(" ELSE ").Append(Else);
        }
        return sb.Append(" END").ToString();
    }

}
