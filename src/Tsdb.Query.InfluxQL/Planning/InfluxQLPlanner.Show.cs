using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Aggregation;
using Tsdb.Query.Expressions;
using Tsdb.Query.InfluxQL.Ast;
using Tsdb.Query.Plans;
using QBinaryExpr = Tsdb.Query.Expressions.BinaryExpr;
using QBinaryOp = Tsdb.Query.Expressions.BinaryOp;

namespace Tsdb.Query.InfluxQL.Planning;

/// <summary>SHOW statements: plans over the catalog's names, and over the data where a WHERE clause or tag values need it.</summary>
internal sealed partial class InfluxQLPlanner
{
    private static readonly InfluxQLShape ShowShape = new(false, 0);

    private static (LogicalPlan, InfluxQLShape) Values(string?[] seriesNames, params (string Name, ArrowArray Values)[] columns)
    {
        var fields = new List<Field> { new(InfluxQLShape.MeasurementColumn, ArrowType.Utf8, true) };
        fields.AddRange(columns.Select(c => new Field(c.Name, c.Values.Type, true)));
        var schema = new Schema(fields);
        var arrays = new List<ArrowArray> { Columns.FromStrings(seriesNames) };
        arrays.AddRange(columns.Select(c => c.Values));
        var batch = new RecordBatch(schema, arrays, seriesNames.Length);
        return (new ValuesPlan(schema, seriesNames.Length == 0 ? [] : [batch], "SHOW"), ShowShape);
    }

    private void RequireDatabase(string db)
    {
        if (!source.Databases().Contains(db, StringComparer.Ordinal))
        {
            throw Error($"database not found: {db}");
        }
    }

    private (LogicalPlan, InfluxQLShape) ShowDatabases()
    {
        var names = source.Databases().Where(d => mayRead is null || mayRead(d)).Order(StringComparer.Ordinal).ToArray();
        return Values([.. names.Select(_ => (string?)"databases")], ("name", Columns.FromStrings(names)));
    }

    private (LogicalPlan, InfluxQLShape) ShowRetentionPolicies(ShowRetentionPoliciesStatement s)
    {
        var db = Db(s.Database);
        RequireDatabase(db);
        // One policy, as InfluxDB 3 reports its databases to 1.x clients: autogen, keep for ever, the default.
        return Values([null],
            ("name", Columns.FromStrings(["autogen"])),
            ("duration", Columns.FromStrings(["0s"])),
            ("shardGroupDuration", Columns.FromStrings(["168h0m0s"])),
            ("replicaN", Columns.Constant(1L, 1)),
            ("default", Columns.Constant(true, 1)));
    }

    private static LogicalPlan Limited(LogicalPlan plan, long? limit, long? offset) =>
        limit is null && (offset ?? 0) == 0 ? plan : new LimitPlan(plan, offset ?? 0, limit);

    private List<Relation> ShowRelations(string db, IReadOnlyList<Source> sources)
    {
        RequireDatabase(db);
        if (sources.Count == 0)
        {
            return [.. source.Tables(db).Order(StringComparer.Ordinal).Select(t => source.GetSchema(db, t) is { } schema ? Relation.ForTable(db, t, schema) : null).OfType<Relation>()];
        }
        var withDb = sources.Select(s => s is MeasurementSource m && m.Database is null ? new MeasurementSource { Database = db, Name = m.Name, Regex = m.Regex, Position = m.Position } : s).ToList();
        return [.. Relations(withDb).OrderBy(r => ((LiteralExpr)r.Measurement).Value as string, StringComparer.Ordinal)];
    }

    /// <summary>Rows of the relation that match a SHOW statement's WHERE (tags and fields; time too).</summary>
    private LogicalPlan ShowFiltered(Relation r, InfluxQLExpr? condition, params Expr[] more)
    {
        var (from, to, rest) = SplitTime(condition);
        return Filtered(new SelectQuery { Statement = null!, Fields = [], Tags = [], From = from, To = to, Condition = rest }, r, more);
    }

