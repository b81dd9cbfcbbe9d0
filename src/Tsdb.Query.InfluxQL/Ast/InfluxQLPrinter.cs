using System.Globalization;
using System.Text;
using Tsdb.Query.InfluxQL.Parsing;

namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>
/// Writes a tree back as canonical InfluxQL that parses to an equal tree: keywords upper case, identifiers quoted
/// only when needed, durations in the largest exact unit (as 1.x's FormatDuration), regexes with <c>/</c> escaped.
/// Parentheses are written where the tree has a <see cref="ParenExpr"/>, and added only where a hand-built tree
/// needs them. AND/OR chains are walked iteratively, so their length is not stack depth.
/// </summary>
public static class InfluxQLPrinter
{
    public static string Print(InfluxQLNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    /// <summary>The identifier double-quoted when it is a keyword or not <c>[A-Za-z_][A-Za-z0-9_]*</c>, else as is.</summary>
    public static string QuoteIdent(string name) =>
        NeedsQuotes(name) ? "\"" + Escape(name, '"') + "\"" : name;

    /// <summary>The value as a single-quoted string literal.</summary>
    public static string QuoteString(string value) => "'" + Escape(value, '\'') + "'";

    internal static bool NeedsQuotes(string name)
    {
        if (name.Length == 0 || Keywords.IsKeyword(name))
        {
            return true;
        }

        if (!char.IsAsciiLetter(name[0]) && name[0] != '_')
        {
            return true;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return true;
            }
        }

        return false;
    }

