namespace Tsdb.PromQL.Ast;

/// <summary>The vector selectors of an expression (those inside range selectors and subqueries too), as Prometheus' <c>parser.ExtractSelectors</c> lists them.</summary>
internal static class SelectorCollector
{
    public static List<IReadOnlyList<LabelMatcher>> Collect(Expr expr)
    {
        var selectors = new List<IReadOnlyList<LabelMatcher>>();
        Walk(expr, selectors);
        return selectors;
    }

    private static void Walk(Expr expr, List<IReadOnlyList<LabelMatcher>> selectors)
    {
        switch (expr)
        {
            case VectorSelector selector:
                selectors.Add(selector.Matchers);
                break;
            case MatrixSelector matrix:
                selectors.Add(matrix.Selector.Matchers);
                break;
            case SubqueryExpr subquery:
                Walk(subquery.Inner, selectors);
                break;
            case AggregateExpr aggregate:
                // Prometheus' Children(): the expression, then the parameter.
                Walk(aggregate.Inner, selectors);
                if (aggregate.Parameter is { } parameter)
                {
                    Walk(parameter, selectors);
                }
                break;
            case BinaryExpr binary:
                Walk(binary.Lhs, selectors);
                Walk(binary.Rhs, selectors);
                break;
            case Call call:
                foreach (var argument in call.Args)
                {
                    Walk(argument, selectors);
                }
                break;
            case ParenExpr paren:
                Walk(paren.Inner, selectors);
                break;
            case UnaryExpr unary:
                Walk(unary.Operand, selectors);
                break;
            case NumberLiteral or StringLiteral:
                break;
            default:
                throw new InvalidOperationException($"unknown expression node {expr.GetType().Name}");
        }
    }
}
