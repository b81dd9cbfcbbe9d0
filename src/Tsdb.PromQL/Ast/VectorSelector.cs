namespace Tsdb.PromQL.Ast;

/// <summary>An instant vector selector with its modifiers; <see cref="AtMs"/> is used when <see cref="At"/> is Timestamp.</summary>
internal sealed record VectorSelector(int Position, string? Name, IReadOnlyList<LabelMatcher> Matchers) : Expr(Position)
{
    public long OffsetMs { get; init; }

    public AtKind At { get; init; }

    public long AtMs { get; init; }

    public override ExprType Type => ExprType.Vector;
}
