using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// The time range implied by the top-level AND terms of a WHERE clause (time compared with constants), handed to the
/// scan for pruning (inclusive bounds). Anything else in WHERE is still evaluated row by row afterwards.
/// </summary>
internal static class TimeRange
{
    public static (long? From, long? To) Extract(Expression where, Evaluator constants)
    {
        long? from = null;
        long? to = null;
        Visit(where, constants, ref from, ref to);
        return (from, to);
    }

    private static void Visit(Expression e, Evaluator constants, ref long? from, ref long? to)
    {
        switch (e)
        {
            case BinaryExpression { Operator: BinaryOperator.And } and:
                Visit(and.Left, constants, ref from, ref to);
                Visit(and.Right, constants, ref from, ref to);
                break;
            case BetweenExpression { Negated: false, Operand: ColumnReference c } b when IsTime(c):
                if (Constant(b.Low, constants) is { } lo)
                {
                    Lower(ref from, lo);
                }
                if (Constant(b.High, constants) is { } hi)
                {
                    Upper(ref to, hi);
                }
                break;
            case BinaryExpression b:
                var op = b.Operator;
                Expression other;
                if (b.Left is ColumnReference l && IsTime(l))
                {
                    other = b.Right;
                }
                else if (b.Right is ColumnReference r && IsTime(r))
                {
                    other = b.Left;
                    op = op switch
                    {
                        BinaryOperator.Less => BinaryOperator.Greater,
                        BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
                        BinaryOperator.Greater => BinaryOperator.Less,
                        BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
                        _ => op,
                    };
                }
                else
                {
                    return;
                }
                if (Constant(other, constants) is not { } v)
                {
                    return;
                }
                switch (op)
                {
                    case BinaryOperator.GreaterOrEqual: Lower(ref from, v); break;
                    case BinaryOperator.Greater: Lower(ref from, v == long.MaxValue ? v : v + 1); break;
                    case BinaryOperator.LessOrEqual: Upper(ref to, v); break;
                    case BinaryOperator.Less: Upper(ref to, v == long.MinValue ? v : v - 1); break;
                    case BinaryOperator.Equal: Lower(ref from, v); Upper(ref to, v); break;
                }
                break;
        }
    }

    private static bool IsTime(ColumnReference c) => c.Parts[^1].Value == "time";

    private static void Lower(ref long? from, long v) => from = from is { } f ? Math.Max(f, v) : v;

    private static void Upper(ref long? to, long v) => to = to is { } t ? Math.Min(t, v) : v;

    private static long? Constant(Expression e, Evaluator constants)
    {
        try
        {
            var v = constants.Eval(e);
            return v.Scalar switch
            {
                TimestampScalar t => t.Nanos,
                string s when TimeText.TryParseTimestamp(s, out var ns) => ns,
                _ => null,
            };
        }
        catch (QueryException)
        {
            return null;   // not a constant: the filter reports it with its position
        }
    }

    internal static bool IsTimestamp(ArrowType t) => t.Id == ArrowTypeId.Timestamp;
}
