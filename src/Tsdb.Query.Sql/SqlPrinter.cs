using System.Globalization;
using System.Text;

namespace Tsdb.Query.Sql;

/// <summary>
/// Prints an AST back to SQL that parses to the same tree: keywords in upper case, aliases always with AS,
/// parentheses only where precedence needs them, identifiers quoted when they must be (or were).
/// </summary>
public static class SqlPrinter
{
    private const int PrecedenceOr = 1;
    private const int PrecedenceAnd = 2;
    private const int PrecedenceNot = 3;
    private const int PrecedenceComparison = 4;
    private const int PrecedenceConcat = 5;
    private const int PrecedenceAdditive = 6;
    private const int PrecedenceMultiplicative = 7;
    private const int PrecedenceAtTimeZone = 8;
    private const int PrecedenceUnary = 9;
    private const int PrecedenceCast = 10;
    private const int PrecedencePrimary = 11;

    public static string Print(SqlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var sb = new StringBuilder();
        switch (node)
        {
            case Statement s:
                Statement(sb, s);
                break;
            case Expression e:
                Expr(sb, e, 0);
                break;
            case TableSource t:
                Table(sb, t);
                break;
            case SelectItem i:
                Item(sb, i);
                break;
            case OrderByItem o:
                Order(sb, o);
                break;
            case Identifier id:
                Name(sb, id);
                break;
            case ObjectName n:
                Name(sb, n);
                break;
            case CommonTableExpression c:
                Cte(sb, c);
                break;
            case WhenClause w:
                When(sb, w);
                break;
            default:
                throw new ArgumentException($"cannot print {node.GetType().Name}", nameof(node));
        }

        return sb.ToString();
    }

    private static void Statement(StringBuilder sb, Statement statement)
    {
        switch (statement)
        {
            case SelectStatement s:
                Select(sb, s);
                break;
            case UnionAllStatement u:
                Union(sb, u);
                break;
            case ShowTablesStatement:
                sb.Append("SHOW TABLES");
                break;
            case ShowColumnsStatement c:
                sb.Append("SHOW COLUMNS FROM ");
                Name(sb, c.Table);
                break;
            case DeleteStatement d:
                sb.Append("DELETE FROM ");
                Name(sb, d.Table);
                if (d.Where is not null)
                {
                    sb.Append(" WHERE ");
                    Expr(sb, d.Where, 0);
                }

                break;
            case ExplainStatement x:
                sb.Append("EXPLAIN ");
                if (x.Analyze)
                {
                    sb.Append("ANALYZE ");
                }

                if (x.Verbose)
                {
                    sb.Append("VERBOSE ");
                }

                Statement(sb, x.Statement);
                break;
            default:
                throw new ArgumentException($"cannot print {statement.GetType().Name}", nameof(statement));
        }
    }

    private static void With(StringBuilder sb, IReadOnlyList<CommonTableExpression> with)
    {
        if (with.Count == 0)
        {
            return;
        }

        sb.Append("WITH ");
        for (var i = 0; i < with.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Cte(sb, with[i]);
        }

        sb.Append(' ');
    }

    private static void Cte(StringBuilder sb, CommonTableExpression cte)
    {
        Name(sb, cte.Name);
        if (cte.Columns.Count > 0)
        {
            sb.Append(" (");
            for (var i = 0; i < cte.Columns.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                Name(sb, cte.Columns[i]);
            }

            sb.Append(')');
        }

        sb.Append(" AS (");
        Statement(sb, cte.Query);
        sb.Append(')');
    }

    private static void Select(StringBuilder sb, SelectStatement s)
    {
        With(sb, s.With);
        sb.Append("SELECT ");
        if (s.DistinctOn is not null)
        {
            sb.Append("DISTINCT ON (");
            ExprList(sb, s.DistinctOn);
            sb.Append(") ");
        }
        else if (s.Distinct)
        {
            sb.Append("DISTINCT ");
        }

        for (var i = 0; i < s.Projection.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Item(sb, s.Projection[i]);
        }

        if (s.From is not null)
        {
            sb.Append(" FROM ");
            Table(sb, s.From);
        }

        if (s.Where is not null)
        {
            sb.Append(" WHERE ");
            Expr(sb, s.Where, 0);
        }

        if (s.GroupBy.Count > 0)
        {
            sb.Append(" GROUP BY ");
            ExprList(sb, s.GroupBy);
        }

        if (s.Having is not null)
        {
            sb.Append(" HAVING ");
            Expr(sb, s.Having, 0);
        }

        OrderLimitOffset(sb, s.OrderBy, s.Limit, s.Offset);
    }