    private (LogicalPlan, InfluxQLShape) ShowMeasurements(ShowMeasurementsStatement s)
    {
        var db = Db(s.Database);
        // 1.x lists nothing (no error) for a database that does not exist.
        var tables = source.Tables(db).Order(StringComparer.Ordinal).ToList();
        if (s.WithMeasurement is { } with)
        {
            tables = [.. tables.Where(t => with.Op switch
            {
                BinaryOperator.Equal => with.Operand is VarRef v ? t == v.Name : with.Operand is StringLiteral sl && t == sl.Value,
                BinaryOperator.NotEqual => !(with.Operand is VarRef v2 ? t == v2.Name : with.Operand is StringLiteral sl2 && t == sl2.Value),
                BinaryOperator.RegexMatch => with.Operand is RegexLiteral re && Regex(re.Pattern).IsMatch(t),
                _ => with.Operand is RegexLiteral re2 && !Regex(re2.Pattern).IsMatch(t),
            })];
        }
        LogicalPlan plan;
        if (s.Condition is null)
        {
            plan = Values([.. tables.Select(_ => (string?)"measurements")], ("name", Columns.FromStrings([.. tables]))).Item1;
        }
        else
        {
            // A measurement is listed when at least one of its rows matches.
            var parts = new List<LogicalPlan>();
            foreach (var t in tables)
            {
                if (source.GetSchema(db, t) is not { } schema)
                {
                    continue;
                }
                var r = Relation.ForTable(db, t, schema);
                var count = CountRows(ShowFiltered(r, s.Condition));
                parts.Add(new ProjectionPlan(count, [new LiteralExpr("measurements", ArrowType.Utf8), new LiteralExpr(t, ArrowType.Utf8), new ColumnExpr(0, "n", ArrowType.Int64)], [InfluxQLShape.MeasurementColumn, "name", "n"]));
            }
            plan = MatchingNames(parts, ["name"]);
        }
        return (Limited(plan, s.Limit, s.Offset), ShowShape);
    }

    private static AggregatePlan CountRows(LogicalPlan input)
    {
        AggregateFunctions.TryGet("count", out var count);
        return new AggregatePlan(input, [], [], [new AggregateCall(count!, [], AggregateCallOptions.None, null, ArrowType.Int64, "n")]);
    }

    /// <summary>The union of (series name, values…, n) rows, those with n &gt; 0, without n.</summary>
    private static LogicalPlan MatchingNames(List<LogicalPlan> parts, string[] valueNames)
    {
        if (parts.Count == 0)
        {
            var schema = new Schema([new Field(InfluxQLShape.MeasurementColumn, ArrowType.Utf8, true), .. valueNames.Select(n => new Field(n, ArrowType.Utf8, true))]);
            return new ValuesPlan(schema, [], "SHOW");
        }
        var width = valueNames.Length + 2;
        var union = parts.Count == 1 ? parts[0] : new UnionPlan(parts, parts[0].Schema);
        var n = new ColumnExpr(width - 1, "n", ArrowType.Int64);
        var kept = new FilterPlan(union, new QBinaryExpr(QBinaryOp.Greater, n, new LiteralExpr(0L, ArrowType.Int64), ArrowType.Boolean));
        return new ProjectionPlan(kept, [.. Enumerable.Range(0, width - 1).Select(i => (Expr)new ColumnExpr(i, union.Schema[i].Name, ArrowType.Utf8))], [InfluxQLShape.MeasurementColumn, .. valueNames]);
    }

    private (LogicalPlan, InfluxQLShape) ShowTagKeys(ShowTagKeysStatement s)
    {
        var relations = ShowRelations(Db(s.Database), s.Sources);
        var parts = new List<LogicalPlan>();
        foreach (var r in relations)
        {
            var m = (string)((LiteralExpr)r.Measurement).Value!;
            var keys = r.Tags.Keys.Order(StringComparer.Ordinal).ToList();
            if (s.Condition is null)
            {
                parts.AddRange(keys.Select(k => (LogicalPlan)Values([m], ("tagKey", Columns.FromStrings([k])), ("n", Columns.Constant(1L, 1))).Item1));
                continue;
            }
            // With WHERE: the keys that have a value in a matching row.
            AggregateFunctions.TryGet("count", out var count);
            var filtered = ShowFiltered(r, s.Condition);
            var calls = keys.Select(k => new AggregateCall(count!, [r.Column(r.Tags[k])], AggregateCallOptions.None, null, ArrowType.Int64, k)).ToList();
            var agg = new AggregatePlan(filtered, [], [], calls);
            for (var i = 0; i < keys.Count; i++)
            {
                parts.Add(new ProjectionPlan(agg, [new LiteralExpr(m, ArrowType.Utf8), new LiteralExpr(keys[i], ArrowType.Utf8), new ColumnExpr(i, keys[i], ArrowType.Int64)], [InfluxQLShape.MeasurementColumn, "tagKey", "n"]));
            }
        }
        var plan = MatchingNames(parts, ["tagKey"]);
        return (Limited(plan, s.Limit, s.Offset), ShowShape);
    }

