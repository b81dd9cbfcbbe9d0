using System.Globalization;
using System.Text;

namespace Tsdb.PromQL.Ast;

/// <summary>
/// Prints a parsed expression back as PromQL the way Prometheus' parser prints it: <see cref="Format"/> is its one-line
/// <c>String()</c> form (aggregation modifiers before the arguments, matchers sorted, durations normalised, strings
/// Go-quoted), <see cref="Pretty(Expr, int)"/> its <c>Pretty()</c> form (what <c>/api/v1/format_query</c> answers): a node whose
/// one-line form is longer than 100 characters is split over lines, two spaces of indent per level.
/// </summary>
internal static class ExprPrinter
{
    private const int MaxCharactersPerLine = 100;

    public static string Format(Expr expr)
    {
        var text = new StringBuilder();
        Write(text, expr);
        return text.ToString();
    }

    /// <summary>The split form; <paramref name="maxCharactersPerLine"/> is Prometheus' 100 (tests use smaller limits, as its own do).</summary>
    public static string Pretty(Expr expr, int maxCharactersPerLine = MaxCharactersPerLine) => Pretty(expr, 0, maxCharactersPerLine);

    private static string Pretty(Expr expr, int level, int limit)
    {
        bool NeedsSplit(Expr e) => Format(e).Length > limit;

        var indent = Indent(level);
        switch (expr)
        {
            case AggregateExpr a when NeedsSplit(a):
                var aggregate = new StringBuilder(indent);
                WriteAggregateHead(aggregate, a);
                aggregate.Append("(\n");
                if (a.Parameter is { } parameter)
                {
                    aggregate.Append(Pretty(parameter, level + 1, limit)).Append(",\n");
                }
                return aggregate.Append(Pretty(a.Inner, level + 1, limit)).Append('\n').Append(indent).Append(')').ToString();
            case BinaryExpr b when NeedsSplit(b):
                return $"{Pretty(b.Lhs, level + 1, limit)}\n{indent}{b.Op.Text()}{(b.ReturnBool ? " bool" : "")}{MatchingText(b.Matching)}\n{Pretty(b.Rhs, level + 1, limit)}";
            case Call c when NeedsSplit(c):
                return $"{indent}{c.Function.Name}(\n{string.Join(",\n", c.Args.Select(arg => Pretty(arg, level + 1, limit)))}\n{indent})";
            case ParenExpr p when NeedsSplit(p):
                return $"{indent}(\n{Pretty(p.Inner, level + 1, limit)}\n{indent})";
            case SubqueryExpr s:
                // As Prometheus: a subquery that fits is not indented (its parent's line already is).
                return NeedsSplit(s) ? Pretty(s.Inner, level, limit) + SubquerySuffix(s) : Format(s);
            case UnaryExpr u:
                return indent + "-" + Pretty(u.Operand, level, limit).Trim();
            default:
                return indent + Format(expr);
        }
    }

    private static string Indent(int level) => new(' ', 2 * level);

    private static void Write(StringBuilder text, Expr expr)
    {
        switch (expr)
        {
            case AggregateExpr a:
                WriteAggregateHead(text, a);
                text.Append('(');
                if (a.Parameter is { } parameter)
                {
                    Write(text, parameter);
                    text.Append(", ");
                }
                Write(text, a.Inner);
                text.Append(')');
                break;
            case BinaryExpr b:
                Write(text, b.Lhs);
                text.Append(' ').Append(b.Op.Text()).Append(b.ReturnBool ? " bool" : "").Append(MatchingText(b.Matching)).Append(' ');
                Write(text, b.Rhs);
                break;
            case Call c:
                text.Append(c.Function.Name).Append('(');
                for (var i = 0; i < c.Args.Count; i++)
                {
                    text.Append(i > 0 ? ", " : "");
                    Write(text, c.Args[i]);
                }
                text.Append(')');
                break;
            case MatrixSelector m:
                WriteSelector(text, m.Selector, modifiers: false);
                text.Append('[').Append(Duration(m.RangeMs)).Append(']');
                WriteAtAndOffset(text, m.Selector.At, m.Selector.AtMs, m.Selector.OffsetMs);
                break;
            case SubqueryExpr s:
                Write(text, s.Inner);
                text.Append(SubquerySuffix(s));
                break;
            case NumberLiteral n:
                text.Append(Engine.MathUtil.FormatFloat(n.Value));
                break;
            case ParenExpr p:
                text.Append('(');
                Write(text, p.Inner);
                text.Append(')');
                break;
            case StringLiteral s:
                text.Append(Quote(s.Value));
                break;
            case UnaryExpr u:
                text.Append('-');
                Write(text, u.Operand);
                break;
            case VectorSelector v:
                WriteSelector(text, v, modifiers: true);
                break;
            default:
                throw new ArgumentException($"no printed form for {expr.GetType().Name}", nameof(expr));
        }
    }

