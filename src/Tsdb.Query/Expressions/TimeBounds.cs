namespace Tsdb.Query.Expressions;

/// <summary>
/// The time range a filter allows, read from its top-level AND terms that compare a time column with a timestamp
/// constant (<c>time &gt;= c</c>, <c>c &gt; time</c>, <c>time = c</c>; BETWEEN is bound as two such terms). Scans
/// use it to skip storage, gap filling to know which bins to produce; both need the same reading of the WHERE.
/// </summary>
public static class TimeBounds
{
    /// <summary>
    /// The inclusive nanosecond range [From, To] that every row passing <paramref name="filter"/> lies in, as far as
    /// its terms over columns <paramref name="isTime"/> accepts tell; null for a side nothing bounds. Several terms on
    /// one side keep the tightest.
    /// </summary>
    public static (long? From, long? To) Of(Expr? filter, Func<Expr, bool> isTime)
    {
        ArgumentNullException.ThrowIfNull(isTime);
        long? from = null;
        long? to = null;
        if (filter is null)
        {
            return (null, null);
        }
        foreach (var term in Predicates.Conjuncts(filter))
        {
            if (term is not BinaryExpr b || BinaryExpr.ComparisonOf(b.Op) is null)
            {
                continue;
            }
            var op = b.Op;
            long value;
            if (isTime(b.Left) && Nanos(b.Right) is { } r)
            {
                value = r;
            }
            else if (isTime(b.Right) && Nanos(b.Left) is { } l)
            {
                value = l;
                op = op switch
                {
                    BinaryOp.Less => BinaryOp.Greater,
                    BinaryOp.LessOrEqual => BinaryOp.GreaterOrEqual,
                    BinaryOp.Greater => BinaryOp.Less,
                    BinaryOp.GreaterOrEqual => BinaryOp.LessOrEqual,
                    _ => op,
                };
            }
            else
            {
                continue;
            }
            switch (op)
            {
                case BinaryOp.Equal:
                    Lower(ref from, value);
                    Upper(ref to, value);
                    break;
                case BinaryOp.Greater:
                    Lower(ref from, value == long.MaxValue ? value : value + 1);
                    break;
                case BinaryOp.GreaterOrEqual:
                    Lower(ref from, value);
                    break;
                case BinaryOp.Less:
                    Upper(ref to, value == long.MinValue ? value : value - 1);
                    break;
                case BinaryOp.LessOrEqual:
                    Upper(ref to, value);
                    break;
            }
        }
        return (from, to);
    }

    private static long? Nanos(Expr e) => e is LiteralExpr { Value: TimestampScalar t } ? t.Nanos : null;

    private static void Lower(ref long? from, long value) => from = from is { } f ? Math.Max(f, value) : value;

    private static void Upper(ref long? to, long value) => to = to is { } t ? Math.Min(t, value) : value;
}
