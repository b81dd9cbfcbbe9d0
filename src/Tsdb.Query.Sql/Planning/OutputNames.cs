using System.Globalization;
using System.Text;

namespace Tsdb.Query.Sql;

/// <summary>
/// The name an unaliased select item gets, as InfluxDB 3 (DataFusion's <c>Expr::schema_name</c>) names it, so clients
/// that read a column by name see the same header from both: columns qualified by their table inside expressions
/// (<c>avg(cpu.usage)</c>), literals with their type (<c>Int64(1)</c>, <c>Utf8("x")</c>), casts transparent, function
/// arguments joined by a bare comma (<c>date_bin(IntervalMonthDayNano("…"),cpu.time)</c>), binary operators without
/// parentheses (<c>cpu.a + cpu.b * Int64(2)</c>), <c>count(*)</c>. A bare column is its own name.
/// </summary>
internal static class OutputNames
{
    /// <summary>DataFusion names an aggregate called by an alias after the function itself.</summary>
    private static readonly Dictionary<string, string> CanonicalNames = new(StringComparer.Ordinal)
    {
        ["mean"] = "avg",
    };

    public static string Of(Expression e, BindScope scope, Func<QueryStatement, string?> subqueryName) =>
        e is ColumnReference c ? c.Parts[^1].Value : new Writer(scope, subqueryName).Write(e);

    private sealed class Writer(BindScope scope, Func<QueryStatement, string?> subqueryName)
    {
        private readonly StringBuilder _sb = new();

        public string Write(Expression e)
        {
            Expr(e);
            return _sb.ToString();
        }

