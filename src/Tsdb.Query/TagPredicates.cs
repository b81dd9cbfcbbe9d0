using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// The tag values a WHERE clause allows, from its top-level AND terms <c>tag = 'v'</c>, <c>'v' = tag</c> and
/// <c>tag IN ('a', 'b')</c> (literals or <c>$params</c>). Storage prunes files, row groups and pages with them; the
/// whole WHERE is still evaluated on the rows that come back.
/// </summary>
internal static class TagPredicates
{
    public static Dictionary<string, IReadOnlyList<string>> Extract(Expression where, Schema schema, Evaluator constants)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        Visit(where, schema, constants, result);
        return result;
    }

    private static void Visit(Expression e, Schema schema, Evaluator constants, Dictionary<string, IReadOnlyList<string>> result)
    {
        switch (e)
        {
            case BinaryExpression { Operator: BinaryOperator.And } and:
                Visit(and.Left, schema, constants, result);
                Visit(and.Right, schema, constants, result);
                break;
            case BinaryExpression { Operator: BinaryOperator.Equal } eq:
                if (Tag(eq.Left, schema) is { } left && Text(eq.Right, constants) is { } right)
                {
                    Restrict(result, left, [right]);
                }
                else if (Tag(eq.Right, schema) is { } r && Text(eq.Left, constants) is { } l)
                {
                    Restrict(result, r, [l]);
                }
                break;
            case InListExpression { Negated: false } inList when Tag(inList.Operand, schema) is { } tag:
                var values = new List<string>();
                foreach (var item in inList.Values)
                {
                    if (Text(item, constants) is not { } v)
                    {
                        return;   // a NULL or non-constant item: no pruning from this term
                    }
                    values.Add(v);
                }
                Restrict(result, tag, values);
                break;
        }
    }

    /// <summary>Two terms on one tag allow only the values both allow.</summary>
    private static void Restrict(Dictionary<string, IReadOnlyList<string>> result, string tag, IReadOnlyList<string> values) =>
        result[tag] = result.TryGetValue(tag, out var existing) ? [.. existing.Intersect(values, StringComparer.Ordinal)] : values;

    private static string? Tag(Expression e, Schema schema)
    {
        if (e is not ColumnReference { Parts.Count: 1 } c)
        {
            return null;
        }
        var index = schema.GetFieldIndex(c.Parts[0].Value);
        return index >= 0 && schema[index].Type.Id == ArrowTypeId.Dictionary ? c.Parts[0].Value : null;
    }

    private static string? Text(Expression e, Evaluator constants)
    {
        if (e is not (StringLiteral or ParameterExpression))
        {
            return null;
        }
        try
        {
            return constants.Eval(e).Scalar as string;
        }
        catch (QueryException)
        {
            return null;   // reported with its position when WHERE is evaluated
        }
    }
}
