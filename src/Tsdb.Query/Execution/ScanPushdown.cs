using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>
/// What a scan's filter lets storage skip: the time range of its top-level AND terms (time compared with constants)
/// and, per tag, the only values <c>tag = 'v'</c> / <c>tag IN (…)</c> allow. Storage prunes with them; the scan still
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
            switch (term)
            {
                case BinaryExpr { Op: BinaryOp.Equal } eq:
                    if (Tag(eq.Left, schema) is { } left && eq.Right is LiteralExpr { Value: string right })
                    {
                        Restrict(result, left, [right]);
                    }
                    else if (Tag(eq.Right, schema) is { } r && eq.Left is LiteralExpr { Value: string l })
                    {
                        Restrict(result, r, [l]);
                    }
                    break;
                case InListExpr { Negated: false } inList when Tag(inList.Operand, schema) is { } tag:
                    var values = new List<string>();
                    var all = true;
                    foreach (var item in inList.Values)
                    {
                        if (item is LiteralExpr { Value: string v })
                        {
                            values.Add(v);
                        }
                        else
                        {
                            all = false;   // a NULL or non-constant item: no pruning from this term
                            break;
                        }
                    }
                    if (all)
                    {
                        Restrict(result, tag, values);
                    }
                    break;
            }
        }
        return result;
    }

    private static bool IsTime(Expr e, Schema schema) =>
        e is ColumnExpr c && c.Index < schema.FieldCount && schema[c.Index].Name == "time" && schema[c.Index].Type.Id == ArrowTypeId.Timestamp;

    private static string? Tag(Expr e, Schema schema) =>
        e is ColumnExpr c && c.Index < schema.FieldCount && schema[c.Index].Type.Id == ArrowTypeId.Dictionary ? schema[c.Index].Name : null;

    private static void Restrict(Dictionary<string, IReadOnlyList<string>> result, string tag, IReadOnlyList<string> values) =>
        result[tag] = result.TryGetValue(tag, out var existing) ? [.. existing.Intersect(values, StringComparer.Ordinal)] : values;
}
