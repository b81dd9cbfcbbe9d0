using System.Globalization;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.InfluxQL.Ast;
using Tsdb.Query.Plans;
using BinaryExpr = Tsdb.Query.InfluxQL.Ast.BinaryExpr;

namespace Tsdb.Query.InfluxQL.Planning;

/// <summary>
/// Turns one InfluxQL statement into a logical plan whose rows are InfluxDB series (see <see cref="InfluxQLShape"/>),
/// as IOx compiles InfluxQL to DataFusion plans: WHERE and GROUP BY become filters and aggregates, fill() a gap fill,
/// per-series functions and LIMIT a <see cref="SeriesTransformPlan"/>, SHOW statements plans over the catalog.
/// <paramref name="mayRead"/> (null: all) limits the databases SHOW DATABASES lists to those the caller may read.
/// </summary>
internal sealed partial class InfluxQLPlanner(ITableSource source, string database, long now, IReadOnlyDictionary<string, object?>? parameters, Func<string, bool>? mayRead = null)
{
    /// <summary>Deepest subquery nesting planned (the parser bounds the text; this bounds the plans).</summary>
    private const int MaxSubqueryDepth = 16;

    private int _depth;

    public (LogicalPlan Plan, InfluxQLShape Shape) Plan(Statement statement) => statement switch
    {
        SelectStatement s => PlanSelect(s),
        ExplainStatement e => PlanSelect(e.Statement),
        ShowDatabasesStatement => ShowDatabases(),
        ShowRetentionPoliciesStatement r => ShowRetentionPolicies(r),
        ShowMeasurementsStatement m => ShowMeasurements(m),
        ShowTagKeysStatement k => ShowTagKeys(k),
        ShowTagValuesStatement v => ShowTagValues(v),
        ShowFieldKeysStatement f => ShowFieldKeys(f),
        ShowSeriesStatement s => ShowSeries(s),
        ShowCardinalityStatement c => ShowCardinality(c),
        UnsupportedStatement u => throw new QueryException($"{u.Kind} is not supported: InfluxDB 3 answers SELECT and SHOW statements over InfluxQL; manage databases, tokens and retention with the HTTP API or the tsdb CLI"),
        _ => throw new QueryException($"unsupported statement: {statement.GetType().Name}"),
    };

    private static QueryException Error(string message) => new(message);

    /// <summary>The database a source or SHOW … ON names, else the request's.</summary>
    private string Db(string? named) => string.IsNullOrEmpty(named) ? database : named;

    // ---- FROM ----

    /// <summary>The relations a FROM clause names: measurements (by name or regex, sorted by name) and subqueries.</summary>
    private List<Relation> Relations(IReadOnlyList<Source> sources)
    {
        var result = new List<Relation>();
        var seen = new HashSet<(string, string)>();
        foreach (var s in sources)
        {
            switch (s)
            {
                case MeasurementSource m:
                    var db = Db(m.Database);
                    foreach (var table in Measurements(db, m))
                    {
                        if (seen.Add((db, table)) && source.GetSchema(db, table) is { } schema)
                        {
                            result.Add(Relation.ForTable(db, table, schema));
                        }
                    }
                    break;
                case SubquerySource sub:
                    result.Add(Subquery(sub.Statement));
                    break;
            }
        }
        return result;
    }

    private IEnumerable<string> Measurements(string db, MeasurementSource m)
    {
        if (m.Name is { } name)
        {
            return source.GetSchema(db, name) is null ? [] : [name];
        }
        var regex = Regex(m.Regex!);
        return source.Tables(db).Where(t => regex.IsMatch(t)).Order(StringComparer.Ordinal);
    }

