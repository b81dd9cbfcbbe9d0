using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>
/// What a scan's filter lets storage skip: the time range of its top-level AND terms (time compared with constants)
/// and, per tag, the only values <c>tag = 'v'</c> / <c>tag IN (…)</c> / ORs of them allow. Storage prunes with them; the scan still
/// applies the whole filter to the rows that come back.
/// </summary>
internal static class ScanPushdown
{
    public static (long? From, long? To) TimeRange(Expr? filter, Schema schema) => TimeBounds.Of(filter, e => IsTime(e, schema));

    public static Dictionary<string, IReadOnlyList<string>> TagValues(Expr? filter, Schema schema)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (filter is null)
        {
            return result;
        }
        foreach (var term in Predicates.Conjuncts(filter))
        {
            if (Allowed(term, schema) is { } allowed)
            {
                Restrict(result, allowed.Tag, allowed.Values);
            }
        }
        return result;
    }

    /// <summary>
    /// The tag and the only values a term lets through: <c>tag = 'v'</c>, <c>tag IN ('v', …)</c>, or an OR of those
    /// on one tag (InfluxQL and Grafana's multi-value variables write <c>host = 'a' OR host = 'b' OR …</c>).
    /// </summary>
    private static (string Tag, IReadOnlyList<string> Values)? Allowed(Expr term, Schema schema)
    {
        switch (term)
        {
            case BinaryExpr { Op: BinaryOp.Equal } eq:
                if (Tag(eq.Left, schema) is { } left && eq.Right is LiteralExpr { Value: string right })
                {
                    return (left, [right]);
                }
                if (Tag(eq.Right, schema) is { } r && eq.Left is LiteralExpr { Value: string l })
                {
                    return (r, [l]);
                }
                return null;
            case InListExpr { Negated: false } inList when Tag(inList.Operand, schema) is { } tag:
                var values = new List<string>(inList.Values.Count);
                foreach (var item in inList.Values)
                {
                    if (item is not LiteralExpr { Value: string v })
                    {
                        return null;   // a NULL or non-constant item: no pruning from this term
                    }
                    values.Add(v);
                }
                return (tag, values);
            case BinaryExpr { Op: BinaryOp.Or }:
                string? only = null;
                var union = new List<string>();
                foreach (var disjunct in Predicates.Disjuncts(term))
                {
                    if (disjunct is BinaryExpr { Op: BinaryOp.Or } || Allowed(disjunct, schema) is not { } part || (only is not null && part.Tag != only))
                    {
                        return null;
                    }
                    only = part.Tag;
                    union.AddRange(part.Values);
                }
                return only is null ? null : (only, [.. union.Distinct(StringComparer.Ordinal)]);
            default:
                return null;
        }
    }

    private static bool IsTime(Expr e, Schema schema) =>
        e is ColumnExpr c && c.Index < schema.FieldCount && schema[c.Index].Name == "time" && schema[c.Index].Type.Id == ArrowTypeId.Timestamp;

    private static string? Tag(Expr e, Schema schema) =>
        e is ColumnExpr c && c.Index < schema.FieldCount && schema[c.Index].Type.Id == ArrowTypeId.Dictionary ? schema[c.Index].Name : null;

    private static void Restrict(Dictionary<string, IReadOnlyList<string>> result, string tag, IReadOnlyList<string> values) =>
        result[tag] = result.TryGetValue(tag, out var existing) ? [.. existing.Intersect(values, StringComparer.Ordinal)] : values;
}