        private void Expr(Expression e)
        {
            switch (e)
            {
                case IntegerLiteral i:
                    _sb.Append("Int64(").Append(i.Value.ToString(CultureInfo.InvariantCulture)).Append(')');
                    break;
                case FloatLiteral f:
                    _sb.Append("Float64(").Append(FormatFloat(f.Value)).Append(')');
                    break;
                case UnaryExpression { Operator: UnaryOperator.Negate, Operand: IntegerLiteral ni }:
                    // DataFusion folds a minus sign into a number literal as it parses it.
                    _sb.Append("Int64(").Append((-ni.Value).ToString(CultureInfo.InvariantCulture)).Append(')');
                    break;
                case UnaryExpression { Operator: UnaryOperator.Negate, Operand: FloatLiteral nf }:
                    _sb.Append("Float64(").Append(FormatFloat(-nf.Value)).Append(')');
                    break;
                case StringLiteral s:
                    _sb.Append("Utf8(\"").Append(s.Value).Append("\")");
                    break;
                case BooleanLiteral b:
                    _sb.Append(b.Value ? "Boolean(true)" : "Boolean(false)");
                    break;
                case NullLiteral:
                    _sb.Append("NULL");
                    break;
                case IntervalLiteral iv:
                    Interval(iv.Value);
                    break;
                case ColumnReference c:
                    Column(c);
                    break;
                case ParameterExpression p:
                    _sb.Append('$').Append(p.Name);
                    break;
                case UnaryExpression { Operator: UnaryOperator.Plus } plus:
                    Expr(plus.Operand);
                    break;
                case UnaryExpression { Operator: UnaryOperator.Not } not:
                    _sb.Append("NOT ");
                    Expr(not.Operand);
                    break;
                case UnaryExpression neg:
                    _sb.Append("(- ");
                    Expr(neg.Operand);
                    _sb.Append(')');
                    break;
                case BinaryExpression bin:
                {
                    // Walk the left spine without recursing: a chain of 10,000 ORs is one select item.
                    var spine = new List<BinaryExpression> { bin };
                    while (spine[^1].Left is BinaryExpression left)
                    {
                        spine.Add(left);
                    }
                    Expr(spine[^1].Left);
                    for (var i = spine.Count - 1; i >= 0; i--)
                    {
                        _sb.Append(' ').Append(OperatorText(spine[i].Operator)).Append(' ');
                        Expr(spine[i].Right);
                    }
                    break;
                }
                case IsNullExpression n:
                    Expr(n.Operand);
                    _sb.Append(n.Negated ? " IS NOT NULL" : " IS NULL");
                    break;
                case InListExpression il:
                    Expr(il.Operand);
                    _sb.Append(il.Negated ? " NOT IN " : " IN ");
                    List(il.Values, ", ");
                    break;
                case InSubqueryExpression iq:
                    _sb.Append(iq.Negated ? "NOT IN" : "IN");
                    break;
                case ExistsExpression:
                    _sb.Append("EXISTS");
                    break;
                case BetweenExpression bt:
                    Expr(bt.Operand);
                    _sb.Append(bt.Negated ? " NOT BETWEEN " : " BETWEEN ");
                    Expr(bt.Low);
                    _sb.Append(" AND ");
                    Expr(bt.High);
                    break;
                case LikeExpression l:
                    Expr(l.Operand);
                    _sb.Append(' ').Append(l.Negated ? "NOT " : string.Empty).Append(l.CaseInsensitive ? "ILIKE " : "LIKE ");
                    Expr(l.Pattern);
                    break;
                case CaseExpression ce:
                    _sb.Append("CASE ");
                    if (ce.Operand is not null)
                    {
                        Expr(ce.Operand);
                        _sb.Append(' ');
                    }
                    foreach (var w in ce.Whens)
                    {
                        _sb.Append("WHEN ");
                        Expr(w.Condition);
                        _sb.Append(" THEN ");
                        Expr(w.Result);
                        _sb.Append(' ');
                    }
                    if (ce.Else is not null)
                    {
                        _sb.Append("ELSE ");
                        Expr(ce.Else);
                        _sb.Append(' ');
                    }
                    _sb.Append("END");
                    break;
                case CastExpression cast:
                    // Casts do not show in DataFusion's names (as in Postgres and Spark).
                    Expr(cast.Operand);
                    break;
                case AtTimeZoneExpression at:
                    // DataFusion plans AT TIME ZONE as a cast to a zoned timestamp.
                    Expr(at.Operand);
                    break;
                case ExtractExpression ex:
                    _sb.Append("date_part(Utf8(\"").Append(ex.Field.Value.ToUpperInvariant()).Append("\"),");
                    Expr(ex.Operand);
                    _sb.Append(')');
                    break;
                case FieldAccessExpression fa:
                    Expr(fa.Operand);
                    _sb.Append('[').Append(fa.Field).Append(']');
                    break;
                case FunctionCall fc:
                    Call(fc);
                    break;
                case ScalarSubquery sq:
                    _sb.Append(subqueryName(sq.Query) ?? "?column?");
                    break;
                default:
                    _sb.Append(SqlPrinter.Print(e));
                    break;
            }
        }

        private void Column(ColumnReference c)
        {
            var parts = c.Parts.Select(p => p.Value).ToList();
            var at = scope.Find(parts);
            var qualifier = at >= 0 ? scope.Columns[at].Qualifier : parts.Count > 1 ? string.Join('.', parts.Take(parts.Count - 1)) : null;
            if (qualifier is not null)
            {
                _sb.Append(qualifier).Append('.');
            }
            _sb.Append(parts[^1]);
        }