    private static string Escape(string s, char quote)
    {
        if (s.AsSpan().IndexOfAny(['\\', '\n', quote]) < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\':
                    sb.Append(@"\\");
                    break;
                case '\n':
                    sb.Append(@"\n");
                    break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\');
                    }

                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    internal static string FormatRegex(string pattern) => "/" + pattern.Replace("/", @"\/", StringComparison.Ordinal) + "/";

    /// <summary>An INTO target as 1.x prints it: <c>[db.][rp.]m</c>, with an empty name written <c>:MEASUREMENT</c>.</summary>
    internal static string FormatTarget(string? database, string? retentionPolicy, string name)
    {
        var sb = new StringBuilder();
        WriteQualifier(sb, database, retentionPolicy);
        sb.Append(name.Length == 0 ? ":MEASUREMENT" : QuoteIdent(name));
        return sb.ToString();
    }

    private static void WriteQualifier(StringBuilder sb, string? database, string? retentionPolicy)
    {
        if (!string.IsNullOrEmpty(database))
        {
            sb.Append(QuoteIdent(database)).Append('.');
            if (!string.IsNullOrEmpty(retentionPolicy))
            {
                sb.Append(QuoteIdent(retentionPolicy));
            }

            sb.Append('.');
        }
        else if (!string.IsNullOrEmpty(retentionPolicy))
        {
            sb.Append(QuoteIdent(retentionPolicy)).Append('.');
        }
    }

    internal static string OperatorText(BinaryOperator op) => op switch
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
        BinaryOperator.And => "AND",
        BinaryOperator.Or => "OR",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static int Precedence(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => 1,
        BinaryOperator.And => 2,
        BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.RegexMatch or BinaryOperator.RegexNotMatch
            or BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual => 3,
        BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.BitwiseOr or BinaryOperator.BitwiseXor => 4,
        _ => 5,
    };

    private static void Write(StringBuilder sb, InfluxQLNode node)
    {
        switch (node)
        {
            case InfluxQLExpr e:
                WriteExpr(sb, e);
                break;
            case SelectStatement s:
                WriteSelect(sb, s);
                break;
            case SelectField f:
                WriteField(sb, f);
                break;
            case Source s:
                WriteSource(sb, s);
                break;
            case Dimension d:
                WriteDimension(sb, d);
                break;
            case Statement s:
                WriteStatement(sb, s);
                break;
            default:
                throw new ArgumentException($"cannot print {node.GetType().Name}", nameof(node));
        }
    }

    private static void WriteStatement(StringBuilder sb, Statement statement)
    {
        switch (statement)
        {
            case ExplainStatement e:
                sb.Append("EXPLAIN ");
                if (e.Analyze)
                {
                    sb.Append("ANALYZE ");
                }

                if (e.Verbose)
                {
                    sb.Append("VERBOSE ");
                }

                WriteSelect(sb, e.Statement);
                break;
            case ShowDatabasesStatement:
                sb.Append("SHOW DATABASES");
                break;
            case ShowRetentionPoliciesStatement r:
                sb.Append("SHOW RETENTION POLICIES");
                WriteOn(sb, r.Database);
                break;
            case ShowMeasurementsStatement m:
                sb.Append("SHOW MEASUREMENTS");
                WriteOn(sb, m.Database);
                if (m.WithMeasurement is { } with)
                {
                    sb.Append(" WITH MEASUREMENT ").Append(OperatorText(with.Op)).Append(' ');
                    if (with.Operand is VarRef { Type: VarRefType.Unknown } name)
                    {
                        sb.Append(QuoteIdent(name.Name));
                    }
                    else
                    {
                        WriteExpr(sb, with.Operand);
                    }
                }

                WriteWhere(sb, m.Condition);
                WriteLimits(sb, m.Limit, m.Offset, null, null);
                break;
            case ShowTagKeysStatement k:
                sb.Append("SHOW TAG KEYS");
                WriteOn(sb, k.Database);
                WriteFrom(sb, k.Sources);
                WriteWhere(sb, k.Condition);
                WriteLimits(sb, k.Limit, k.Offset, k.SLimit, k.SOffset);
                break;
            case ShowTagValuesStatement v:
                sb.Append("SHOW TAG VALUES");
                WriteOn(sb, v.Database);
                WriteFrom(sb, v.Sources);
                WriteWithKey(sb, v.KeyOperator, v.Keys);
                WriteWhere(sb, v.Condition);
                WriteLimits(sb, v.Limit, v.Offset, null, null);
                break;
            case ShowFieldKeysStatement f:
                sb.Append("SHOW FIELD KEYS");
                WriteOn(sb, f.Database);
                WriteFrom(sb, f.Sources);
                WriteLimits(sb, f.Limit, f.Offset, null, null);
                break;
            case ShowSeriesStatement s:
                sb.Append("SHOW SERIES");
                WriteOn(sb, s.Database);
                WriteFrom(sb, s.Sources);
                WriteWhere(sb, s.Condition);
                WriteLimits(sb, s.Limit, s.Offset, null, null);
                break;
            case ShowCardinalityStatement c:
                sb.Append(c.Kind switch
                {
                    CardinalityKind.Series => "SHOW SERIES",
                    CardinalityKind.Measurement => "SHOW MEASUREMENT",
                    CardinalityKind.TagKey => "SHOW TAG KEY",
                    CardinalityKind.TagValue => "SHOW TAG VALUES",
                    _ => "SHOW FIELD KEY",
                });
                sb.Append(c.Exact ? " EXACT CARDINALITY" : " CARDINALITY");
                WriteOn(sb, c.Database);
                WriteFrom(sb, c.Sources);
                if (c.KeyOperator is { } op)
                {
                    WriteWithKey(sb, op, c.Keys);
                }

                WriteWhere(sb, c.Condition);
                break;
            case UnsupportedStatement u:
                // The kind leaves out the FOR these two need to parse again.
                sb.Append(u.Kind is "SHOW GRANTS" or "SET PASSWORD" ? u.Kind + " FOR" : u.Kind);
                break;
            default:
                throw new ArgumentException($"cannot print {statement.GetType().Name}", nameof(statement));
        }
    }

    private static void WriteOn(StringBuilder sb, string? database)
    {
        if (database is not null)
        {
            sb.Append(" ON ").Append(QuoteIdent(database));
        }
    }

    private static void WriteFrom(StringBuilder sb, IReadOnlyList<Source> sources)
    {
        if (sources.Count == 0)
        {
            return;
        }

        sb.Append(" FROM ");
        for (var i = 0; i < sources.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteSource(sb, sources[i]);
        }
    }

    private static void WriteWhere(StringBuilder sb, InfluxQLExpr? condition)
    {
        if (condition is not null)
        {
            sb.Append(" WHERE ");
            WriteExpr(sb, condition);
        }
    }

    private static void WriteLimits(StringBuilder sb, long? limit, long? offset, long? slimit, long? soffset)
    {
        static void One(StringBuilder sb, string keyword, long? value)
        {
            if (value is { } v)
            {
                sb.Append(' ').Append(keyword).Append(' ').Append(v.ToString(CultureInfo.InvariantCulture));
            }
        }

        One(sb, "LIMIT", limit);
        One(sb, "OFFSET", offset);
        One(sb, "SLIMIT", slimit);
        One(sb, "SOFFSET", soffset);
    }

    private static void WriteWithKey(StringBuilder sb, BinaryOperator op, IReadOnlyList<string> keys)
    {
        sb.Append(" WITH KEY ");
        if (op is BinaryOperator.RegexMatch or BinaryOperator.RegexNotMatch)
        {
            sb.Append(OperatorText(op)).Append(' ').Append(FormatRegex(keys.Count > 0 ? keys[0] : string.Empty));
        }
        else if (op == BinaryOperator.Equal && keys.Count != 1)
        {
            sb.Append("IN (");
            for (var i = 0; i < keys.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(QuoteIdent(keys[i]));
            }

            sb.Append(')');
        }
        else
        {
            sb.Append(OperatorText(op)).Append(' ').Append(QuoteIdent(keys.Count > 0 ? keys[0] : string.Empty));
        }
    }

    private static void WriteSelect(StringBuilder sb, SelectStatement s)
    {
        sb.Append("SELECT ");
        for (var i = 0; i < s.Fields.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteField(sb, s.Fields[i]);
        }

        if (s.Into is not null)
        {
            sb.Append(" INTO ").Append(s.Into);
        }

        WriteFrom(sb, s.Sources);
        WriteWhere(sb, s.Condition);
        if (s.Dimensions.Count > 0)
        {
            sb.Append(" GROUP BY ");
            for (var i = 0; i < s.Dimensions.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                WriteDimension(sb, s.Dimensions[i]);
            }
        }

        switch (s.Fill)
        {
            case FillOption.None:
                sb.Append(" fill(none)");
                break;
            case FillOption.Previous:
                sb.Append(" fill(previous)");
                break;
            case FillOption.Linear:
                sb.Append(" fill(linear)");
                break;
            case FillOption.Value:
                sb.Append(" fill(");
                WriteExpr(sb, s.FillValue ?? new IntegerLiteral(0));
                sb.Append(')');
                break;
        }

        if (s.Descending)
        {
            sb.Append(" ORDER BY time DESC");
        }

        WriteLimits(sb, s.Limit, s.Offset, s.SLimit, s.SOffset);
        if (s.TimeZone is not null)
        {
            sb.Append(" tz(").Append(QuoteString(s.TimeZone)).Append(')');
        }
    }

    private static void WriteField(StringBuilder sb, SelectField f)
    {
        WriteExpr(sb, f.Expr);
        if (f.Alias is not null)
        {
            sb.Append(" AS ").Append(QuoteIdent(f.Alias));
        }
    }

    private static void WriteSource(StringBuilder sb, Source source)
    {
        switch (source)
        {
            case MeasurementSource m:
                WriteQualifier(sb, m.Database, m.RetentionPolicy);
                if (m.Regex is not null)
                {
                    sb.Append(FormatRegex(m.Regex));
                }
                else
                {
                    sb.Append(QuoteIdent(m.Name ?? string.Empty));
                }

                break;
            case SubquerySource q:
                sb.Append('(');
                WriteSelect(sb, q.Statement);
                sb.Append(')');
                break;
            default:
                throw new ArgumentException($"cannot print {source.GetType().Name}", nameof(source));
        }
    }

    private static void WriteDimension(StringBuilder sb, Dimension dimension)
    {
        switch (dimension)
        {
            case TimeDimension t:
                sb.Append("time(");
                WriteExpr(sb, t.Interval);
                if (t.Offset is not null)
                {
                    sb.Append(", ");
                    WriteExpr(sb, t.Offset);
                }

                sb.Append(')');
                break;
            case TagDimension tag:
                sb.Append(QuoteIdent(tag.Name));
                break;
            case RegexDimension r:
                sb.Append(FormatRegex(r.Pattern));
                break;
            case WildcardDimension:
                sb.Append('*');
                break;
            default:
                throw new ArgumentException($"cannot print {dimension.GetType().Name}", nameof(dimension));
        }
    }

    private static void WriteExpr(StringBuilder sb, InfluxQLExpr e)
    {
        switch (e)
        {
            case BinaryExpr b:
                WriteBinary(sb, b);
                break;
            case VarRef v:
                sb.Append(QuoteIdent(v.Name));
                WriteCast(sb, v.Type);
                break;
            case Call c:
                // distinct is a keyword, but DISTINCT( reads as the call, so it needs no quotes.
                sb.Append(c.Name == "distinct" ? "distinct" : QuoteIdent(c.Name)).Append('(');
                for (var i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    WriteExpr(sb, c.Args[i]);
                }

                sb.Append(')');
                break;
            case ParenExpr p:
                sb.Append('(');
                WriteExpr(sb, p.Inner);
                sb.Append(')');
                break;
            case UnaryMinusExpr u:
                if (u.Operand is VarRef or Call or ParenExpr)
                {
                    sb.Append('-');
                    WriteExpr(sb, u.Operand);
                }
                else
                {
                    sb.Append("-(");
                    WriteExpr(sb, u.Operand);
                    sb.Append(')');
                }

                break;
            case Wildcard w:
                sb.Append(w.Type switch
                {
                    WildcardType.Field => "*::field",
                    WildcardType.Tag => "*::tag",
                    _ => "*",
                });
                break;
            case IntegerLiteral i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case UnsignedLiteral u:
                sb.Append(u.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case NumberLiteral n:
                sb.Append(FormatNumber(n.Value));
                break;
            case StringLiteral s:
                sb.Append(QuoteString(s.Value));
                break;
            case BooleanLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case DurationLiteral d:
                sb.Append(DurationText.Format(d.Nanoseconds));
                break;
            case RegexLiteral r:
                sb.Append(FormatRegex(r.Pattern));
                break;
            case BoundParameter p:
                sb.Append('$');
                sb.Append(p.Name.Length > 0 && p.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
                    ? p.Name
                    : "\"" + Escape(p.Name, '"') + "\"");
                break;
            default:
                throw new ArgumentException($"cannot print {e.GetType().Name}", nameof(e));
        }
    }

    private static void WriteCast(StringBuilder sb, VarRefType type)
    {
        if (type != VarRefType.Unknown)
        {
            sb.Append("::").Append(type.ToString().ToLowerInvariant());
        }
    }

    /// <summary>
    /// Left spines of AND/OR (what a long Grafana condition parses to) are collected in a loop, so a chain of any
    /// length prints without recursing per link.
    /// </summary>
    private static void WriteBinary(StringBuilder sb, BinaryExpr b)
    {
        var spine = new List<BinaryExpr> { b };
        if (b.Op is BinaryOperator.And or BinaryOperator.Or)
        {
            while (spine[^1].Left is BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } next
                   && Precedence(next.Op) >= Precedence(spine[^1].Op))
            {
                spine.Add(next);
            }
        }

        var bottom = spine[^1];
        WriteOperand(sb, bottom.Left, Precedence(bottom.Op), right: false);
        for (var i = spine.Count - 1; i >= 0; i--)
        {
            var node = spine[i];
            sb.Append(' ').Append(OperatorText(node.Op)).Append(' ');
            WriteOperand(sb, node.Right, Precedence(node.Op), right: true);
        }
    }

    private static void WriteOperand(StringBuilder sb, InfluxQLExpr operand, int parentPrecedence, bool right)
    {
        var needsParens = operand is BinaryExpr child
            && (right ? Precedence(child.Op) <= parentPrecedence : Precedence(child.Op) < parentPrecedence);
        if (needsParens)
        {
            sb.Append('(');
        }

        WriteExpr(sb, operand);
        if (needsParens)
        {
            sb.Append(')');
        }
    }

    /// <summary>Shortest round-trip digits in plain notation (the lexer reads no exponents), always with a point.</summary>
    internal static string FormatNumber(double v)
    {
        if (!double.IsFinite(v))
        {
            return v.ToString(CultureInfo.InvariantCulture);
        }

        var r = NumberText.Plain(v);
        return r.Contains('.', StringComparison.Ordinal) ? r : r + ".0";
    }
}