    private (LogicalPlan, InfluxQLShape) ShowTagValues(ShowTagValuesStatement s)
    {
        var relations = ShowRelations(Db(s.Database), s.Sources);
        var parts = new List<LogicalPlan>();
        foreach (var r in relations)
        {
            var m = (string)((LiteralExpr)r.Measurement).Value!;
            foreach (var key in MatchingKeys(r.Tags.Keys, s.KeyOperator, s.Keys))
            {
                var tag = r.Column(r.Tags[key]);
                var filtered = ShowFiltered(r, s.Condition, new IsNullExpr(tag, negated: true));
                var distinct = new AggregatePlan(filtered, [new CastExpr(tag, ArrowType.Utf8)], ["value"], []);
                parts.Add(new ProjectionPlan(distinct, [new LiteralExpr(m, ArrowType.Utf8), new LiteralExpr(key, ArrowType.Utf8), new ColumnExpr(0, "value", ArrowType.Utf8)], [InfluxQLShape.MeasurementColumn, "key", "value"]));
            }
        }
        if (parts.Count == 0)
        {
            return Values([], ("key", Columns.FromStrings([])), ("value", Columns.FromStrings([])));
        }
        var union = parts.Count == 1 ? parts[0] : new UnionPlan(parts, parts[0].Schema);
        var sorted = new SortPlan(union, [Key(union, 0, false), Key(union, 1, false), Key(union, 2, false)]);
        return (Limited(sorted, s.Limit, s.Offset), ShowShape);
    }

    private static IEnumerable<string> MatchingKeys(IEnumerable<string> keys, BinaryOperator op, IReadOnlyList<string> operands)
    {
        var sorted = keys.Order(StringComparer.Ordinal);
        return op switch
        {
            BinaryOperator.Equal => sorted.Where(k => operands.Contains(k, StringComparer.Ordinal)),
            BinaryOperator.NotEqual => sorted.Where(k => !operands.Contains(k, StringComparer.Ordinal)),
            BinaryOperator.RegexMatch => sorted.Where(k => Regex(operands[0]).IsMatch(k)),
            _ => sorted.Where(k => !Regex(operands[0]).IsMatch(k)),
        };
    }

    private (LogicalPlan, InfluxQLShape) ShowFieldKeys(ShowFieldKeysStatement s)
    {
        var relations = ShowRelations(Db(s.Database), s.Sources);
        var series = new List<string?>();
        var keys = new List<string?>();
        var types = new List<string?>();
        foreach (var r in relations)
        {
            var m = (string)((LiteralExpr)r.Measurement).Value!;
            foreach (var (name, i) in r.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                series.Add(m);
                keys.Add(name);
                types.Add(TypeName(r.Schema[i].Type));
            }
        }
        var (plan, shape) = Values([.. series], ("fieldKey", Columns.FromStrings([.. keys])), ("fieldType", Columns.FromStrings([.. types])));
        return (Limited(plan, s.Limit, s.Offset), shape);
    }

