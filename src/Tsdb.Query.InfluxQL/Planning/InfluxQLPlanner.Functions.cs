using Tsdb.Query.InfluxQL.Ast;
using Tsdb.Query.Plans;

namespace Tsdb.Query.InfluxQL.Planning;

internal sealed partial class InfluxQLPlanner
{
    private static bool IsAggregateName(string name) =>
        name is "count" or "distinct" or "integral" or "mean" or "median" or "mode" or "spread" or "stddev" or "sum";

    private static bool IsSelectorName(string name) =>
        name is "bottom" or "first" or "last" or "max" or "min" or "percentile" or "sample" or "top";

    private static bool IsTransformName(string name) =>
        name is "derivative" or "non_negative_derivative" or "difference" or "non_negative_difference" or "elapsed"
            or "moving_average" or "cumulative_sum";

    /// <summary>Selectors that pick one row, whose time (without GROUP BY time) is that row's.</summary>
    private static bool IsSingleRowSelector(string name) => name is "first" or "last" or "max" or "min" or "percentile";

    /// <summary>Functions that answer several rows per series and interval.</summary>
    private static bool IsMultiRow(string name) => name is "top" or "bottom" or "sample" or "distinct";

    private static SeriesFunction TransformFunction(string name) => name switch
    {
        "derivative" => SeriesFunction.Derivative,
        "non_negative_derivative" => SeriesFunction.NonNegativeDerivative,
        "difference" => SeriesFunction.Difference,
        "non_negative_difference" => SeriesFunction.NonNegativeDifference,
        "elapsed" => SeriesFunction.Elapsed,
        "moving_average" => SeriesFunction.MovingAverage,
        _ => SeriesFunction.CumulativeSum,
    };

    /// <summary>Every call in an expression, outermost first.</summary>
    private static IEnumerable<Call> Calls(InfluxQLExpr e)
    {
        switch (e)
        {
            case Call c:
                yield return c;
                foreach (var a in c.Args)
                {
                    foreach (var inner in Calls(a))
                    {
                        yield return inner;
                    }
                }
                break;
            case Ast.BinaryExpr b:
                foreach (var x in Calls(b.Left).Concat(Calls(b.Right)))
                {
                    yield return x;
                }
                break;
            case ParenExpr p:
                foreach (var x in Calls(p.Inner))
                {
                    yield return x;
                }
                break;
            case UnaryMinusExpr u:
                foreach (var x in Calls(u.Operand))
                {
                    yield return x;
                }
                break;
        }
    }

    /// <summary>References outside any aggregate, selector or transformation call (raw fields and tags).</summary>
    private static IEnumerable<VarRef> FreeRefs(InfluxQLExpr e)
    {
        switch (e)
        {
            case VarRef v:
                yield return v;
                break;
            case Call c when IsAggregateName(c.Name) || IsSelectorName(c.Name) || IsTransformName(c.Name):
                break;
            case Call c:
                foreach (var a in c.Args)
                {
                    foreach (var v in FreeRefs(a))
                    {
                        yield return v;
                    }
                }
                break;
            case Ast.BinaryExpr b:
                foreach (var v in FreeRefs(b.Left).Concat(FreeRefs(b.Right)))
                {
                    yield return v;
                }
                break;
            case ParenExpr p:
                foreach (var v in FreeRefs(p.Inner))
                {
                    yield return v;
                }
                break;
            case UnaryMinusExpr u:
                foreach (var v in FreeRefs(u.Operand))
                {
                    yield return v;
                }
                break;
        }
    }

    /// <summary>The column name 1.x gives a field without an alias: a reference's name, a call's function, names joined by _ for operators.</summary>
    private static string ColumnName(InfluxQLExpr e) => e switch
    {
        VarRef v => v.Name,
        Call c => c.Name,
        ParenExpr p => ColumnName(p.Inner),
        UnaryMinusExpr u => ColumnName(u.Operand),
        Ast.BinaryExpr b => string.Join("_", new[] { ColumnName(b.Left), ColumnName(b.Right) }.Where(n => n.Length > 0)),
        _ => "",
    };
}
