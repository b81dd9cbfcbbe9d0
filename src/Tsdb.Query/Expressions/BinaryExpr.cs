using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>A binary operator; operand types were checked (and constants coerced) when it was bound.</summary>
public sealed class BinaryExpr(BinaryOp op, Expr left, Expr right, ArrowType type) : Expr
{
    public BinaryOp Op { get; } = op;

    public Expr Left { get; } = left;

    public Expr Right { get; } = right;

    public override ArrowType Type { get; } = type;

    public override IReadOnlyList<Expr> Children { get; } = [left, right];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new BinaryExpr(Op, children[0], children[1], Type) { Location = Location };

    public bool IsComparison => Op is >= BinaryOp.Equal and <= BinaryOp.GreaterOrEqual;

    public static ComparisonOp? ComparisonOf(BinaryOp op) => op switch
    {
        BinaryOp.Equal => ComparisonOp.Equal,
        BinaryOp.NotEqual => ComparisonOp.NotEqual,
        BinaryOp.Less => ComparisonOp.Less,
        BinaryOp.LessOrEqual => ComparisonOp.LessOrEqual,
        BinaryOp.Greater => ComparisonOp.Greater,
        BinaryOp.GreaterOrEqual => ComparisonOp.GreaterOrEqual,
        _ => null,
    };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var n = batch.Length;
        if (Op is BinaryOp.And or BinaryOp.Or)
        {
            var l = Left.Evaluate(batch, context);
            // Short-circuit on a deciding constant before evaluating the other side.
            if (l.IsScalar && l.Scalar is bool b && b == (Op == BinaryOp.Or))
            {
                return l;
            }
            var r = Right.Evaluate(batch, context);
            return Op == BinaryOp.And ? Kernels.And(l, r, n) : Kernels.Or(l, r, n);
        }
        var left = Left.Evaluate(batch, context);
        var right = Right.Evaluate(batch, context);
        if (ComparisonOf(Op) is { } cmp)
        {
            return Kernels.Compare(left, right, cmp, n);
        }
        return Op switch
        {
            BinaryOp.Concat => Kernels.Concat(left, right, n),
            BinaryOp.Add => Kernels.Arithmetic(Kernels.ArithmeticOp.Add, left, right, Type, n),
            BinaryOp.Subtract => Kernels.Arithmetic(Kernels.ArithmeticOp.Subtract, left, right, Type, n),
            BinaryOp.Multiply => Kernels.Arithmetic(Kernels.ArithmeticOp.Multiply, left, right, Type, n),
            BinaryOp.Divide => Kernels.Arithmetic(Kernels.ArithmeticOp.Divide, left, right, Type, n),
            _ => Kernels.Arithmetic(Kernels.ArithmeticOp.Modulo, left, right, Type, n),
        };
    }

    public static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.And => "AND",
        BinaryOp.Or => "OR",
        BinaryOp.Equal => "=",
        BinaryOp.NotEqual => "!=",
        BinaryOp.Less => "<",
        BinaryOp.LessOrEqual => "<=",
        BinaryOp.Greater => ">",
        BinaryOp.GreaterOrEqual => ">=",
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Modulo => "%",
        _ => "||",
    };

    public override string ToString() => $"{Wrap(Left)} {Symbol(Op)} {Wrap(Right)}";

    private static string Wrap(Expr e) => e is BinaryExpr ? "(" + e + ")" : e.ToString();
}