    /// <summary>Each series as its key, <c>measurement,tag1=v1,tag2=v2</c> (tags in key order), from the data.</summary>
    private LogicalPlan SeriesKeys(string db, IReadOnlyList<Source> sources, InfluxQLExpr? condition, bool named = false)
    {
        var parts = new List<LogicalPlan>();
        foreach (var r in ShowRelations(db, sources))
        {
            var m = (string)((LiteralExpr)r.Measurement).Value!;
            var tags = r.Tags.Keys.Order(StringComparer.Ordinal).ToList();
            var filtered = ShowFiltered(r, condition);
            var groups = tags.Select(t => (Expr)new CastExpr(r.Column(r.Tags[t]), ArrowType.Utf8)).ToList();
            LogicalPlan distinct = groups.Count == 0 ? CountRows(filtered) : new AggregatePlan(filtered, groups, tags, []);
            Expr key = new LiteralExpr(EscapeKey(m, measurement: true), ArrowType.Utf8);
            for (var i = 0; i < tags.Count; i++)
            {
                var value = new ColumnExpr(i, tags[i], ArrowType.Utf8);
                var part = new CaseExpr([(new IsNullExpr(value, negated: false), new LiteralExpr("", ArrowType.Utf8))],
                    new QBinaryExpr(QBinaryOp.Concat, new LiteralExpr($",{EscapeKey(tags[i], false)}=", ArrowType.Utf8), value, ArrowType.Utf8), ArrowType.Utf8);
                key = new QBinaryExpr(QBinaryOp.Concat, key, part, ArrowType.Utf8);
            }
            LogicalPlan rows = groups.Count == 0
                ? new FilterPlan(distinct, new QBinaryExpr(QBinaryOp.Greater, new ColumnExpr(0, "n", ArrowType.Int64), new LiteralExpr(0L, ArrowType.Int64), ArrowType.Boolean))
                : distinct;
            parts.Add(new ProjectionPlan(rows, [new LiteralExpr(named ? m : null, ArrowType.Utf8), key], [InfluxQLShape.MeasurementColumn, "key"]));
        }
        if (parts.Count == 0)
        {
            return Values([], ("key", Columns.FromStrings([]))).Item1;
        }
        var union = parts.Count == 1 ? parts[0] : new UnionPlan(parts, parts[0].Schema);
        return new SortPlan(union, [Key(union, 1, false)]);
    }

    private static string EscapeKey(string s, bool measurement) =>
        measurement ? s.Replace(",", "\\,", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal)
            : s.Replace(",", "\\,", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);

    private (LogicalPlan, InfluxQLShape) ShowSeries(ShowSeriesStatement s) =>
        (Limited(SeriesKeys(Db(s.Database), s.Sources, s.Condition), s.Limit, s.Offset), ShowShape);

    /// <summary>
    /// 1.x's shapes: SERIES and MEASUREMENT without EXACT answer one unnamed "cardinality estimation"; SHOW MEASUREMENT
    /// EXACT CARDINALITY one unnamed "count"; the rest a "count" per measurement.
    /// </summary>
    private (LogicalPlan, InfluxQLShape) ShowCardinality(ShowCardinalityStatement s)
    {
        var db = Db(s.Database);
        LogicalPlan rows = s.Kind switch
        {
            CardinalityKind.Series => SeriesKeys(db, s.Sources, s.Condition, named: s.Exact),
            CardinalityKind.Measurement => ShowMeasurements(new ShowMeasurementsStatement { Database = db, Condition = s.Condition }).Item1,
            CardinalityKind.TagKey => ShowTagKeys(new ShowTagKeysStatement { Database = db, Sources = s.Sources, Condition = s.Condition }).Item1,
            CardinalityKind.FieldKey => ShowFieldKeys(new ShowFieldKeysStatement { Database = db, Sources = s.Sources }).Item1,
            _ => ShowTagValues(new ShowTagValuesStatement { Database = db, Sources = s.Sources, Condition = s.Condition, KeyOperator = s.KeyOperator ?? BinaryOperator.RegexMatch, Keys = s.Keys.Count > 0 ? s.Keys : [""] }).Item1,
        };
        var total = s.Kind is CardinalityKind.Measurement || (s.Kind == CardinalityKind.Series && !s.Exact);
        var column = total && !s.Exact ? "cardinality estimation" : "count";
        if (total)
        {
            var all = CountRows(rows);
            return (new ProjectionPlan(all, [new LiteralExpr(null, ArrowType.Utf8), new ColumnExpr(0, "n", ArrowType.Int64)], [InfluxQLShape.MeasurementColumn, column]), ShowShape);
        }
        AggregateFunctions.TryGet("count", out var count);
        var perMeasurement = new AggregatePlan(rows, [new ColumnExpr(0, rows.Schema[0].Name, ArrowType.Utf8)], ["m"],
            [new AggregateCall(count!, [], AggregateCallOptions.None, null, ArrowType.Int64, "n")]);
        var sorted = new SortPlan(perMeasurement, [Key(perMeasurement, 0, false)]);
        return (new ProjectionPlan(sorted, [new ColumnExpr(0, "m", ArrowType.Utf8), new ColumnExpr(1, "n", ArrowType.Int64)], [InfluxQLShape.MeasurementColumn, column]), ShowShape);
    }
}