    private static void Union(StringBuilder sb, UnionAllStatement u)
    {
        With(sb, u.With);
        for (var i = 0; i < u.Inputs.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(" UNION ALL ");
            }

            // A bare operand is a plain SELECT core; anything more needs parentheses to stay itself.
            var input = u.Inputs[i];
            var bare = input is SelectStatement { With.Count: 0, OrderBy.Count: 0, Limit: null, Offset: null };
            if (!bare)
            {
                sb.Append('(');
            }

            Statement(sb, input);
            if (!bare)
            {
                sb.Append(')');
            }
        }

        OrderLimitOffset(sb, u.OrderBy, u.Limit, u.Offset);
    }

    private static void OrderLimitOffset(StringBuilder sb, IReadOnlyList<OrderByItem> orderBy, Expression? limit, Expression? offset)
    {
        if (orderBy.Count > 0)
        {
            sb.Append(" ORDER BY ");
            OrderList(sb, orderBy);
        }

        if (limit is not null)
        {
            sb.Append(" LIMIT ");
            Expr(sb, limit, 0);
        }

        if (offset is not null)
        {
            sb.Append(" OFFSET ");
            Expr(sb, offset, 0);
        }
    }

    private static void OrderList(StringBuilder sb, IReadOnlyList<OrderByItem> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Order(sb, items[i]);
        }
    }

    private static void Order(StringBuilder sb, OrderByItem item)
    {
        Expr(sb, item.Expression, 0);
        if (item.Descending)
        {
            sb.Append(" DESC");
        }

        if (item.NullsFirst is { } first)
        {
            sb.Append(first ? " NULLS FIRST" : " NULLS LAST");
        }
    }

    private static void Item(StringBuilder sb, SelectItem item)
    {
        switch (item)
        {
            case WildcardSelectItem w:
                if (w.Qualifier is not null)
                {
                    Name(sb, w.Qualifier);
                    sb.Append('.');
                }

                sb.Append('*');
                break;
            case ExpressionSelectItem e:
                Expr(sb, e.Expression, 0);
                Alias(sb, e.Alias);
                break;
            default:
                throw new ArgumentException($"cannot print {item.GetType().Name}", nameof(item));
        }
    }

    private static void Alias(StringBuilder sb, Identifier? alias)
    {
        if (alias is not null)
        {
            sb.Append(" AS ");
            Name(sb, alias);
        }
    }

    private static void Table(StringBuilder sb, TableSource table)
    {
        switch (table)
        {
            case NamedTableSource n:
                Name(sb, n.Name);
                Alias(sb, n.Alias);
                break;
            case SubqueryTableSource q:
                sb.Append('(');
                Statement(sb, q.Query);
                sb.Append(')');
                Alias(sb, q.Alias);
                break;
            case JoinTableSource j:
                Table(sb, j.Left);
                sb.Append(j.Kind switch
                {
                    JoinKind.Inner => " INNER JOIN ",
                    JoinKind.Left => " LEFT JOIN ",
                    JoinKind.Right => " RIGHT JOIN ",
                    JoinKind.Full => " FULL JOIN ",
                    _ => " CROSS JOIN ",
                });
                Table(sb, j.Right);
                if (j.On is not null)
                {
                    sb.Append(" ON ");
                    Expr(sb, j.On, 0);
                }

                break;
            default:
                throw new ArgumentException($"cannot print {table.GetType().Name}", nameof(table));
        }
    }

    private static void Name(StringBuilder sb, ObjectName name) => Parts(sb, name.Parts);

    private static void Parts(StringBuilder sb, IReadOnlyList<Identifier> parts)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }

            Name(sb, parts[i]);
        }
    }

    private static void Name(StringBuilder sb, Identifier id)
    {
        if (!id.Quoted && IsPlainName(id.Value))
        {
            sb.Append(id.Value);
            return;
        }

        sb.Append('"').Append(id.Value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    /// <summary>True when the name reads back unchanged without quotes.</summary>
    private static bool IsPlainName(string value)
    {
        if (value.Length == 0 || !(char.IsLetter(value[0]) || value[0] == '_'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_' || c == '$'))
            {
                return false;
            }
        }

        return string.Equals(value, value.ToLowerInvariant(), StringComparison.Ordinal) && !Keywords.IsReserved(value);
    }

    private static void StringLiteral(StringBuilder sb, string value) =>
        sb.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');

    private static void ExprList(StringBuilder sb, IReadOnlyList<Expression> list)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Expr(sb, list[i], 0);
        }
    }

    private static int Precedence(Expression e) => e switch
    {
        BinaryExpression b => Precedence(b.Operator),
        UnaryExpression { Operator: UnaryOperator.Not } => PrecedenceNot,
        UnaryExpression => PrecedenceUnary,
        AtTimeZoneExpression => PrecedenceAtTimeZone,
        IsNullExpression or InListExpression or InSubqueryExpression or BetweenExpression or LikeExpression => PrecedenceComparison,
        CastExpression { Syntax: CastSyntax.DoubleColon } or FieldAccessExpression => PrecedenceCast,
        _ => PrecedencePrimary,
    };

    private static int Precedence(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => PrecedenceOr,
        BinaryOperator.And => PrecedenceAnd,
        BinaryOperator.Concat => PrecedenceConcat,
        BinaryOperator.Add or BinaryOperator.Subtract => PrecedenceAdditive,
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo => PrecedenceMultiplicative,
        _ => PrecedenceComparison,
    };

    private static string OperatorText(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => "OR",
        BinaryOperator.And => "AND",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "<>",
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

    private static string TypeText(SqlType type) => type switch
    {
        SqlType.BigInt => "BIGINT",
        SqlType.Double => "DOUBLE",
        SqlType.Varchar => "VARCHAR",
        SqlType.Boolean => "BOOLEAN",
        _ => "TIMESTAMP",
    };

    /// <summary>Prints <paramref name="e"/>, in parentheses when it binds looser than <paramref name="minPrecedence"/>.</summary>
    private static void Expr(StringBuilder sb, Expression e, int minPrecedence)
    {
        var parenthesize = Precedence(e) < minPrecedence;
        if (parenthesize)
        {
            sb.Append('(');
        }

        ExprBody(sb, e);
        if (parenthesize)
        {
            sb.Append(')');
        }
    }

    private static void ExprBody(StringBuilder sb, Expression e)
    {
        switch (e)
        {
            case IntegerLiteral i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FloatLiteral f:
                var text = f.Value.ToString("R", CultureInfo.InvariantCulture);
                sb.Append(text);
                if (text.AsSpan().IndexOfAny(".Ee") < 0)
                {
                    sb.Append(".0");
                }

                break;
            case StringLiteral s:
                StringLiteral(sb, s.Value);
                break;
            case BooleanLiteral b:
                sb.Append(b.Value ? "TRUE" : "FALSE");
                break;
            case NullLiteral:
                sb.Append("NULL");
                break;
            case IntervalLiteral iv:
                sb.Append("INTERVAL ");
                StringLiteral(sb, iv.Value);
                break;
            case ColumnReference c:
                Parts(sb, c.Parts);
                break;
            case ParameterExpression p:
                sb.Append('$').Append(p.Name);
                break;
            case UnaryExpression u:
                Unary(sb, u);
                break;
            case BinaryExpression b:
                Binary(sb, b);
                break;
            case IsNullExpression n:
                Expr(sb, n.Operand, PrecedenceComparison);
                sb.Append(n.Negated ? " IS NOT NULL" : " IS NULL");
                break;
            case InListExpression il:
                Expr(sb, il.Operand, PrecedenceComparison);
                sb.Append(il.Negated ? " NOT IN (" : " IN (");
                ExprList(sb, il.Values);
                sb.Append(')');
                break;
            case InSubqueryExpression iq:
                Expr(sb, iq.Operand, PrecedenceComparison);
                sb.Append(iq.Negated ? " NOT IN (" : " IN (");
                Statement(sb, iq.Query);
                sb.Append(')');
                break;
            case BetweenExpression bt:
                Expr(sb, bt.Operand, PrecedenceComparison);
                sb.Append(bt.Negated ? " NOT BETWEEN " : " BETWEEN ");
                Expr(sb, bt.Low, PrecedenceConcat);
                sb.Append(" AND ");
                Expr(sb, bt.High, PrecedenceConcat);
                break;
            case LikeExpression l:
                Expr(sb, l.Operand, PrecedenceComparison);
                sb.Append(l.Negated ? " NOT" : string.Empty).Append(l.CaseInsensitive ? " ILIKE " : " LIKE ");
                Expr(sb, l.Pattern, PrecedenceConcat);
                break;
            case CaseExpression ce:
                Case(sb, ce);
                break;
            case CastExpression { Syntax: CastSyntax.DoubleColon } dc:
                Expr(sb, dc.Operand, PrecedenceCast);
                sb.Append("::").Append(TypeText(dc.Type));
                break;
            case CastExpression { Syntax: CastSyntax.TypedLiteral, Operand: StringLiteral literal, Type: SqlType.Timestamp }:
                sb.Append("TIMESTAMP ");
                StringLiteral(sb, literal.Value);
                break;
            case CastExpression cf:
                sb.Append("CAST(");
                Expr(sb, cf.Operand, 0);
                sb.Append(" AS ").Append(TypeText(cf.Type)).Append(')');
                break;
            case FunctionCall fc:
                Call(sb, fc);
                break;
            case FieldAccessExpression fa:
                Expr(sb, fa.Operand, PrecedenceCast);
                sb.Append('[');
                StringLiteral(sb, fa.Field);
                sb.Append(']');
                break;
            case AtTimeZoneExpression at:
                // Left-associative: a chain prints without parentheses; a zone that is itself AT TIME ZONE gets them.
                Expr(sb, at.Operand, PrecedenceAtTimeZone);
                sb.Append(" AT TIME ZONE ");
                Expr(sb, at.Zone, PrecedenceUnary);
                break;
            case ExtractExpression ex:
                sb.Append("EXTRACT(");
                if (ex.Field.Quoted)
                {
                    // A field written as a string (or "quoted") is read back from a string as the same quoted name.
                    StringLiteral(sb, ex.Field.Value);
                }
                else
                {
                    Name(sb, ex.Field);
                }

                sb.Append(" FROM ");
                Expr(sb, ex.Operand, 0);
                sb.Append(')');
                break;
            case ScalarSubquery sq:
                sb.Append('(');
                Statement(sb, sq.Query);
                sb.Append(')');
                break;
            case ExistsExpression ex:
                sb.Append("EXISTS (");
                Statement(sb, ex.Query);
                sb.Append(')');
                break;
            default:
                throw new ArgumentException($"cannot print {e.GetType().Name}", nameof(e));
        }
    }

    /// <summary>
    /// A left-deep chain of one precedence level (<c>a OR b OR …</c>, thousands of terms from a Grafana variable) is
    /// printed in a loop, so the printer recurses per level of nesting, not per link.
    /// </summary>
    private static void Binary(StringBuilder sb, BinaryExpression b)
    {
        var p0 = Precedence(b.Operator);
        var spine = new List<BinaryExpression> { b };
        while (spine[^1].Left is BinaryExpression left && Precedence(left.Operator) == p0)
        {
            spine.Add(left);
        }

        Expr(sb, spine[^1].Left, p0);
        for (var i = spine.Count - 1; i >= 0; i--)
        {
            sb.Append(' ').Append(OperatorText(spine[i].Operator)).Append(' ');
            Expr(sb, spine[i].Right, p0 + 1);
        }
    }

    private static void Unary(StringBuilder sb, UnaryExpression u)
    {
        if (u.Operator == UnaryOperator.Not)
        {
            sb.Append("NOT ");
            Expr(sb, u.Operand, PrecedenceNot);
            return;
        }

        sb.Append(u.Operator == UnaryOperator.Negate ? '-' : '+');
        // "- -x" must not print as "--x", which would start a comment.
        var operand = u.Operand;
        var signed = operand is UnaryExpression { Operator: not UnaryOperator.Not }
            or IntegerLiteral { Value: < 0 }
            or FloatLiteral { Value: < 0 };
        if (signed)
        {
            sb.Append('(');
            ExprBody(sb, operand);
            sb.Append(')');
        }
        else
        {
            Expr(sb, operand, PrecedenceUnary);
        }
    }

    private static void Case(StringBuilder sb, CaseExpression ce)
    {
        sb.Append("CASE");
        if (ce.Operand is not null)
        {
            sb.Append(' ');
            Expr(sb, ce.Operand, 0);
        }

        foreach (var w in ce.Whens)
        {
            sb.Append(' ');
            When(sb, w);
        }

        if (ce.Else is not null)
        {
            sb.Append(" ELSE ");
            Expr(sb, ce.Else, 0);
        }

        sb.Append(" END");
    }

    private static void When(StringBuilder sb, WhenClause w)
    {
        sb.Append("WHEN ");
        Expr(sb, w.Condition, 0);
        sb.Append(" THEN ");
        Expr(sb, w.Result, 0);
    }

    private static void Call(StringBuilder sb, FunctionCall fc)
    {
        Name(sb, fc.Name);
        sb.Append('(');
        if (fc.Star)
        {
            sb.Append('*');
        }
        else
        {
            if (fc.Distinct)
            {
                sb.Append("DISTINCT ");
            }

            ExprList(sb, fc.Arguments);
            if (fc.OrderBy.Count > 0)
            {
                sb.Append(" ORDER BY ");
                OrderList(sb, fc.OrderBy);
            }
        }

        sb.Append(')');
        if (fc.Filter is not null)
        {
            sb.Append(" FILTER (WHERE ");
            Expr(sb, fc.Filter, 0);
            sb.Append(')');
        }

        if (fc.Over is not null)
        {
            sb.Append(" OVER ");
            Window(sb, fc.Over);
        }
    }

    private static void Window(StringBuilder sb, WindowSpec w)
    {
        sb.Append('(');
        var space = false;
        if (w.PartitionBy.Count > 0)
        {
            sb.Append("PARTITION BY ");
            ExprList(sb, w.PartitionBy);
            space = true;
        }

        if (w.OrderBy.Count > 0)
        {
            sb.Append(space ? " ORDER BY " : "ORDER BY ");
            OrderList(sb, w.OrderBy);
            space = true;
        }

        if (w.Frame is { } f)
        {
            if (space)
            {
                sb.Append(' ');
            }

            sb.Append(f.Units switch { WindowFrameUnits.Rows => "ROWS", WindowFrameUnits.Range => "RANGE", _ => "GROUPS" });
            sb.Append(" BETWEEN ");
            Bound(sb, f.Start);
            sb.Append(" AND ");
            Bound(sb, f.End);
        }

        sb.Append(')');
    }

    private static void Bound(StringBuilder sb, WindowFrameBound b)
    {
        switch (b.Kind)
        {
            case WindowFrameBoundKind.UnboundedPreceding:
                sb.Append("UNBOUNDED PRECEDING");
                break;
            case WindowFrameBoundKind.UnboundedFollowing:
                sb.Append("UNBOUNDED FOLLOWING");
                break;
            case WindowFrameBoundKind.CurrentRow:
                sb.Append("CURRENT ROW");
                break;
            default:
                Expr(sb, b.Offset!, PrecedenceConcat);
                sb.Append(b.Kind == WindowFrameBoundKind.Preceding ? " PRECEDING" : " FOLLOWING");
                break;
        }
    }
}
