using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

/// <summary>
/// An argument already evaluated at this step, standing in for its expression when one function hands its input to
/// another (histogram_quantiles to histogram_quantile): the input is not evaluated again for each use.
/// </summary>
internal sealed record EvaluatedVector(int Position, List<Sample> Samples) : Expr(Position)
{
    public override ExprType Type => ExprType.Vector;
}
