namespace Tsdb.PromQL.Ast;

/// <summary><c>expr[range:step]</c>; <see cref="StepMs"/> is 0 when omitted (the engine's default applies).</summary>
internal sealed record SubqueryExpr(int Position, Expr Inner, long RangeMs, long StepMs) : Expr(Position)
{
    public long OffsetMs { get; init; }

    public AtKind At { get; init; }

    public long AtMs { get; init; }

    public override ExprType Type => ExprType.Matrix;
}