    private static void WriteAggregateHead(StringBuilder text, AggregateExpr a)
    {
        text.Append(AggregationText(a.Op));
        if (a.Without || a.Grouping.Count > 0)
        {
            text.Append(a.Without ? " without (" : " by (").Append(LabelList(a.Grouping)).Append(") ");
        }
    }

    private static string SubquerySuffix(SubqueryExpr s)
    {
        var text = new StringBuilder();
        text.Append('[').Append(Duration(s.RangeMs)).Append(':').Append(s.StepMs != 0 ? Duration(s.StepMs) : "").Append(']');
        WriteAtAndOffset(text, s.At, s.AtMs, s.OffsetMs);
        return text.ToString();
    }

    private static void WriteSelector(StringBuilder text, VectorSelector v, bool modifiers)
    {
        var name = v.Name ?? "";
        var matchers = new List<string>();
        foreach (var m in v.Matchers)
        {
            // The metric name's own matcher is the name in front of the braces.
            if (m.Name == Labels.MetricName && m.Type == MatchType.Equal && m.Value == name && name.Length > 0)
            {
                continue;
            }
            matchers.Add(LabelName(m.Name) + MatchText(m.Type) + Quote(m.Value));
        }
        text.Append(name);
        if (matchers.Count > 0)
        {
            text.Append('{').AppendJoin(',', matchers.Order(StringComparer.Ordinal)).Append('}');
        }
        if (modifiers)
        {
            WriteAtAndOffset(text, v.At, v.AtMs, v.OffsetMs);
        }
    }

    private static void WriteAtAndOffset(StringBuilder text, AtKind at, long atMs, long offsetMs)
    {
        switch (at)
        {
            case AtKind.Timestamp:
                text.Append(" @ ").Append((atMs / 1000.0).ToString("F3", CultureInfo.InvariantCulture));
                break;
            case AtKind.Start:
                text.Append(" @ start()");
                break;
            case AtKind.End:
                text.Append(" @ end()");
                break;
            case AtKind.None:
                break;
        }
        if (offsetMs > 0)
        {
            text.Append(" offset ").Append(Duration(offsetMs));
        }
        else if (offsetMs < 0)
        {
            text.Append(" offset -").Append(Duration(-offsetMs));
        }
    }

    private static string MatchingText(VectorMatching? matching)
    {
        if (matching is null)
        {
            return "";
        }
        var grouped = matching.Cardinality is MatchCardinality.ManyToOne or MatchCardinality.OneToMany;
        var text = "";
        if (matching.MatchingLabels.Count > 0 || matching.On || grouped)
        {
            text = $" {(matching.On ? "on" : "ignoring")} ({LabelList(matching.MatchingLabels)})";
        }
        if (grouped)
        {
            text += $" group_{(matching.Cardinality == MatchCardinality.ManyToOne ? "left" : "right")} ({LabelList(matching.Include)})";
        }
        return text;
    }

    private static string LabelList(IEnumerable<string> labels) => string.Join(", ", labels.Select(LabelName));

    private static string LabelName(string name) => IsLegacyName(name) ? name : Quote(name);

    /// <summary>A label name that needs no quotes: [a-zA-Z_][a-zA-Z0-9_]*.</summary>
    private static bool IsLegacyName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static string MatchText(MatchType type) => type switch
    {
        MatchType.Equal => "=",
        MatchType.NotEqual => "!=",
        MatchType.RegexMatch => "=~",
        MatchType.RegexNoMatch => "!~",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string AggregationText(AggregationOp op) => op switch
    {
        AggregationOp.Sum => "sum",
        AggregationOp.Avg => "avg",
        AggregationOp.Count => "count",
        AggregationOp.Min => "min",
        AggregationOp.Max => "max",
        AggregationOp.Group => "group",
        AggregationOp.Stddev => "stddev",
        AggregationOp.Stdvar => "stdvar",
        AggregationOp.Topk => "topk",
        AggregationOp.Bottomk => "bottomk",
        AggregationOp.CountValues => "count_values",
        AggregationOp.Quantile => "quantile",
        AggregationOp.Limitk => "limitk",
        AggregationOp.LimitRatio => "limit_ratio",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Prometheus' duration form: 1y, 2w, 3d4h5m6s7ms; years and weeks only when they divide exactly.</summary>
    internal static string Duration(long ms)
    {
        if (ms == 0)
        {
            return "0s";
        }
        var text = new StringBuilder();
        void Unit(string unit, long size, bool exact)
        {
            if (exact && ms % size != 0)
            {
                return;
            }
            if (ms / size is var count and > 0)
            {
                text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms -= count * size;
            }
        }
        Unit("y", 365L * 24 * 3_600_000, exact: true);
        Unit("w", 7L * 24 * 3_600_000, exact: true);
        Unit("d", 24L * 3_600_000, exact: false);
        Unit("h", 3_600_000, exact: false);
        Unit("m", 60_000, exact: false);
        Unit("s", 1000, exact: false);
        Unit("ms", 1, exact: false);
        return text.ToString();
    }

    private static string Quote(string value) => Parsing.Lexer.Quote(value);
}
