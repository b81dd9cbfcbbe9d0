using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>One ORDER BY key.</summary>
public sealed record SortExpr(Expr Expr, bool Descending, bool NullsFirst)
{
    public override string ToString() => $"{Expr} {(Descending ? "DESC" : "ASC")} NULLS {(NullsFirst ? "FIRST" : "LAST")}";
}
