using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>Helpers over boolean expressions shared by the planners and the optimizer: AND terms, join sides, re-basing columns.</summary>
public static class Predicates
{
    /// <summary>The terms of a chain of ANDs (any shape of tree), without recursion.</summary>
    public static IEnumerable<Expr> Conjuncts(Expr e)
    {
        var stack = new Stack<Expr>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is BinaryExpr { Op: BinaryOp.And } and)
            {
                stack.Push(and.Right);
                stack.Push(and.Left);
            }
            else
            {
                yield return next;
            }
        }
    }

    /// <summary>The terms of a chain of ORs (any shape of tree), without recursion.</summary>
    public static IEnumerable<Expr> Disjuncts(Expr e)
    {
        var stack = new Stack<Expr>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is BinaryExpr { Op: BinaryOp.Or } or)
            {
                stack.Push(or.Right);
                stack.Push(or.Left);
            }
            else
            {
                yield return next;
            }
        }
    }

    /// <summary>
    /// An OR of two or more equalities between one column and string constants (<c>host = 'a' OR host = 'b'</c>, as
    /// InfluxQL and tools write a tag list) as the <see cref="InListExpr"/> it means, which tests a dictionary column's
    /// entries once instead of comparing every row once per constant; null for any other expression. The two agree
    /// on nulls: a null column value gives null either way, and a null constant is never rewritten.
    /// </summary>
    public static InListExpr? AsInList(Expr e)
    {
        if (e is not BinaryExpr { Op: BinaryOp.Or })
        {
            return null;
        }
        ColumnExpr? column = null;
        var values = new List<Expr>();
        foreach (var term in Disjuncts(e))
        {
            var (c, v) = term switch
            {
                BinaryExpr { Op: BinaryOp.Equal, Left: ColumnExpr l, Right: LiteralExpr { Value: string } r } => (l, r),
                BinaryExpr { Op: BinaryOp.Equal, Left: LiteralExpr { Value: string } r, Right: ColumnExpr l } => (l, r),
                _ => ((ColumnExpr?)null, (LiteralExpr?)null),
            };
            if (c is null || (column is not null && c.Index != column.Index))
            {
                return null;
            }
            column ??= c;
            values.Add(v!);
        }
        return new InListExpr(column!, values, negated: false) { Location = e.Location };
    }

    /// <summary>The terms ANDed as a balanced tree (thousands of terms stay shallow); null for none.</summary>
    public static Expr? And(IReadOnlyList<Expr> terms)
    {
        if (terms.Count == 0)
        {
            return null;
        }
        return Build(0, terms.Count);

        Expr Build(int from, int to)
        {
            if (to - from == 1)
            {
                return terms[from];
            }
            var mid = from + ((to - from) / 2);
            return new BinaryExpr(BinaryOp.And, Build(from, mid), Build(mid, to), ArrowType.Boolean);
        }
    }

    /// <summary>Which side of a join's columns an expression reads: 1 left only, 2 right only, 0 none, 3 both.</summary>
    public static int Side(Expr e, int leftCount)
    {
        var side = 0;
        foreach (var node in e.Walk())
        {
            if (node is ColumnExpr c)
            {
                side |= c.Index < leftCount ? 1 : 2;
            }
        }
        return side;
    }

    /// <summary>The expression with every column position moved by <paramref name="shift"/>.</summary>
    public static Expr Rebase(Expr e, int shift) =>
        e.Transform(n => n is ColumnExpr c ? new ColumnExpr(c.Index + shift, c.Name, c.Type) { Location = c.Location } : null);

    /// <summary>
    /// The equality terms of a join condition whose sides each read one input only (the hash keys, the right side
    /// re-based to the right input's columns), and the rest of the condition over the joined columns.
    /// </summary>
    public static (List<(Expr Left, Expr Right)> Keys, Expr? Remaining) SplitEquiKeys(Expr on, int leftCount)
    {
        var keys = new List<(Expr, Expr)>();
        var rest = new List<Expr>();
        foreach (var term in Conjuncts(on))
        {
            if (term is BinaryExpr { Op: BinaryOp.Equal } eq)
            {
                var l = Side(eq.Left, leftCount);
                var r = Side(eq.Right, leftCount);
                if (l == 1 && r == 2)
                {
                    keys.Add((eq.Left, Rebase(eq.Right, -leftCount)));
                    continue;
                }
                if (l == 2 && r == 1)
                {
                    keys.Add((eq.Right, Rebase(eq.Left, -leftCount)));
                    continue;
                }
            }
            rest.Add(term);
        }
        return (keys, And(rest));
    }
}