    private Relation Subquery(SelectStatement inner)
    {
        if (++_depth > MaxSubqueryDepth)
        {
            throw Error($"subqueries are nested more than {MaxSubqueryDepth} deep");
        }
        var (plan, shape) = PlanSelect(inner);
        _depth--;
        var tags = new Dictionary<string, int>(StringComparer.Ordinal);
        var fields = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = shape.FirstTag; i < shape.FirstValue; i++)
        {
            tags[plan.Schema[i].Name] = i;
        }
        for (var i = shape.FirstValue; i < plan.Schema.FieldCount; i++)
        {
            // A tag selected as a value (SELECT host, usage) stays a tag for the outer query, as 1.x keeps it.
            if (plan.Schema[i].Type.Id == ArrowTypeId.Utf8 && _tagValueColumns.Contains(plan.Schema[i].Name))
            {
                tags.TryAdd(plan.Schema[i].Name, i);
            }
            else
            {
                fields[plan.Schema[i].Name] = i;
            }
        }
        return new Relation
        {
            Plan = plan,
            Measurement = new ColumnExpr(0, plan.Schema[0].Name, plan.Schema[0].Type),
            Time = 1,
            Tags = tags,
            Fields = fields,
        };
    }

    // ---- regular expressions ----

    /// <summary>
    /// A Go RE2 pattern as a .NET regex: the common syntax is the same; RE2 has no backreferences or lookarounds and
    /// .NET would accept them, so the few differences only widen what is accepted. Matching is unanchored, as in Go.
    /// </summary>
    private static System.Text.RegularExpressions.Regex Regex(string pattern)
    {
        try
        {
            return new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            throw Error($"invalid regular expression /{pattern}/");
        }
    }

    // ---- time ----

    /// <summary>The nanoseconds of a time constant: an RFC 3339 string, an integer (ns), a duration, now(), or sums of them.</summary>
    private bool TryTime(InfluxQLExpr e, out long ns)
    {
        ns = 0;
        switch (e)
        {
            case ParenExpr p:
                return TryTime(p.Inner, out ns);
            case StringLiteral s:
                ns = ParseTime(s.Value);
                return true;
            case IntegerLiteral i:
                ns = i.Value;
                return true;
            case NumberLiteral n:
                ns = (long)n.Value;
                return true;
            case DurationLiteral d:
                ns = d.Nanoseconds;
                return true;
            case Call { Name: "now", Args.Count: 0 }:
                ns = now;
                return true;
            case BoundParameter p when Parameter(p) is { } v:
                return TryTime(v, out ns);
            case BinaryExpr { Op: BinaryOperator.Add or BinaryOperator.Subtract } b when TryTime(b.Left, out var l) && TryTime(b.Right, out var r):
                ns = b.Op == BinaryOperator.Add ? l + r : l - r;
                return true;
            default:
                return false;
        }
    }

    private InfluxQLExpr? Parameter(BoundParameter p)
    {
        if (parameters is null || !parameters.TryGetValue(p.Name, out var value))
        {
            throw Error($"missing parameter: {p.Name}");
        }
        return value switch
        {
            null => null,
            string s => new StringLiteral(s),
            long l => new IntegerLiteral(l),
            int i => new IntegerLiteral(i),
            double d => new NumberLiteral(d),
            bool b => new BooleanLiteral(b),
            _ => throw Error($"parameter {p.Name} has an unsupported type"),
        };
    }

    /// <summary>A time string as 1.x reads it: RFC 3339 (fraction and offset optional) or <c>YYYY-MM-DD[ HH:MM:SS[.f]]</c>.</summary>
    internal static long ParseTime(string text) => TryParseUtc(text, out var nanos) ? nanos : ParseTimeAnyForm(text);

    /// <summary>
    /// The form nearly every query writes, <c>YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z</c>, read by hand (the general parse
    /// below tries format after format and took a tenth of planning a small query); false for anything else or out of
    /// range, which the general parse then reads or rejects. Same arithmetic as the general parse, so the same result.
    /// </summary>
    internal static bool TryParseUtc(string text, out long nanos)
    {
        nanos = 0;
        var s = text.AsSpan();
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z')
        {
            return false;
        }
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var fraction = s[19..^1];
        long ticksFraction = 0, extraNanos = 0;
        if (fraction.Length > 0)
        {
            // '.' and 1 to 9 digits: the first 7 are ticks, the 8th and 9th nanoseconds, as the general parse splits them.
            if (fraction[0] != '.' || fraction.Length is < 2 or > 10 || !Digits(fraction[1..], out var digits))
            {
                return false;
            }
            var count = fraction.Length - 1;
            var nine = (long)digits * Pow10(9 - count);
            ticksFraction = nine / 100;
            extraNanos = nine % 100;
        }
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + ticksFraction;
        nanos = ((ticks - DateTime.UnixEpoch.Ticks) * 100) + extraNanos;
        return true;

        static bool Digits(ReadOnlySpan<char> d, out int value)
        {
            value = 0;
            foreach (var c in d)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
                value = (value * 10) + (c - '0');
            }
            return true;
        }

        static long Pow10(int n)
        {
            var p = 1L;
            for (var i = 0; i < n; i++)
            {
                p *= 10;
            }
            return p;
        }
    }

    internal static long ParseTimeAnyForm(string text)
    {
        string[] formats =
        [
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd",
        ];
        var trimmed = text.Trim();
        // .NET keeps 7 fractional digits; RFC 3339 allows nanoseconds, so the 8th and 9th are added back by hand.
        var extraNanos = 0L;
        var dot = trimmed.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < trimmed.Length && char.IsAsciiDigit(trimmed[end]))
            {
                end++;
            }
            var digits = trimmed[(dot + 1)..end];
            if (digits.Length > 7)
            {
                extraNanos = long.Parse(digits[7..].PadRight(2, '0')[..2], CultureInfo.InvariantCulture);
                trimmed = trimmed[..(dot + 8)] + trimmed[end..];
            }
        }
        if (DateTimeOffset.TryParseExact(trimmed, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return ((t.UtcTicks - DateTime.UnixEpoch.Ticks) * 100) + extraNanos;
        }
        throw Error($"invalid timestamp string: '{text}'");
    }

    /// <summary>
    /// The time range of a WHERE clause (inclusive, ns) and the rest of the condition. As 1.x does, every comparison
    /// of <c>time</c> narrows the range wherever it stands and is taken out of the condition: under AND it leaves the
    /// other terms, under OR the other branches (<c>host = 'b' OR time &gt; X</c> is host b after X).
    /// </summary>
    private (long? From, long? To, InfluxQLExpr? Remainder) SplitTime(InfluxQLExpr? condition)
    {
        long? from = null, to = null;
        var rest = condition is null ? null : RemoveTime(condition, ref from, ref to);
        return (from, to, rest);
    }

    /// <summary>The condition without its time comparisons (folded into the range), null when nothing else is left; AND/OR chains walked without recursion.</summary>
    private InfluxQLExpr? RemoveTime(InfluxQLExpr e, ref long? from, ref long? to)
    {
        if (Unwrap(e) is BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } chain)
        {
            InfluxQLExpr? result = null;
            foreach (var t in Flatten(chain, chain.Op))
            {
                if (RemoveTime(t, ref from, ref to) is { } r)
                {
                    result = result is null ? r : new BinaryExpr(chain.Op, result, r);
                }
            }
            return result;
        }
        if (Unwrap(e) is BinaryExpr { Op: BinaryOperator.Equal or BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.NotEqual } b)
        {
            var (op, other) = IsTime(b.Left) ? (b.Op, b.Right) : IsTime(b.Right) ? (Flip(b.Op), b.Left) : (b.Op, null);
            if (other is not null)
            {
                if (op == BinaryOperator.NotEqual || !TryTime(other, out var t))
                {
                    throw Error($"invalid time comparison: {b}");
                }
                switch (op)
                {
                    case BinaryOperator.Equal:
                        from = Math.Max(from ?? long.MinValue, t);
                        to = Math.Min(to ?? long.MaxValue, t);
                        break;
                    case BinaryOperator.Greater:
                        from = Math.Max(from ?? long.MinValue, t + 1);
                        break;
                    case BinaryOperator.GreaterOrEqual:
                        from = Math.Max(from ?? long.MinValue, t);
                        break;
                    case BinaryOperator.Less:
                        to = Math.Min(to ?? long.MaxValue, t - 1);
                        break;
                    default:
                        to = Math.Min(to ?? long.MaxValue, t);
                        break;
                }
                return null;
            }
        }
        return e;
    }

    /// <summary>The terms of a left- or right-deep chain of one operator, in order, walked with an explicit stack.</summary>
    private static List<InfluxQLExpr> Flatten(InfluxQLExpr e, BinaryOperator op)
    {
        var terms = new List<InfluxQLExpr>();
        var stack = new Stack<InfluxQLExpr>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (Unwrap(x) is BinaryExpr b && b.Op == op)
            {
                stack.Push(b.Right);
                stack.Push(b.Left);
            }
            else
            {
                terms.Add(x);
            }
        }
        return terms;
    }

    private static InfluxQLExpr Unwrap(InfluxQLExpr e)
    {
        while (e is ParenExpr p)
        {
            e = p.Inner;
        }
        return e;
    }

    private static BinaryOperator Flip(BinaryOperator op) => op switch
    {
        BinaryOperator.Less => BinaryOperator.Greater,
        BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
        BinaryOperator.Greater => BinaryOperator.Less,
        BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
        _ => op,
    };

    private static bool IsTime(InfluxQLExpr e) => e is VarRef { Name: "time" } || (e is ParenExpr p && IsTime(p.Inner));
}
