using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>Column <see cref="Index"/> of the input batch (<see cref="Name"/> is for display).</summary>
public sealed class ColumnExpr(int index, string name, ArrowType type) : Expr
{
    public int Index { get; } = index;

    public string Name { get; } = name;

    public override ArrowType Type { get; } = type;

    public override IReadOnlyList<Expr> Children => [];

    public override bool IsConstant => false;

    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context) => ColumnarValue.Of(batch.Column(Index));

    public override string ToString() => Name;
}