        private void Call(FunctionCall fc)
        {
            var name = fc.Name.Quoted ? fc.Name.Value : fc.Name.Value.ToLowerInvariant();
            name = CanonicalNames.GetValueOrDefault(name, name);
            _sb.Append(name).Append('(');
            if (fc.Star)
            {
                _sb.Append('*');
            }
            else
            {
                if (fc.Distinct)
                {
                    _sb.Append("DISTINCT ");
                }
                List(fc.Arguments, ",");
            }
            _sb.Append(')');
            if (fc.Filter is not null)
            {
                _sb.Append(" FILTER (WHERE ");
                Expr(fc.Filter);
                _sb.Append(')');
            }
            if (fc.Over is null)
            {
                if (fc.OrderBy.Count > 0)
                {
                    _sb.Append(" ORDER BY [");
                    Sorts(fc.OrderBy);
                    _sb.Append(']');
                }
                return;
            }
            var over = fc.Over;
            if (over.PartitionBy.Count > 0)
            {
                _sb.Append(" PARTITION BY [");
                List(over.PartitionBy, ", ");
                _sb.Append(']');
            }
            if (over.OrderBy.Count > 0)
            {
                _sb.Append(" ORDER BY [");
                Sorts(over.OrderBy);
                _sb.Append(']');
            }
            _sb.Append(' ');
            if (over.Frame is { } frame)
            {
                _sb.Append(frame.Units switch { WindowFrameUnits.Rows => "ROWS", WindowFrameUnits.Range => "RANGE", _ => "GROUPS" })
                    .Append(" BETWEEN ");
                Bound(frame.Start);
                _sb.Append(" AND ");
                Bound(frame.End);
            }
            else
            {
                _sb.Append(over.OrderBy.Count > 0
                    ? "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
                    : "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING");
            }
        }

        private void Bound(WindowFrameBound bound)
        {
            switch (bound.Kind)
            {
                case WindowFrameBoundKind.UnboundedPreceding:
                    _sb.Append("UNBOUNDED PRECEDING");
                    break;
                case WindowFrameBoundKind.UnboundedFollowing:
                    _sb.Append("UNBOUNDED FOLLOWING");
                    break;
                case WindowFrameBoundKind.CurrentRow:
                    _sb.Append("CURRENT ROW");
                    break;
                default:
                    // Offsets show as plain values (ScalarValue's Display), not typed literals.
                    _sb.Append(bound.Offset is null ? string.Empty : SqlPrinter.Print(bound.Offset))
                        .Append(bound.Kind == WindowFrameBoundKind.Preceding ? " PRECEDING" : " FOLLOWING");
                    break;
            }
        }

        private void Sorts(IReadOnlyList<OrderByItem> items)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    _sb.Append(", ");
                }
                Expr(items[i].Expression);
                _sb.Append(items[i].Descending ? " DESC" : " ASC")
                    .Append(items[i].NullsFirst ?? items[i].Descending ? " NULLS FIRST" : " NULLS LAST");
            }
        }

        private void List(IReadOnlyList<Expression> list, string separator)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0)
                {
                    _sb.Append(separator);
                }
                Expr(list[i]);
            }
        }

        /// <summary>DataFusion's literal for <c>INTERVAL '…'</c>: a month-day-nanosecond interval, days and weeks as days.</summary>
        private void Interval(string text)
        {
            long days = 0, nanos = 0;
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var p = 0; p + 1 < parts.Length; p += 2)
            {
                if (!long.TryParse(parts[p], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || TimeText.UnitNanos(parts[p + 1]) is not { } unit)
                {
                    continue;
                }
                switch (parts[p + 1].ToLowerInvariant())
                {
                    case "day" or "days" or "d":
                        days += n;
                        break;
                    case "week" or "weeks" or "w":
                        days += 7 * n;
                        break;
                    default:
                        nanos += n * unit;
                        break;
                }
            }
            _sb.Append("IntervalMonthDayNano(\"IntervalMonthDayNano { months: 0, days: ")
                .Append(days.ToString(CultureInfo.InvariantCulture))
                .Append(", nanoseconds: ")
                .Append(nanos.ToString(CultureInfo.InvariantCulture))
                .Append(" }\")");
        }
    }

    private static string OperatorText(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => "OR",
        BinaryOperator.And => "AND",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.RegexMatch => "~",
        BinaryOperator.RegexNotMatch => "!~",
        BinaryOperator.RegexIMatch => "~*",
        BinaryOperator.RegexNotIMatch => "!~*",
        BinaryOperator.Concat => "||",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        _ => "%",
    };

    /// <summary>As Rust displays an f64: the shortest text that reads back, never in exponent form, no ".0" on whole numbers.</summary>
    internal static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        return NumberText.Plain(value);
    }
}
