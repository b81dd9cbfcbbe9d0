using System.Globalization;
using System.Text;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>
/// Shows a tree as nested prefix forms, every property included and positions left out, e.g. <c>(+ a (* b 2))</c>,
/// so structure can be asserted exactly without depending on the printer, and two trees compared for equality.
/// </summary>
internal static class Tree
{
    public static string Show(InfluxQLNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static string Str(string? s) => s is null ? "null" : "'" + s + "'";

    private static void List<T>(StringBuilder sb, IReadOnlyList<T> items)
        where T : InfluxQLNode
    {
        sb.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            Write(sb, items[i]);
        }

        sb.Append(']');
    }

    private static void Opt(StringBuilder sb, string name, InfluxQLNode? node)
    {
        if (node is not null)
        {
            sb.Append(' ').Append(name).Append('=');
            Write(sb, node);
        }
    }

    private static void Num(StringBuilder sb, string name, long? value)
    {
        if (value is { } v)
        {
            sb.Append(' ').Append(name).Append('=').Append(v.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Write(StringBuilder sb, InfluxQLNode node)
    {
        switch (node)
        {
            case IntegerLiteral i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case UnsignedLiteral u:
                sb.Append(u.Value.ToString(CultureInfo.InvariantCulture)).Append('u');
                break;
            case NumberLiteral n:
                sb.Append(n.Value.ToString("R", CultureInfo.InvariantCulture)).Append('f');
                break;
            case StringLiteral s:
                sb.Append('\'').Append(s.Value).Append('\'');
                break;
            case BooleanLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case DurationLiteral d:
                sb.Append(d.Nanoseconds.ToString(CultureInfo.InvariantCulture)).Append("ns");
                break;
            case RegexLiteral r:
                sb.Append("(re ").Append(r.Pattern).Append(')');
                break;
            case BoundParameter p:
                sb.Append('$').Append(p.Name);
                break;
            case VarRef v:
                sb.Append(v.Name);
                if (v.Type != VarRefType.Unknown)
                {
                    sb.Append("::").Append(v.Type);
                }

                break;
            case Wildcard w:
                sb.Append('*');
                if (w.Type != WildcardType.All)
                {
                    sb.Append("::").Append(w.Type);
                }

                break;
            case Call c:
                sb.Append('(').Append(c.Name).Append("()");
                foreach (var a in c.Args)
                {
                    sb.Append(' ');
                    Write(sb, a);
                }

                sb.Append(')');
                break;
            case ParenExpr p:
                sb.Append("(paren ");
                Write(sb, p.Inner);
                sb.Append(')');
                break;
            case UnaryMinusExpr u:
                sb.Append("(neg ");
                Write(sb, u.Operand);
                sb.Append(')');
                break;
            case BinaryExpr b:
                sb.Append('(').Append(InfluxQLPrinterText(b.Op)).Append(' ');
                Write(sb, b.Left);
                sb.Append(' ');
                Write(sb, b.Right);
                sb.Append(')');
                break;
            case SelectField f:
                Write(sb, f.Expr);
                if (f.Alias is not null)
                {
                    sb.Append(" as ").Append(Str(f.Alias));
                }

                break;
            case MeasurementSource m:
                sb.Append("(m db=").Append(Str(m.Database)).Append(" rp=").Append(Str(m.RetentionPolicy))
                    .Append(" name=").Append(Str(m.Name)).Append(" re=").Append(Str(m.Regex)).Append(')');
                break;
            case SubquerySource q:
                sb.Append("(sub ");
                Write(sb, q.Statement);
                sb.Append(')');
                break;
            case TimeDimension t:
                sb.Append("(time ");
                Write(sb, t.Interval);
                Opt(sb, "offset", t.Offset);
                sb.Append(')');
                break;
            case TagDimension t:
                sb.Append("(tag ").Append(t.Name).Append(')');
                break;
            case RegexDimension r:
                sb.Append("(tags /").Append(r.Pattern).Append("/)");
                break;
            case WildcardDimension:
                sb.Append("(tags *)");
                break;
            case SelectStatement s:
                sb.Append("(select ");
                List(sb, s.Fields);
                if (s.Into is not null)
                {
                    sb.Append(" into=").Append(s.Into);
                }

                sb.Append(" from=");
                List(sb, s.Sources);
                Opt(sb, "where", s.Condition);
                if (s.Dimensions.Count > 0)
                {
                    sb.Append(" group=");
                    List(sb, s.Dimensions);
                }

                if (s.Fill != FillOption.Null)
                {
                    sb.Append(" fill=").Append(s.Fill);
                }

                Opt(sb, "fillvalue", s.FillValue);
                if (s.Descending)
                {
                    sb.Append(" desc");
                }

                Num(sb, "limit", s.Limit);
                Num(sb, "offset", s.Offset);
                Num(sb, "slimit", s.SLimit);
                Num(sb, "soffset", s.SOffset);
                if (s.TimeZone is not null)
                {
                    sb.Append(" tz=").Append(s.TimeZone);
                }

                sb.Append(')');
                break;
            case ExplainStatement e:
                sb.Append("(explain").Append(e.Analyze ? " analyze" : "").Append(e.Verbose ? " verbose" : "").Append(' ');
                Write(sb, e.Statement);
                sb.Append(')');
                break;
            case ShowDatabasesStatement:
                sb.Append("(show-databases)");
                break;
            case ShowRetentionPoliciesStatement r:
                sb.Append("(show-rp on=").Append(Str(r.Database)).Append(')');
                break;
            case ShowMeasurementsStatement m:
                sb.Append("(show-measurements on=").Append(Str(m.Database));
                if (m.WithMeasurement is { } with)
                {
                    sb.Append(" with=(").Append(InfluxQLPrinterText(with.Op)).Append(' ');
                    Write(sb, with.Operand);
                    sb.Append(')');
                }

                Opt(sb, "where", m.Condition);
                Num(sb, "limit", m.Limit);
                Num(sb, "offset", m.Offset);
                sb.Append(')');
                break;
            case ShowTagKeysStatement k:
                sb.Append("(show-tag-keys on=").Append(Str(k.Database)).Append(" from=");
                List(sb, k.Sources);
                Opt(sb, "where", k.Condition);
                Num(sb, "limit", k.Limit);
                Num(sb, "offset", k.Offset);
                Num(sb, "slimit", k.SLimit);
                Num(sb, "soffset", k.SOffset);
                sb.Append(')');
                break;
            case ShowTagValuesStatement v:
                sb.Append("(show-tag-values on=").Append(Str(v.Database)).Append(" from=");
                List(sb, v.Sources);
                sb.Append(" key=(").Append(InfluxQLPrinterText(v.KeyOperator)).Append(' ').AppendJoin(',', v.Keys).Append(')');
                Opt(sb, "where", v.Condition);
                Num(sb, "limit", v.Limit);
                Num(sb, "offset", v.Offset);
                sb.Append(')');
                break;
            case ShowFieldKeysStatement f:
                sb.Append("(show-field-keys on=").Append(Str(f.Database)).Append(" from=");
                List(sb, f.Sources);
                Num(sb, "limit", f.Limit);
                Num(sb, "offset", f.Offset);
                sb.Append(')');
                break;
            case ShowSeriesStatement s:
                sb.Append("(show-series on=").Append(Str(s.Database)).Append(" from=");
                List(sb, s.Sources);
                Opt(sb, "where", s.Condition);
                Num(sb, "limit", s.Limit);
                Num(sb, "offset", s.Offset);
                sb.Append(')');
                break;
            case ShowCardinalityStatement c:
                sb.Append("(cardinality ").Append(c.Kind).Append(c.Exact ? " exact" : "").Append(" on=").Append(Str(c.Database))
                    .Append(" from=");
                List(sb, c.Sources);
                if (c.KeyOperator is { } op)
                {
                    sb.Append(" key=(").Append(InfluxQLPrinterText(op)).Append(' ').AppendJoin(',', c.Keys).Append(')');
                }

                Opt(sb, "where", c.Condition);
                sb.Append(')');
                break;
            case UnsupportedStatement u:
                sb.Append("(unsupported ").Append(u.Kind).Append(')');
                break;
            default:
                throw new InvalidOperationException(node.GetType().Name);
        }
    }

    private static string InfluxQLPrinterText(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.BitwiseAnd => "&",
        BinaryOperator.BitwiseOr => "|",
        BinaryOperator.BitwiseXor => "^",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.RegexMatch => "=~",
        BinaryOperator.RegexNotMatch => "!~",
        BinaryOperator.And => "and",
        _ => "or",
    };
}
