using System.Globalization;
using System.Text;

namespace Tsdb.Query.Sql.Tests;

/// <summary>
/// Shows an expression tree as nested prefix forms, e.g. <c>(+ a (* b c))</c>, so precedence and associativity can
/// be asserted exactly without depending on the printer.
/// </summary>
internal static class Tree
{
    public static string Show(Expression e)
    {
        var sb = new StringBuilder();
        Write(sb, e);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Expression e)
    {
        switch (e)
        {
            case IntegerLiteral i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FloatLiteral f:
                sb.Append(f.Value.ToString("R", CultureInfo.InvariantCulture)).Append('f');
                break;
            case StringLiteral s:
                sb.Append('\'').Append(s.Value).Append('\'');
                break;
            case BooleanLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case NullLiteral:
                sb.Append("null");
                break;
            case IntervalLiteral iv:
                sb.Append("(interval '").Append(iv.Value).Append("')");
                break;
            case ColumnReference c:
                sb.AppendJoin('.', c.Parts.Select(p => p.Quoted ? "\"" + p.Value + "\"" : p.Value));
                break;
            case ParameterExpression p:
                sb.Append('$').Append(p.Name);
                break;
            case UnaryExpression u:
                sb.Append('(').Append(u.Operator switch
                {
                    UnaryOperator.Not => "not",
                    UnaryOperator.Negate => "neg",
                    _ => "pos",
                }).Append(' ');
                Write(sb, u.Operand);
                sb.Append(')');
                break;
            case BinaryExpression b:
                sb.Append('(').Append(b.Operator).Append(' ');
                Write(sb, b.Left);
                sb.Append(' ');
                Write(sb, b.Right);
                sb.Append(')');
                break;
            case IsNullExpression n:
                sb.Append(n.Negated ? "(isnotnull " : "(isnull ");
                Write(sb, n.Operand);
                sb.Append(')');
                break;
            case InListExpression il:
                sb.Append(il.Negated ? "(notin " : "(in ");
                Write(sb, il.Operand);
                foreach (var v in il.Values)
                {
                    sb.Append(' ');
                    Write(sb, v);
                }

                sb.Append(')');
                break;
            case InSubqueryExpression iq:
                sb.Append(iq.Negated ? "(notin " : "(in ");
                Write(sb, iq.Operand);
                sb.Append(" <query>)");
                break;
            case BetweenExpression bt:
                sb.Append(bt.Negated ? "(notbetween " : "(between ");
                Write(sb, bt.Operand);
                sb.Append(' ');
                Write(sb, bt.Low);
                sb.Append(' ');
                Write(sb, bt.High);
                sb.Append(')');
                break;
            case LikeExpression l:
                sb.Append('(').Append(l.Negated ? "not" : string.Empty).Append(l.CaseInsensitive ? "ilike " : "like ");
                Write(sb, l.Operand);
                sb.Append(' ');
                Write(sb, l.Pattern);
                sb.Append(')');
                break;
            case CaseExpression ce:
                sb.Append("(case");
                if (ce.Operand is not null)
                {
                    sb.Append(' ');
                    Write(sb, ce.Operand);
                }

                foreach (var w in ce.Whens)
                {
                    sb.Append(" (when ");
                    Write(sb, w.Condition);
                    sb.Append(' ');
                    Write(sb, w.Result);
                    sb.Append(')');
                }

                if (ce.Else is not null)
                {
                    sb.Append(" (else ");
                    Write(sb, ce.Else);
                    sb.Append(')');
                }

                sb.Append(')');
                break;
            case CastExpression c:
                sb.Append("(cast ");
                Write(sb, c.Operand);
                sb.Append(' ').Append(c.Type).Append(')');
                break;
            case FunctionCall fc:
                sb.Append('(').Append(fc.Name.Value).Append("()");
                if (fc.Distinct)
                {
                    sb.Append(" distinct");
                }

                if (fc.Star)
                {
                    sb.Append(" *");
                }

                foreach (var a in fc.Arguments)
                {
                    sb.Append(' ');
                    Write(sb, a);
                }

                foreach (var o in fc.OrderBy)
                {
                    sb.Append(" (orderby ");
                    Write(sb, o.Expression);
                    sb.Append(o.Descending ? " desc)" : ")");
                }

                sb.Append(')');
                break;
            case ExtractExpression ex:
                sb.Append("(extract ").Append(ex.Field.Quoted ? "\"" + ex.Field.Value + "\"" : ex.Field.Value).Append(' ');
                Write(sb, ex.Operand);
                sb.Append(')');
                break;
            case AtTimeZoneExpression at:
                sb.Append("(attz ");
                Write(sb, at.Operand);
                sb.Append(' ');
                Write(sb, at.Zone);
                sb.Append(')');
                break;
            case ScalarSubquery:
                sb.Append("<subquery>");
                break;
            case ExistsExpression:
                sb.Append("(exists <query>)");
                break;
            default:
                throw new ArgumentException(e.GetType().Name, nameof(e));
        }
    }
}
