using Tsdb.Arrow.Types;
using Tsdb.Query.Aggregation;
using Tsdb.Query.Expressions;
using Tsdb.Query.InfluxQL.Ast;
using Tsdb.Query.Plans;
using QBinaryExpr = Tsdb.Query.Expressions.BinaryExpr;
using QBinaryOp = Tsdb.Query.Expressions.BinaryOp;

namespace Tsdb.Query.InfluxQL.Planning;

internal sealed partial class InfluxQLPlanner
{
    /// <summary>What one SELECT asks for, resolved against its sources; shared by the per-source plans.</summary>
    private sealed class SelectQuery
    {
        public required SelectStatement Statement { get; init; }

        public required List<(string Name, InfluxQLExpr Expr)> Fields { get; init; }

        public required List<string> Tags { get; init; }

        public long? From { get; init; }

        public long? To { get; init; }

        public InfluxQLExpr? Condition { get; init; }

        public long? Interval { get; init; }

        public long Offset { get; init; }
    }

    private (LogicalPlan Plan, InfluxQLShape Shape) PlanSelect(SelectStatement s)
    {
        if (s.Into is not null)
        {
            throw Error("SELECT INTO is not supported: InfluxDB 3 has no INTO clause; write the results back with the write API");
        }
        var relations = Relations(s.Sources);
        var (from, to, rest) = SplitTime(s.Condition);
        if (from > to)
        {
            relations = [];
        }
        long? interval = null;
        long offset = 0;
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in s.Dimensions)
        {
            switch (d)
            {
                case TimeDimension t:
                    if (interval is not null)
                    {
                        throw Error("multiple time dimensions");
                    }
                    interval = Duration(t.Interval, "time() interval");
                    if (interval < 0)
                    {
                        throw Error("time dimension must have a positive duration");
                    }
                    if (interval == 0)
                    {
                        // 1.x takes time(0s) as no time grouping.
                        interval = null;
                        break;
                    }
                    if (t.Offset is Call { Name: "now" })
                    {
                        offset = now % interval.Value;
                    }
                    else if (t.Offset is not null)
                    {
                        offset = Duration(t.Offset, "time() offset") % interval.Value;
                    }
                    break;
                case TagDimension tag:
                    tags.Add(tag.Name);
                    break;
                case WildcardDimension:
                    tags.UnionWith(relations.SelectMany(r => r.Tags.Keys));
                    break;
                case RegexDimension re:
                    var regex = Regex(re.Pattern);
                    tags.UnionWith(relations.SelectMany(r => r.Tags.Keys).Where(k => regex.IsMatch(k)));
                    break;
            }
        }
        if (s.TimeZone is { } zone && interval is not null)
        {
            // Intervals start at local midnight (and the offset's multiples) in the zone, as tz() asks.
            offset = (offset - LocalOffset(zone, from ?? now)) % interval.Value;
        }
        if (interval is not null && to is null)
        {
            // 1.x ends a GROUP BY time query at now() unless WHERE says otherwise.
            to = now;
        }
        var query = new SelectQuery
        {
            Statement = s,
            Fields = ExpandFields(s.Fields, relations, tags),
            Tags = [.. tags],
            From = from,
            To = to,
            Condition = rest,
            Interval = interval,
            Offset = offset,
        };
        return PlanQuery(query, relations);
    }

    /// <summary>The zone's offset from UTC (ns) at an instant.</summary>
    private static long LocalOffset(string zone, long at)
    {
        TimeZoneInfo info;
        try
        {
            info = TimeZoneInfo.FindSystemTimeZoneById(zone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw Error($"unable to find time zone {zone}");
        }
        var instant = DateTimeOffset.FromUnixTimeMilliseconds(at / 1_000_000);
        return info.GetUtcOffset(instant).Ticks * 100;
    }

    private long Duration(InfluxQLExpr e, string what) => e switch
    {
        DurationLiteral d => d.Nanoseconds,
        IntegerLiteral i => i.Value,
        UnaryMinusExpr { Operand: DurationLiteral d } => -d.Nanoseconds,
        BoundParameter p when Parameter(p) is { } v => Duration(v, what),
        BoundParameter { Name: var n } when parameters?[n] is string text && TimeText.TryParseInterval(text, out var ns) => ns,
        _ => throw Error($"{what} must be a duration, found {e}"),
    };

    /// <summary>The field list with wildcards and regexes expanded and names made unique as 1.x does (mean, mean_1).</summary>
    private static List<(string Name, InfluxQLExpr Expr)> ExpandFields(IReadOnlyList<SelectField> fields, List<Relation> relations, SortedSet<string> groupTags)
    {
        // Every field and tag of the sources, sorted: only a wildcard or a regex needs them (most queries name theirs).
        SortedDictionary<string, ArrowType>? fieldsOfAll = null;
        SortedSet<string>? tagsOfAll = null;
        (SortedDictionary<string, ArrowType> Fields, SortedSet<string> Tags) All()
        {
            if (fieldsOfAll is null || tagsOfAll is null)
            {
                fieldsOfAll = new SortedDictionary<string, ArrowType>(StringComparer.Ordinal);
                tagsOfAll = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var r in relations)
                {
                    foreach (var (name, i) in r.Fields)
                    {
                        fieldsOfAll.TryAdd(name, r.Schema[i].Type);
                    }
                    tagsOfAll.UnionWith(r.Tags.Keys);
                }
            }
            return (fieldsOfAll, tagsOfAll);
        }
        var result = new List<(string, InfluxQLExpr)>();
        foreach (var f in fields)
        {
            switch (f.Expr)
            {
                case Wildcard w:
                {
                    var (allFields, allTags) = All();
                    var names = new SortedSet<string>(StringComparer.Ordinal);
                    if (w.Type != WildcardType.Tag)
                    {
                        names.UnionWith(allFields.Keys);
                    }
                    if (w.Type != WildcardType.Field)
                    {
                        names.UnionWith(allTags.Where(t => !groupTags.Contains(t)));
                    }
                    foreach (var n in names)
                    {
                        result.Add((n, new VarRef(n, allFields.ContainsKey(n) ? VarRefType.Field : VarRefType.Tag)));
                    }
                    break;
                }
                case RegexLiteral re:
                {
                    var (allFields, allTags) = All();
                    var regex = Regex(re.Pattern);
                    var names = new SortedSet<string>(allFields.Keys.Where(n => regex.IsMatch(n)), StringComparer.Ordinal);
                    names.UnionWith(allTags.Where(t => !groupTags.Contains(t) && regex.IsMatch(t)));
                    foreach (var n in names)
                    {
                        result.Add((n, new VarRef(n, allFields.ContainsKey(n) ? VarRefType.Field : VarRefType.Tag)));
                    }
                    break;
                }
                case Call { Args.Count: > 0 } c when c.Args[0] is Wildcard or RegexLiteral:
                {
                    var allFields = All().Fields;
                    var regex = c.Args[0] is RegexLiteral re ? Regex(re.Pattern) : null;
                    foreach (var (n, type) in allFields)
                    {
                        if (regex is not null && !regex.IsMatch(n))
                        {
                            continue;
                        }
                        // Arithmetic aggregates skip string and boolean fields, as 1.x's expansion does.
                        if (c.Name is not ("count" or "first" or "last" or "distinct" or "mode" or "sample") && !Kernels.IsNumeric(type))
                        {
                            continue;
                        }
                        var call = new Call(c.Name, [new VarRef(n, VarRefType.Field), .. c.Args.Skip(1)]);
                        result.Add((f.Alias is { } a ? $"{a}_{n}" : $"{c.Name}_{n}", call));
                    }
                    break;
                }
                case VarRef { Name: "time" }:
                    // time is always the first column; naming it again adds nothing (1.x drops it).
                    break;
                case Call { Name: "top" or "bottom", Args.Count: > 2 } c:
                    result.Add((f.Alias ?? c.Name, c));
                    // The tags named in top()/bottom() come back as columns after the value, as 1.x answers them.
                    foreach (var a in c.Args.Skip(1).Take(c.Args.Count - 2))
                    {
                        if (Unwrap(a) is VarRef v)
                        {
                            result.Add((v.Name, new VarRef(v.Name, VarRefType.Tag)));
                        }
                    }
                    break;
                default:
                    result.Add((f.Alias ?? ColumnName(f.Expr), f.Expr));
                    break;
            }
        }
        // Unique names: a repeat gets _1, _2, … (the first keeps its name).
        var used = new HashSet<string>(StringComparer.Ordinal) { "time" };
        for (var i = 0; i < result.Count; i++)
        {
            var (name, expr) = result[i];
            var unique = name;
            for (var k = 1; !used.Add(unique); k++)
            {
                unique = $"{name}_{k}";
            }
            result[i] = (unique, expr);
        }
        return result;
    }

    /// <summary>The value columns of the last SELECT planned that hold a tag (a subquery's outer query sees them as tags).</summary>
    private List<string> _tagValueColumns = [];

    private enum SelectKind
    {
        Raw,
        SelectorRow,
        MultiRow,
        Aggregate,
    }

    private (LogicalPlan Plan, InfluxQLShape Shape) PlanQuery(SelectQuery q, List<Relation> relations)
    {
        if (q.Fields.Count == 0)
        {
            throw Error("at least 1 non-time field must be queried");
        }
        var calls = q.Fields.SelectMany(f => Calls(f.Expr)).ToList();
        var aggregates = new List<Call>();
        foreach (var f in q.Fields)
        {
            CollectAggregates(f.Expr, aggregates);
        }
        var freeRefs = q.Fields.SelectMany(f => FreeRefs(f.Expr)).Where(v => v.Name != "time").ToList();
        var transforms = calls.Where(c => IsTransformName(c.Name)).ToList();
        SelectKind kind;
        if (aggregates.Count == 0)
        {
            if (q.Interval is not null)
            {
                throw Error("GROUP BY requires at least one aggregate function");
            }
            kind = SelectKind.Raw;
        }
        else
        {
            var one = aggregates.Count == 1 ? aggregates[0] : null;
            if (freeRefs.Count > 0 && !(one is not null && IsSelectorName(one.Name)))
            {
                throw Error("mixing aggregate and non-aggregate queries is not supported");
            }
            if (aggregates.Any(a => IsMultiRow(a.Name)) && aggregates.Count > 1)
            {
                throw Error($"{aggregates.First(a => IsMultiRow(a.Name)).Name}() cannot be combined with other functions");
            }
            kind = one is not null && IsMultiRow(one.Name) ? SelectKind.MultiRow
                : one is not null && IsSingleRowSelector(one.Name) && (q.Interval is null || freeRefs.Count > 0 || one.Name == "percentile") && transforms.Count == 0 ? SelectKind.SelectorRow
                : SelectKind.Aggregate;
            if (transforms.Count > 0 && q.Interval is null)
            {
                throw Error($"{transforms[0].Name} aggregate requires a GROUP BY interval");
            }
        }
        foreach (var (_, e) in q.Fields)
        {
            var outer = Unwrap(e);
            if (Calls(e).Any(c => IsTransformName(c.Name)) && !(outer is Call oc && IsTransformName(oc.Name)))
            {
                throw Error($"{Calls(e).First(c => IsTransformName(c.Name)).Name}() must be the whole field, not part of an expression");
            }
        }

        _tagValueColumns = [.. q.Fields.Where(f => Unwrap(f.Expr) is VarRef v && v.Type != VarRefType.Field
            && relations.Any(r => r.Tags.ContainsKey(v.Name) && (v.Type == VarRefType.Tag || !r.Fields.ContainsKey(v.Name)))).Select(f => f.Name)];
        var tagCount = q.Tags.Count;
        // Functions over aggregates read intervals before the range, so the first interval has its value (as 1.x does).
        long? emitFrom = null;
        if (transforms.Count > 0 && aggregates.Count > 0 && q.Interval is { } iv && q.From is { } start)
        {
            var back = transforms.Max(t => TransformFunction(t.Name) switch
            {
                SeriesFunction.CumulativeSum => 0L,
                SeriesFunction.MovingAverage => t.Args.Count == 2 && t.Args[1] is IntegerLiteral { Value: > 1 } n ? n.Value - 1 : 0,
                _ => 1L,
            });
            if (back > 0)
            {
                emitFrom = Bin(q, start);
                q = new SelectQuery { Statement = q.Statement, Fields = q.Fields, Tags = q.Tags, From = start - (back * iv), To = q.To, Condition = q.Condition, Interval = q.Interval, Offset = q.Offset };
            }
        }
        var names = new List<string> { InfluxQLShape.MeasurementColumn, "time" };
        names.AddRange(q.Tags);
        names.AddRange(q.Fields.Select(f => f.Name));
        var plans = new List<LogicalPlan>();
        foreach (var r in relations)
        {
            if (kind == SelectKind.Aggregate && AllFieldsMissing(aggregates, r))
            {
                // No field the functions read exists here: this source has no series to answer (1.x answers none).
                continue;
            }
            LogicalPlan plan = kind switch
            {
                SelectKind.Raw => PlanRaw(q, r),
                SelectKind.SelectorRow => FillIntervals(q, PlanSelectorRow(q, r, aggregates[0])),
                SelectKind.MultiRow => PlanMultiRow(q, r, aggregates[0]),
                _ when aggregates.Count == 1 && aggregates[0].Name == "integral" => FillIntervals(q, PlanOrdered(q, r, aggregates[0])),
                _ => PlanAggregate(q, r, aggregates),
            };
            plans.Add(new ProjectionPlan(plan, [.. plan.Schema.Fields.Select((f, i) => (Expr)new ColumnExpr(i, f.Name, f.Type))], names));
        }
        var shape = new InfluxQLShape(true, tagCount) { TimeZone = q.Statement.TimeZone };
        var union = Unify(plans, names, tagCount);
        var timeIndex = 1;
        // ORDER BY time DESC reverses the series too, as 1.x answers.
        var desc = q.Statement.Descending;
        var sortKeys = new List<SortExpr> { Key(union, 0, desc) };
        for (var t = 0; t < tagCount; t++)
        {
            sortKeys.Add(Key(union, 2 + t, desc));
        }
        // top() and bottom() list their points by time ascending whatever ORDER BY says (1.x).
        sortKeys.Add(Key(union, timeIndex, desc && !(kind == SelectKind.MultiRow && aggregates[0].Name is "top" or "bottom")));
        var seriesTransforms = new List<SeriesTransform>();
        for (var i = 0; i < q.Fields.Count; i++)
        {
            if (Unwrap(q.Fields[i].Expr) is Call c && IsTransformName(c.Name))
            {
                seriesTransforms.Add(Transform(c, 2 + tagCount + i, q.Interval));
            }
        }
        var s = q.Statement;
        var perSeriesLimit = s.Limit is not null || (s.Offset ?? 0) > 0;
        var seriesLimit = s.SLimit is not null || (s.SOffset ?? 0) > 0;
        if (seriesTransforms.Count == 0 && emitFrom is null && !seriesLimit && perSeriesLimit && tagCount == 0 && relations.Count <= 1)
        {
            // One series: LIMIT is a plain top-K.
            return (new LimitPlan(new SortPlan(union, sortKeys, s.Limit is { } l ? l + (s.Offset ?? 0) : null), s.Offset ?? 0, s.Limit), shape);
        }
        var keys = Enumerable.Range(0, 1).Concat(Enumerable.Range(2, tagCount)).ToArray();
        var input = union;
        if (desc && seriesLimit)
        {
            // 1.x picks SLIMIT's series in ascending order, then answers them in descending order.
            var ascending = keys.Select(k => Key(union, k, false)).Append(Key(union, timeIndex, false)).ToList();
            input = new SeriesTransformPlan(new SortPlan(union, ascending), keys, timeIndex, [], [], 0, null, s.SOffset ?? 0, s.SLimit);
            seriesLimit = false;
        }
        LogicalPlan sorted = new SortPlan(input, sortKeys);
        if (seriesTransforms.Count > 0 || perSeriesLimit || seriesLimit || emitFrom is not null)
        {
            var require = seriesTransforms.Count > 0 ? Enumerable.Range(2 + tagCount, q.Fields.Count).ToArray() : [];
            sorted = new SeriesTransformPlan(sorted, keys, timeIndex, seriesTransforms, require, s.Offset ?? 0, s.Limit,
                seriesLimit ? s.SOffset ?? 0 : 0, seriesLimit ? s.SLimit : null, emitFrom);
        }
        return (sorted, shape);
    }

    private static SortExpr Key(LogicalPlan plan, int column, bool descending) =>
        new(new ColumnExpr(column, plan.Schema[column].Name, plan.Schema[column].Type), descending, false);

    /// <summary>Aggregate and selector calls, outermost (count(distinct(x)) is one call); not those inside another.</summary>
    private static void CollectAggregates(InfluxQLExpr e, List<Call> into)
    {
        switch (e)
        {
            case Call c when IsAggregateName(c.Name) || IsSelectorName(c.Name):
                into.Add(c);
                break;
            case Call c:
                foreach (var a in c.Args)
                {
                    CollectAggregates(a, into);
                }
                break;
            case Ast.BinaryExpr b:
                CollectAggregates(b.Left, into);
                CollectAggregates(b.Right, into);
                break;
            case ParenExpr p:
                CollectAggregates(p.Inner, into);
                break;
            case UnaryMinusExpr u:
                CollectAggregates(u.Operand, into);
                break;
        }
    }

    private SeriesTransform Transform(Call c, int column, long? interval)
    {
        var function = TransformFunction(c.Name);
        switch (function)
        {
            case SeriesFunction.MovingAverage:
                if (c.Args.Count != 2 || c.Args[1] is not IntegerLiteral { Value: > 0 } n)
                {
                    throw Error("moving_average window must be an integer greater than 0");
                }
                return new SeriesTransform(column, function, N: checked((int)n.Value));
            case SeriesFunction.Derivative or SeriesFunction.NonNegativeDerivative or SeriesFunction.Elapsed:
            {
                if (c.Args.Count > 2)
                {
                    throw Error($"invalid number of arguments for {c.Name}, expected at least 1 but no more than 2, got {c.Args.Count}");
                }
                // 1.x: a derivative of an aggregate is per GROUP BY interval unless a unit is given; of raw points, per second.
                var unit = c.Args.Count == 2 ? Duration(c.Args[1], $"{c.Name} unit")
                    : function == SeriesFunction.Elapsed ? 1
                    : interval ?? 1_000_000_000L;
                if (unit <= 0)
                {
                    throw Error($"{c.Name} unit must be a positive duration");
                }
                return new SeriesTransform(column, function, unit);
            }
            default:
                if (c.Args.Count != 1)
                {
                    throw Error($"invalid number of arguments for {c.Name}, expected 1, got {c.Args.Count}");
                }
                return new SeriesTransform(column, function);
        }
    }

    /// <summary>The per-source plans under one schema: a column whose types differ becomes float (numbers) or string.</summary>
    private static LogicalPlan Unify(List<LogicalPlan> plans, List<string> names, int tagCount)
    {
        if (plans.Count == 0)
        {
            var fields = names.Select((n, i) => new Field(n, i == 1 ? ArrowType.TimestampNanosecond : i < 2 + tagCount ? ArrowType.Utf8 : ArrowType.Float64, true));
            return new ValuesPlan(new Schema([.. fields]), [], "no measurements");
        }
        var types = new ArrowType[names.Count];
        for (var c = 0; c < names.Count; c++)
        {
            if (plans.Count == 1)
            {
                // One measurement (most queries): its own types, without the set arithmetic below.
                var type = plans[0].Schema[c].Type;
                types[c] = type.Id switch
                {
                    ArrowTypeId.Null => c < 2 + tagCount ? ArrowType.Utf8 : ArrowType.Float64,
                    ArrowTypeId.Dictionary => ArrowType.Utf8,
                    _ => type,
                };
                continue;
            }
            var distinct = plans.Select(p => p.Schema[c].Type).Where(t => t.Id != ArrowTypeId.Null).Distinct().ToList();
            types[c] = distinct.Count switch
            {
                0 => c < 2 + tagCount ? ArrowType.Utf8 : ArrowType.Float64,
                1 => distinct[0].Id == ArrowTypeId.Dictionary ? ArrowType.Utf8 : distinct[0],
                _ => distinct.All(Kernels.IsNumeric) ? ArrowType.Float64 : ArrowType.Utf8,
            };
        }
        var unified = plans.Select(p =>
        {
            var exprs = new List<Expr>();
            var changed = false;
            for (var c = 0; c < names.Count; c++)
            {
                Expr e = new ColumnExpr(c, p.Schema[c].Name, p.Schema[c].Type);
                if (!p.Schema[c].Type.Equals(types[c]))
                {
                    e = new CastExpr(e, types[c]);
                    changed = true;
                }
                exprs.Add(e);
            }
            return changed ? new ProjectionPlan(p, exprs, names) : p;
        }).ToList();
        return unified.Count == 1 ? unified[0] : new UnionPlan(unified, new Schema([.. names.Select((n, i) => new Field(n, types[i], true))]));
    }

    // ---- the WHERE clause over one source ----

    private LogicalPlan Filtered(SelectQuery q, Relation r, params Expr[] more)
    {
        var terms = new List<Expr>();
        var time = r.Column(r.Time);
        if (q.From is { } from)
        {
            terms.Add(new QBinaryExpr(QBinaryOp.GreaterOrEqual, time, new LiteralExpr(new TimestampScalar(from), ArrowType.TimestampNanosecond), ArrowType.Boolean));
        }
        if (q.To is { } to)
        {
            terms.Add(new QBinaryExpr(QBinaryOp.LessOrEqual, time, new LiteralExpr(new TimestampScalar(to), ArrowType.TimestampNanosecond), ArrowType.Boolean));
        }
        if (q.Condition is not null)
        {
            terms.Add(AsCondition(Bind(q.Condition, r, condition: true)));
        }
        terms.AddRange(more);
        return Predicates.And(terms) is { } predicate ? new FilterPlan(r.Plan, predicate) : r.Plan;
    }

    /// <summary>
    /// The GROUP BY tags of one source as strings, '' where a row (or the source) lacks the tag; with
    /// <paramref name="dictionaries"/>, a stored tag column stays as it is (grouping by its dictionary codes is several
    /// times faster than by strings; a missing tag is then a null key, which <see cref="TagKeysAsText"/> turns into '').
    /// </summary>
    private static List<Expr> GroupTags(SelectQuery q, Relation r, bool dictionaries = false) =>
        [.. q.Tags.Select<string, Expr>(t => r.Tags.TryGetValue(t, out var i)
            ? (IsTagColumn(r.Column(i)) ? (dictionaries ? r.Column(i) : TagOrEmpty(r.Column(i))) : Call("coalesce", [new CastExpr(r.Column(i), ArrowType.Utf8), new LiteralExpr("", ArrowType.Utf8)]))
            : new LiteralExpr("", ArrowType.Utf8))];

    /// <summary>The aggregate with its dictionary-typed group keys (GROUP BY tags grouped by their codes) as text, null as ''.</summary>
    private static LogicalPlan TagKeysAsText(AggregatePlan plan)
    {
        var schema = plan.Schema;
        var keys = plan.Groups.Count;
        if (!schema.Fields.Take(keys).Any(f => f.Type.Id == ArrowTypeId.Dictionary))
        {
            return plan;
        }
        var exprs = schema.Fields.Select((f, i) =>
        {
            var column = new ColumnExpr(i, f.Name, f.Type);
            return i < keys && f.Type.Id == ArrowTypeId.Dictionary ? TagOrEmpty(column) : (Expr)column;
        }).ToList();
        return new ProjectionPlan(plan, exprs, [.. schema.Fields.Select(f => f.Name)]);
    }

    private static ScalarFunctionExpr Bucket(SelectQuery q, Expr time) =>
        Call("date_bin", [new LiteralExpr(new IntervalScalar(q.Interval!.Value), ArrowType.Int64), time, new LiteralExpr(new TimestampScalar(q.Offset), ArrowType.TimestampNanosecond)]);

    private static long Bin(SelectQuery q, long t)
    {
        var interval = q.Interval!.Value;
        var m = (t - q.Offset) % interval;
        if (m < 0)
        {
            m += interval;
        }
        return t - m;
    }

    private static Expr Measurement(Relation r) => r.Measurement.Type.Id == ArrowTypeId.Utf8 ? r.Measurement : new CastExpr(r.Measurement, ArrowType.Utf8);

    private static Expr AsOutput(Expr e) => e.Type.Id == ArrowTypeId.Dictionary ? new CastExpr(e, ArrowType.Utf8) : e;

    private static bool MentionsField(InfluxQLExpr e, Relation r) => e switch
    {
        VarRef v => v.Type != VarRefType.Tag && (r.Fields.ContainsKey(v.Name) || !r.Tags.ContainsKey(v.Name)) && v.Name != "time",
        Call c => c.Args.Any(a => MentionsField(a, r)),
        Ast.BinaryExpr b => MentionsField(b.Left, r) || MentionsField(b.Right, r),
        ParenExpr p => MentionsField(p.Inner, r),
        UnaryMinusExpr u => MentionsField(u.Operand, r),
        _ => false,
    };

    // ---- raw rows ----

    private ProjectionPlan PlanRaw(SelectQuery q, Relation r)
    {
        if (!q.Fields.Any(f => MentionsField(f.Expr, r)))
        {
            throw Error("statement must have at least one field in select clause");
        }
        // 1.x answers a row where at least one field the field list names has a value (even if an expression over it is null).
        var fields = q.Fields.SelectMany(f => Refs(f.Expr)).Where(v => v.Type != VarRefType.Tag && r.Fields.ContainsKey(v.Name)).Select(v => v.Name).Distinct().ToList();
        var anyValue = fields.Select(n => (Expr)new IsNullExpr(r.Column(r.Fields[n]), negated: true)).ToList();
        Expr present = anyValue.Count == 0 ? new LiteralExpr(false, ArrowType.Boolean) : anyValue.Aggregate((x, y) => new QBinaryExpr(QBinaryOp.Or, x, y, ArrowType.Boolean));
        // A stored point has at least one field (line protocol requires one), so naming every field of a measurement
        // (SELECT *) lets every row through: no filter to evaluate, and the scan reads no column for it.
        var allFields = r.Plan is ScanPlan && anyValue.Count > 0 && fields.Count == r.Fields.Count;
        var input = allFields ? Filtered(q, r) : Filtered(q, r, present);
        var exprs = new List<Expr> { Measurement(r), r.Column(r.Time) };
        exprs.AddRange(GroupTags(q, r));
        foreach (var (_, e) in q.Fields)
        {
            var expr = Unwrap(e) is Call c && IsTransformName(c.Name) ? TransformArgument(c, r) : Bind(e, r, condition: false);
            exprs.Add(AsOutput(expr));
        }
        return new ProjectionPlan(input, exprs, [.. exprs.Select((_, i) => $"c{i}")]);
    }

    private static IEnumerable<VarRef> Refs(InfluxQLExpr e) => e switch
    {
        VarRef v => [v],
        Call c => c.Args.SelectMany(Refs),
        Ast.BinaryExpr b => Refs(b.Left).Concat(Refs(b.Right)),
        ParenExpr p => Refs(p.Inner),
        UnaryMinusExpr u => Refs(u.Operand),
        _ => [],
    };

    private Expr TransformArgument(Call c, Relation r)
    {
        if (c.Args.Count == 0 || Unwrap(c.Args[0]) is not VarRef)
        {
            throw Error($"{c.Name} expects a field or an aggregate as its first argument, found {(c.Args.Count == 0 ? "nothing" : c.Args[0].ToString())}");
        }
        return Bind(c.Args[0], r, condition: false);
    }

    // ---- the keys rows are grouped by: the series (name when a subquery has several, GROUP BY tags) and the interval ----

    /// <summary>A subquery's rows carry their series name in a column; a table's name is a constant.</summary>
    private static bool DynamicName(Relation r) => r.Measurement is not LiteralExpr;

    /// <summary>The series name (when dynamic), the GROUP BY tags and the interval start, as expressions over the relation.</summary>
    private static List<Expr> GroupKeys(SelectQuery q, Relation r, bool withBucket, bool dictionaries = false)
    {
        var keys = new List<Expr>();
        if (DynamicName(r))
        {
            keys.Add(Measurement(r));
        }
        keys.AddRange(GroupTags(q, r, dictionaries));
        if (withBucket && q.Interval is not null)
        {
            keys.Add(Bucket(q, r.Column(r.Time)));
        }
        return keys;
    }

    /// <summary>
    /// The relation's columns followed by <paramref name="extra"/> (group keys, values) as one projection, so plans
    /// above can order and pick whole rows and still read any column of the source.
    /// </summary>
    private static (ProjectionPlan Plan, Func<int, ColumnExpr> Col) Widen(LogicalPlan input, Relation r, List<Expr> extra)
    {
        var width = r.Schema.FieldCount;
        var exprs = new List<Expr>(r.Schema.Fields.Select((f, i) => (Expr)r.Column(i)));
        exprs.AddRange(extra);
        var names = exprs.Select((_, i) => i < width ? r.Schema[i].Name : $"k{i}").ToList();
        return (new ProjectionPlan(input, exprs, names), i => new ColumnExpr(i, names[i], exprs[i].Type));
    }

    /// <summary>The output's first columns: the series name, the time, the GROUP BY tags (all over a widened row).</summary>
    private static List<Expr> Head(SelectQuery q, Relation r, Func<int, ColumnExpr> col, Expr time)
    {
        var width = r.Schema.FieldCount;
        var named = DynamicName(r) ? 1 : 0;
        var head = new List<Expr> { Measurement(r), time };
        head.AddRange(Enumerable.Range(width + named, q.Tags.Count).Select(i => (Expr)col(i)));
        return head;
    }

    /// <summary>
    /// The rows a selector or ordered function reads: the relation's rows in range where the function's field has a
    /// value, widened with the group keys (series name when dynamic, GROUP BY tags, interval) and the value; the
    /// keys and the value as columns of that plan.
    /// </summary>
    private (ProjectionPlan Plan, Func<int, ColumnExpr> Col, List<Expr> Partition, ColumnExpr Value, ColumnExpr Time) Points(SelectQuery q, Relation r, Call call)
    {
        var value = SelectorValue(call, r);
        var filtered = Filtered(q, r, new IsNullExpr(value, negated: true));
        var keys = GroupKeys(q, r, withBucket: true);
        var width = r.Schema.FieldCount;
        var (plan, col) = Widen(filtered, r, [.. keys, value]);
        return (plan, col, [.. Enumerable.Range(width, keys.Count).Select(i => (Expr)col(i))], col(width + keys.Count), col(r.Time));
    }

    // ---- one selected row per series and interval: first, last, min, max, percentile ----

    private ProjectionPlan PlanSelectorRow(SelectQuery q, Relation r, Call selector)
    {
        var (prePlan, Col, partition, valueCol, time) = Points(q, r, selector);
        var width = r.Schema.FieldCount;
        var keys = partition;
        LogicalPlan picked;
        if (selector.Name == "percentile")
        {
            var p = selector.Args.Count == 2 ? selector.Args[1] switch
            {
                IntegerLiteral i => (double)i.Value,
                NumberLiteral n => n.Value,
                _ => throw Error("expected float argument in percentile()"),
            } : throw Error($"invalid number of arguments for percentile, expected 2, got {selector.Args.Count}");
            // 1.x: the value at rank floor(n·p/100 + 0.5) (1-based) of the values in order; none when that is 0.
            var window = new WindowPlan(prePlan, partition, [new SortExpr(valueCol, false, false), new SortExpr(time, false, false)],
                [new WindowExpr(WindowFunctionKind.RowNumber, [], 0, WindowFrameSpec.WholePartition, ArrowType.Int64, "rn"),
                 new WindowExpr(WindowFunctionKind.Count, [], 0, WindowFrameSpec.WholePartition, ArrowType.Int64, "cnt")]);
            var at = prePlan.Schema.FieldCount;
            var rn = new ColumnExpr(at, "rn", ArrowType.Int64);
            var cnt = new CastExpr(new ColumnExpr(at + 1, "cnt", ArrowType.Int64), ArrowType.Float64);
            var rank = Call("floor", [new QBinaryExpr(QBinaryOp.Add, new QBinaryExpr(QBinaryOp.Divide, new QBinaryExpr(QBinaryOp.Multiply, cnt, new LiteralExpr(p, ArrowType.Float64), ArrowType.Float64), new LiteralExpr(100.0, ArrowType.Float64), ArrowType.Float64), new LiteralExpr(0.5, ArrowType.Float64), ArrowType.Float64)]);
            picked = new FilterPlan(window, new QBinaryExpr(QBinaryOp.Equal, new CastExpr(rn, ArrowType.Float64), rank, ArrowType.Boolean));
        }
        else
        {
            var order = new List<SortExpr>(partition.Select(e => new SortExpr(e, false, false)));
            switch (selector.Name)
            {
                case "max":
                    order.Add(new SortExpr(valueCol, true, false));
                    order.Add(new SortExpr(time, false, false));
                    break;
                case "min":
                    order.Add(new SortExpr(valueCol, false, false));
                    order.Add(new SortExpr(time, false, false));
                    break;
                case "first":
                    order.Add(new SortExpr(time, false, false));
                    break;
                default:
                    order.Add(new SortExpr(time, true, false));
                    break;
            }
            // One series and no intervals: the best row of all is a top-1.
            picked = partition.Count == 0 ? new SortPlan(prePlan, order, 1) : new DistinctOnPlan(new SortPlan(prePlan, order), partition);
        }
        var outTime = q.Interval is not null ? (Expr)Col(width + keys.Count - 1) : time;
        var exprs = Head(q, r, Col, outTime);
        foreach (var (_, e) in q.Fields)
        {
            exprs.Add(AsOutput(Bind(e, r, condition: false, c => ReferenceEquals(c, selector) ? valueCol : throw Error($"{c.Name}() cannot be combined with {selector.Name}()"))));
        }
        return new ProjectionPlan(picked, exprs, [.. exprs.Select((_, i) => $"c{i}")]);
    }

    private Expr SelectorValue(Call selector, Relation r)
    {
        if (selector.Args.Count == 0 || Unwrap(selector.Args[0]) is not VarRef field)
        {
            throw Error($"expected field argument in {selector.Name}()");
        }
        var value = Bind(field, r, condition: false);
        if (selector.Name is "max" or "min" or "percentile" or "top" or "bottom" or "integral" && value.Type.Id != ArrowTypeId.Null && !Kernels.IsNumeric(value.Type))
        {
            throw Error($"unsupported {selector.Name} iterator type: {TypeName(value.Type)}");
        }
        return AsOutput(value);
    }

    // ---- several rows per series and interval: top, bottom, sample, distinct ----

    private ProjectionPlan PlanMultiRow(SelectQuery q, Relation r, Call call)
    {
        var (prePlan, Col, partition, valueCol, time) = Points(q, r, call);
        var width = r.Schema.FieldCount;
        var keys = partition;
        var named = DynamicName(r) ? 1 : 0;
        if (call.Name == "distinct")
        {
            if (call.Args.Count != 1)
            {
                throw Error($"distinct function requires exactly one argument, got {call.Args.Count}");
            }
            var groups = partition.Append(valueCol).ToList();
            AggregateFunctions.TryGet("min", out var min);
            var agg = new AggregatePlan(prePlan, groups, [.. groups.Select((_, i) => $"g{i}")],
                [new AggregateCall(min!, [time], AggregateCallOptions.None, null, ArrowType.TimestampNanosecond, "first")]);
            ColumnExpr G(int i) => new(i, agg.Schema[i].Name, agg.Schema[i].Type);
            // 1.x lists distinct values in the order they first appear (the final sort by series and time is stable).
            var order = Enumerable.Range(0, partition.Count).Select(i => new SortExpr(G(i), false, false)).ToList();
            order.Add(new SortExpr(G(groups.Count), false, false));
            order.Add(new SortExpr(G(groups.Count - 1), false, false));
            var ordered = new SortPlan(agg, order);
            var outExprs = new List<Expr> { named == 1 ? G(0) : Measurement(r) };
            outExprs.Add(q.Interval is not null ? G(keys.Count - 1) : new LiteralExpr(new TimestampScalar(q.From ?? 0), ArrowType.TimestampNanosecond));
            outExprs.AddRange(Enumerable.Range(named, q.Tags.Count).Select(i => (Expr)G(i)));
            outExprs.Add(G(groups.Count - 1));
            return new ProjectionPlan(ordered, outExprs, [.. outExprs.Select((_, i) => $"c{i}")]);
        }
        // top/bottom(field[, tag …], N), sample(field, N)
        if (call.Args.Count < 2 || call.Args[^1] is not IntegerLiteral { Value: > 0 } n)
        {
            throw Error($"{call.Name}() requires a positive integer as its last argument");
        }
        if (call.Name == "sample" && call.Args.Count != 2)
        {
            throw Error($"invalid number of arguments for sample, expected 2, got {call.Args.Count}");
        }
        var desc = call.Name == "top";
        var tagArgs = call.Args.Skip(1).Take(call.Args.Count - 2).Select(a => Unwrap(a) is VarRef v ? v : throw Error($"only fields or tags are allowed in {call.Name}(), found {a}")).ToList();
        LogicalPlan input = prePlan;
        if (tagArgs.Count > 0)
        {
            // The best point of each distinct combination of the named tags first, then the N best of those.
            var distinctKeys = partition.Concat(tagArgs.Select(t => Bind(new VarRef(t.Name, VarRefType.Tag), r, condition: false))).ToList();
            var order = distinctKeys.Select(e => new SortExpr(e, false, false)).ToList();
            order.Add(new SortExpr(valueCol, desc, false));
            order.Add(new SortExpr(time, false, false));
            input = new DistinctOnPlan(new SortPlan(prePlan, order), distinctKeys);
        }
        // sample: N rows of each interval, chosen at random (1.x samples; with N ≥ the points it answers them all).
        IReadOnlyList<SortExpr> rankOrder = call.Name == "sample"
            ? [new SortExpr(Call("random", []), false, false)]
            : [new SortExpr(valueCol, desc, false), new SortExpr(time, false, false)];
        var ranked = new WindowPlan(input, partition, rankOrder,
            [new WindowExpr(WindowFunctionKind.RowNumber, [], 0, WindowFrameSpec.WholePartition, ArrowType.Int64, "rn")]);
        var kept = new FilterPlan(ranked, new QBinaryExpr(QBinaryOp.LessOrEqual, new ColumnExpr(prePlan.Schema.FieldCount, "rn", ArrowType.Int64), new LiteralExpr(n.Value, ArrowType.Int64), ArrowType.Boolean));
        var exprs = Head(q, r, Col, time);
        foreach (var (_, e) in q.Fields)
        {
            exprs.Add(AsOutput(Bind(e, r, condition: false, c => ReferenceEquals(c, call) ? valueCol : throw Error($"{c.Name}() cannot be combined with {call.Name}()"))));
        }
        return new ProjectionPlan(kept, exprs, [.. exprs.Select((_, i) => $"c{i}")]);
    }

    // ---- functions over the points in order: integral ----

    private ProjectionPlan PlanOrdered(SelectQuery q, Relation r, Call call)
    {
        var (prePlan, Col, partition, valueCol, time) = Points(q, r, call);
        var width = r.Schema.FieldCount;
        var keys = partition;
        var named = DynamicName(r) ? 1 : 0;
        AggregateFunctions.TryGet("count", out var count);
        AggregateFunctions.TryGet("sum", out var sum);
        LogicalPlan result;
        Expr resultValue;
        {
            // integral(x[, unit]): the trapezoids between consecutive points of each interval, summed, per unit of time.
            var unit = call.Args.Count == 2 ? Duration(call.Args[1], "integral unit") : 1_000_000_000L;
            if (unit <= 0)
            {
                throw Error("integral unit must be a positive duration");
            }
            var window = new WindowPlan(prePlan, partition, [new SortExpr(time, false, false)],
                [new WindowExpr(WindowFunctionKind.Lag, [valueCol], 1, WindowFrameSpec.WholePartition, valueCol.Type, "pv"),
                 new WindowExpr(WindowFunctionKind.Lag, [time], 1, WindowFrameSpec.WholePartition, ArrowType.TimestampNanosecond, "pt")]);
            var at = prePlan.Schema.FieldCount;
            var pv = new CastExpr(new ColumnExpr(at, "pv", valueCol.Type), ArrowType.Float64);
            var pt = new ColumnExpr(at + 1, "pt", ArrowType.TimestampNanosecond);
            var v = new CastExpr(valueCol, ArrowType.Float64);
            var dt = new CastExpr(new CastExpr(new QBinaryExpr(QBinaryOp.Subtract, time, pt, ArrowType.Int64), ArrowType.Int64), ArrowType.Float64);
            var area = new QBinaryExpr(QBinaryOp.Divide,
                new QBinaryExpr(QBinaryOp.Multiply, new QBinaryExpr(QBinaryOp.Add, v, pv, ArrowType.Float64), dt, ArrowType.Float64),
                new LiteralExpr(2.0 * unit, ArrowType.Float64), ArrowType.Float64);
            var terms = new ProjectionPlan(window, [.. partition.Select((_, i) => (Expr)Col(width + i)), area], [.. partition.Select((_, i) => $"g{i}"), "area"]);
            var agg = new AggregatePlan(terms, [.. partition.Select((_, i) => (Expr)new ColumnExpr(i, $"g{i}", partition[i].Type))], [.. partition.Select((_, i) => $"g{i}")],
                [new AggregateCall(sum!, [new ColumnExpr(partition.Count, "area", ArrowType.Float64)], AggregateCallOptions.None, null, ArrowType.Float64, "integral"),
                 new AggregateCall(count!, [], AggregateCallOptions.None, null, ArrowType.Int64, "n")]);
            // Intervals (or series) without a point answer nothing.
            result = new FilterPlan(agg, new QBinaryExpr(QBinaryOp.Greater, new ColumnExpr(partition.Count + 1, "n", ArrowType.Int64), new LiteralExpr(0L, ArrowType.Int64), ArrowType.Boolean));
            resultValue = Call("coalesce", [new ColumnExpr(partition.Count, "integral", ArrowType.Float64), new LiteralExpr(0.0, ArrowType.Float64)]);
        }
        ColumnExpr K(int i) => new(i, result.Schema[i].Name, result.Schema[i].Type);
        var exprs = new List<Expr> { named == 1 ? K(0) : Measurement(r) };
        exprs.Add(q.Interval is not null ? K(partition.Count - 1) : new LiteralExpr(new TimestampScalar(call.Name == "integral" ? 0 : q.From ?? 0), ArrowType.TimestampNanosecond));
        exprs.AddRange(Enumerable.Range(named, q.Tags.Count).Select(i => (Expr)K(i)));
        foreach (var (_, e) in q.Fields)
        {
            exprs.Add(AsOutput(Bind(e, r, condition: false, c => ReferenceEquals(c, call) ? resultValue : throw Error($"{c.Name}() cannot be combined with other functions"))));
        }
        return new ProjectionPlan(result, exprs, [.. exprs.Select((_, i) => $"c{i}")]);
    }

    /// <summary>
    /// fill() over a plan already shaped as output (name, time, tags, values) whose time is the interval start: the
    /// selectors that pick rows and the ordered functions, which are not plain aggregates.
    /// </summary>
    private static LogicalPlan FillIntervals(SelectQuery q, LogicalPlan plan)
    {
        var fill = q.Statement.Fill;
        if (q.Interval is not { } interval || fill == FillOption.None || q.From is not { } from)
        {
            return plan;
        }
        var first = Bin(q, from);
        var last = Bin(q, q.To!.Value);
        if (GapFillPlan.BinCount(first, last, interval) > GapFillPlan.MaxBinsPerSeries)
        {
            throw Error($"too many intervals: {GapFillPlan.BinCount(first, last, interval)} intervals of {interval} ns per series (at most {GapFillPlan.MaxBinsPerSeries}); narrow the time range or widen the interval");
        }
        var tagCount = q.Tags.Count;
        var series = new List<int> { 0 };
        series.AddRange(Enumerable.Range(2, tagCount));
        var fills = new List<GapFillColumn>();
        for (var c = 2 + tagCount; c < plan.Schema.FieldCount; c++)
        {
            // 1.x interpolates the function's values only; a field selected beside a selector stays null.
            var auxiliary = c - 2 - tagCount < q.Fields.Count && Unwrap(q.Fields[c - 2 - tagCount].Expr) is VarRef;
            fills.Add(fill switch
            {
                FillOption.Previous => new GapFillColumn(c, GapFillStrategy.Locf),
                FillOption.Linear when auxiliary => new GapFillColumn(c, GapFillStrategy.Null),
                FillOption.Linear => new GapFillColumn(c, GapFillStrategy.Interpolate),
                FillOption.Value => new GapFillColumn(c, GapFillStrategy.Default, FillValueFor(FillNumber(q), plan.Schema[c].Type)),
                _ => new GapFillColumn(c, GapFillStrategy.Null),
            });
        }
        return new GapFillPlan(plan, 1, series, fills, first, last, interval);
    }

    /// <summary>
    /// fill(n) in a column of the given type. 1.x writes the number into string and boolean columns too (a JSON
    /// column of mixed types); a column here has one type, so a string column gets the number's text and a boolean
    /// column null.
    /// </summary>
    private static object? FillValueFor(object number, ArrowType type) => type.Id switch
    {
        ArrowTypeId.Utf8 => System.Convert.ToString(number, System.Globalization.CultureInfo.InvariantCulture),
        ArrowTypeId.Boolean => null,
        _ => Convert(number, type),
    };

    private static object FillNumber(SelectQuery q) => q.Statement.FillValue switch
    {
        IntegerLiteral i => (object)i.Value,
        NumberLiteral d => (object)d.Value,
        UnaryMinusExpr { Operand: IntegerLiteral i } => (object)(-i.Value),
        UnaryMinusExpr { Operand: NumberLiteral d } => (object)(-d.Value),
        var other => throw Error($"fill() takes a number, found {other}"),
    };

    // ---- aggregates ----

    private ProjectionPlan PlanAggregate(SelectQuery q, Relation r, List<Call> aggregates)
    {
        var input = Filtered(q, r);
        var groups = GroupKeys(q, r, withBucket: true, dictionaries: true);
        var named = DynamicName(r) ? 1 : 0;
        var groupNames = groups.Select((_, i) => $"g{i}").ToList();
        var calls = new List<AggregateCall>();
        var columnOf = new Dictionary<Call, Expr>(ReferenceEqualityComparer.Instance);
        var countColumns = new List<int>();
        foreach (var a in aggregates)
        {
            columnOf[a] = Aggregate(a, r, groups.Count, calls, countColumns);
        }
        // Without any group key an aggregate answers one row even over no rows; 1.x answers no series then.
        var rowCount = -1;
        if (groups.Count == 0)
        {
            AggregateFunctions.TryGet("count", out var count);
            calls.Add(new AggregateCall(count!, [], AggregateCallOptions.None, null, ArrowType.Int64, "rows"));
            rowCount = calls.Count - 1;
        }
        LogicalPlan plan = TagKeysAsText(new AggregatePlan(input, groups, groupNames, calls));
        if (rowCount >= 0)
        {
            plan = new FilterPlan(plan, new QBinaryExpr(QBinaryOp.Greater, new ColumnExpr(rowCount, "rows", ArrowType.Int64), new LiteralExpr(0L, ArrowType.Int64), ArrowType.Boolean));
        }
        var tagCount = q.Tags.Count;
        var timeAt = named + tagCount;
        var fill = q.Statement.Fill;
        var fillValue = fill == FillOption.Value ? FillNumber(q) : null;
        if (q.Interval is { } interval && fill != FillOption.None && q.From is { } from)
        {
            var first = Bin(q, from);
            var last = Bin(q, q.To!.Value);
            if (GapFillPlan.BinCount(first, last, interval) > GapFillPlan.MaxBinsPerSeries)
            {
                throw Error($"too many intervals: {GapFillPlan.BinCount(first, last, interval)} intervals of {interval} ns per series (at most {GapFillPlan.MaxBinsPerSeries}); narrow the time range or widen the interval");
            }
            var fills = new List<GapFillColumn>();
            for (var c = 0; c < calls.Count; c++)
            {
                var column = groups.Count + c;
                fills.Add(fill switch
                {
                    FillOption.Previous => new GapFillColumn(column, GapFillStrategy.Locf),
                    FillOption.Linear => new GapFillColumn(column, GapFillStrategy.Interpolate),
                    FillOption.Value => new GapFillColumn(column, GapFillStrategy.Default, Convert(fillValue, calls[c].Type)),
                    // count() answers 0 for an interval without points, as 1.x does.
                    _ => countColumns.Contains(c) ? new GapFillColumn(column, GapFillStrategy.Default, 0L) : new GapFillColumn(column, GapFillStrategy.Null),
                });
            }
            plan = new GapFillPlan(plan, timeAt, [.. Enumerable.Range(0, timeAt)], fills, first, last, interval);
        }
        var exprs = new List<Expr> { named == 1 ? new ColumnExpr(0, groupNames[0], ArrowType.Utf8) : Measurement(r) };
        exprs.Add(q.Interval is not null
            ? new ColumnExpr(timeAt, groupNames[timeAt], ArrowType.TimestampNanosecond)
            : new LiteralExpr(new TimestampScalar(q.From ?? 0), ArrowType.TimestampNanosecond));
        exprs.AddRange(Enumerable.Range(named, tagCount).Select(i => (Expr)new ColumnExpr(i, groupNames[i], ArrowType.Utf8)));
        foreach (var (_, e) in q.Fields)
        {
            var inner = Unwrap(e) is Call t && IsTransformName(t.Name) ? TransformAggregate(t) : e;
            var bound = Bind(inner, r, condition: false, c => columnOf.TryGetValue(c, out var col) ? col : throw Error($"{c.Name}() is not allowed here"));
            if (fillValue is not null)
            {
                bound = Call("coalesce", [bound, new LiteralExpr(Convert(fillValue, bound.Type), bound.Type)]);
            }
            exprs.Add(AsOutput(bound));
        }
        return new ProjectionPlan(plan, exprs, [.. exprs.Select((_, i) => $"c{i}")]);
    }

    /// <summary>The argument names no field of the relation (a tag, or nothing at all).</summary>
    private static bool MissingField(InfluxQLExpr arg, Relation r) =>
        Unwrap(arg) is VarRef v && (v.Type == VarRefType.Tag || !r.Fields.ContainsKey(v.Name));

    private static bool AllFieldsMissing(List<Call> aggregates, Relation r) =>
        aggregates.All(a => a.Args.Count > 0 && (Unwrap(a.Args[0]) is Call { Name: "distinct", Args.Count: > 0 } d ? MissingField(d.Args[0], r) : MissingField(a.Args[0], r)));

    private static object? Convert(object? value, ArrowType type) => value switch
    {
        null => null,
        long l when type.Id == ArrowTypeId.Float64 => (double)l,
        double d when type.IsInteger => (long)d,
        _ => value,
    };

    private static Call TransformAggregate(Call t)
    {
        if (t.Args.Count == 0 || Unwrap(t.Args[0]) is not Call inner || !(IsAggregateName(inner.Name) || IsSelectorName(inner.Name)))
        {
            throw Error($"aggregate function required inside the call to {t.Name}");
        }
        return inner;
    }

    /// <summary>Adds the engine aggregates one InfluxQL aggregate needs; returns its value over the aggregate's output.</summary>
    private Expr Aggregate(Call a, Relation r, int groupCount, List<AggregateCall> calls, List<int> countColumns)
    {
        ColumnExpr Add(string function, Expr[] args, AggregateCallOptions options)
        {
            if (!AggregateFunctions.TryGet(function, out var f))
            {
                throw new InvalidOperationException($"aggregate {function} is not registered");
            }
            ArrowType type;
            try
            {
                type = f.ReturnType([.. args.Select(x => x.Type)], options);
            }
            catch (Functions.FunctionException ex)
            {
                throw Error($"{a.Name}(): {ex.Message}");
            }
            calls.Add(new AggregateCall(f, args, options, null, type, $"{a.Name}{calls.Count}"));
            return new ColumnExpr(groupCount + calls.Count - 1, $"{a.Name}{calls.Count - 1}", type);
        }
        if (a.Args.Count == 0)
        {
            throw Error($"invalid number of arguments for {a.Name}, expected 1, got 0");
        }
        var distinct = a.Name == "count" && Unwrap(a.Args[0]) is Call { Name: "distinct" } d ? d : null;
        var argExpr = distinct is not null ? (distinct.Args.Count > 0 ? distinct.Args[0] : null) : a.Args[0];
        if (argExpr is null || Unwrap(argExpr) is not VarRef)
        {
            throw Error($"expected field argument in {a.Name}()");
        }
        // Functions read fields only: a tag here (count(distinct(host))) has no points, as in 1.x.
        var value = MissingField(argExpr, r) ? new LiteralExpr(null, ArrowType.Null) : AsOutput(Bind(argExpr, r, condition: false));
        if (value.Type.Id == ArrowTypeId.Null)
        {
            // A field the measurement lacks: every interval has no value.
            value = new LiteralExpr(null, ArrowType.Float64);
        }
        var numeric = a.Name is "mean" or "median" or "spread" or "stddev" or "sum" or "integral" or "max" or "min" or "percentile";
        if (numeric && !Kernels.IsNumeric(value.Type))
        {
            throw Error($"unsupported {a.Name} iterator type: {TypeName(value.Type)}");
        }
        var none = AggregateCallOptions.None;
        switch (a.Name)
        {
            case "count":
            {
                var c = Add("count", [value], distinct is not null ? none with { Distinct = true } : none);
                countColumns.Add(calls.Count - 1);
                return c;
            }
            case "sum":
                return Add("sum", [value], none);
            case "mean":
                return Add("mean", [value], none);
            case "median":
                // 1.x answers a float for integers too (the SQL median keeps the integer type, as DataFusion's).
                return Add("median", [value.Type.Id == ArrowTypeId.Float64 ? value : new CastExpr(value, ArrowType.Float64)], none);
            case "stddev":
                return Add("stddev", [value], none);
            case "spread":
            {
                var max = Add("max", [value], none);
                var min = Add("min", [value], none);
                return new QBinaryExpr(QBinaryOp.Subtract, max, min, max.Type);
            }
            case "max" or "min":
                return Add(a.Name, [value], none);
            case "mode":
                return Add("mode", [value, r.Column(r.Time)], none);
            case "first" or "last":
                return Add(a.Name == "first" ? "selector_first" : "selector_last", [value, r.Column(r.Time)], none with { Parameter = "value" });
            default:
                throw Error($"{a.Name}() cannot be combined with other functions");
        }
    }
}
