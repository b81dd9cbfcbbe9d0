namespace Tsdb.PromQL.Ast;

/// <summary>A node of the PromQL syntax tree; <see cref="Position"/> is its first character's offset in the query.</summary>
internal abstract record Expr(int Position)
{
    public abstract ExprType Type { get; }
}
