using System.Text.RegularExpressions;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>[I]LIKE and the regular-expression operators (~, !~, ~*, !~*) with a constant pattern, compiled once.</summary>
public sealed class StringMatchExpr(Expr operand, Regex regex, bool negated, string display) : Expr
{
    public Expr Operand { get; } = operand;

    public Regex Regex { get; } = regex;

    public bool Negated { get; } = negated;

    public override ArrowType Type => ArrowType.Boolean;

    public override IReadOnlyList<Expr> Children { get; } = [operand];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new StringMatchExpr(children[0], Regex, Negated, display) { Location = Location };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context) =>
        Kernels.MatchStrings(Operand.Evaluate(batch, context), batch.Length, s => Regex.IsMatch(s) != Negated);

    public override string ToString() => $"{Operand} {display}";
}
