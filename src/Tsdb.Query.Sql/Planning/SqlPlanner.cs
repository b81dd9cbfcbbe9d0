using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Sql;

/// <summary>
/// Turns a parsed SQL statement into a <see cref="LogicalPlan"/>: names, types and functions are resolved once here
/// (errors carry the position of the expression), never again while the plan runs.
/// </summary>
internal sealed partial class SqlPlanner
{
    private readonly ITableSource _source;
    private readonly MetadataViews _views;
    private readonly string _database;
    private readonly string _sql;
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly EvalContext _eval;
    private readonly Stack<Dictionary<string, (LogicalPlan Plan, string Name)>> _ctes = new();

    public SqlPlanner(ITableSource source, MetadataViews views, string database, string sql, IReadOnlyDictionary<string, object?>? parameters, long nowNanos)
    {
        _source = source;
        _views = views;
        _database = database;
        _sql = sql;
        _parameters = parameters ?? new Dictionary<string, object?>();
        _eval = new EvalContext(nowNanos);
    }

    /// <summary>The plan of a query, SHOW statement or the statement an EXPLAIN wraps.</summary>
    public LogicalPlan PlanStatement(Statement statement) => statement switch
    {
        ShowTablesStatement => _views.ShowTables(_database),
        ShowColumnsStatement show => _views.ShowColumns(_database, show.Table.Parts[^1].Value)
            ?? throw Error(show.Table.Span, $"unknown table '{show.Table.Parts[^1].Value}'"),
        QueryStatement query => PlanQuery(query).Plan,
        _ => throw Error(statement.Span, "this statement is not supported yet"),
    };

    internal QueryException Error(TextSpan span, string detail)
    {
        var at = Locate(span);
        return new QueryException(detail, at.Line, at.Column);
    }

    /// <summary>
    /// Line and column of an offset. Every bound node asks, so the line starts are found once and searched (a
    /// Grafana query with thousands of terms would otherwise rescan its text per node).
    /// </summary>
    internal SourceLocation Locate(TextSpan span)
    {
        if (_lineStarts is null)
        {
            var starts = new List<int> { 0 };
            for (var i = 0; i < _sql.Length; i++)
            {
                if (_sql[i] == '\n')
                {
                    starts.Add(i + 1);
                }
            }
            _lineStarts = [.. starts];
        }
        var offset = Math.Clamp(span.Start, 0, _sql.Length);
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0)
        {
            line = ~line - 1;
        }
        return new SourceLocation(line + 1, offset - _lineStarts[line] + 1);
    }

    private int[]? _lineStarts;

    /// <summary>
    /// The type the plan gives each <c>$</c> parameter it constrains (compared with a column or expression, in an IN list,
    /// BETWEEN, LIMIT or OFFSET): the first constraint met wins. Flight SQL prepared statements report these.
    /// </summary>
    public Dictionary<string, ArrowType> ParameterTypes { get; } = new(StringComparer.Ordinal);

    private void NoteParameter(Expression at, ArrowType type)
    {
        if (at is ParameterExpression p && type.Id != ArrowTypeId.Null)
        {
            ParameterTypes.TryAdd(p.Name, type.Id == ArrowTypeId.Dictionary ? ArrowType.Utf8 : type);
        }
    }

    private object? CountParameter(ParameterExpression p)
    {
        NoteParameter(p, ArrowType.Int64);
        return Parameter(p);
    }

    private object? Parameter(ParameterExpression p) =>
        _parameters.TryGetValue(p.Name, out var value)
            ? value switch { int i => (long)i, float f => (double)f, var v => v }
            : throw Error(p.Span, $"no value given for parameter ${p.Name} (pass it in \"params\")");

    /// <summary>A planned query and the scope its output can be named by.</summary>
    internal sealed record Planned(LogicalPlan Plan, BindScope Scope);

    private Planned PlanQuery(QueryStatement query)
    {
        var with = query switch { SelectStatement s => s.With, UnionAllStatement u => u.With, _ => [] };
        if (with.Count > 0)
        {
            var scope = new Dictionary<string, (LogicalPlan, string)>(StringComparer.Ordinal);
            _ctes.Push(scope);
            foreach (var cte in with)
            {
                var plan = PlanQuery(cte.Query).Plan;
                if (cte.Columns.Count > 0)
                {
                    if (cte.Columns.Count != plan.Schema.FieldCount)
                    {
                        throw Error(cte.Span, $"{cte.Columns.Count} column names given for {plan.Schema.FieldCount} columns");
                    }
                    plan = new ProjectionPlan(plan, [.. plan.Schema.Fields.Select((f, i) => (Expr)new ColumnExpr(i, f.Name, f.Type))], [.. cte.Columns.Select(c => c.Value)]);
                }
                scope[cte.Name.Value] = (plan, cte.Name.Value);
            }
        }
        try
        {
            return query switch
            {
                SelectStatement select => PlanSelect(select),
                UnionAllStatement union => PlanUnion(union),
                _ => throw Error(query.Span, "this query is not supported yet"),
            };
        }
        finally
        {
            if (with.Count > 0)
            {
                _ctes.Pop();
            }
        }
    }

    private Planned PlanUnion(UnionAllStatement union)
    {
        var inputs = new List<LogicalPlan>();
        foreach (var input in union.Inputs)
        {
            var plan = PlanQuery(input).Plan;
            if (inputs.Count > 0 && plan.Schema.FieldCount != inputs[0].Schema.FieldCount)
            {
                throw Error(input.Span, $"each UNION ALL input must have {inputs[0].Schema.FieldCount} columns, this one has {plan.Schema.FieldCount}");
            }
            inputs.Add(plan);
        }
        // One type per column: the type Choose gives for the inputs' types (numbers widen, mixed kinds become strings).
        var first = inputs[0].Schema;
        var types = new ArrowType[first.FieldCount];
        for (var c = 0; c < types.Length; c++)
        {
            var arms = inputs.Select(p => p.Schema[c].Type.Id == ArrowTypeId.Null ? null : Columns.NullOf(p.Schema[c].Type, 0)).ToList();
            types[c] = arms.All(a => a is null) ? ArrowType.Null
                : arms.Where(a => a is not null).Select(a => a!.Type).Distinct().Count() == 1 ? arms.First(a => a is not null)!.Type
                : Columns.Choose(arms, [], 0).Type;
        }
        var schema = new Schema(first.Fields.Select((f, i) => new Field(f.Name, types[i])));
        var aligned = inputs.Select(p => Conform(p, schema)).ToList();
        LogicalPlan result = new UnionPlan(aligned, schema);
        var scope = BindScope.Of(schema, null);
        result = OrderAndLimit(result, scope, union.OrderBy, union.Limit, union.Offset, null);
        return new Planned(result, scope);
    }

    /// <summary>The plan with its columns cast to <paramref name="schema"/>'s types where they differ.</summary>
    private static LogicalPlan Conform(LogicalPlan plan, Schema schema)
    {
        var changed = false;
        var exprs = new Expr[schema.FieldCount];
        for (var i = 0; i < exprs.Length; i++)
        {
            var from = plan.Schema[i].Type;
            Expr column = new ColumnExpr(i, plan.Schema[i].Name, from);
            var target = schema[i].Type;
            if (from != target)
            {
                column = new CastExpr(column, target.Id == ArrowTypeId.Dictionary ? ArrowType.Utf8 : target);
                changed = true;
            }
            exprs[i] = column;
        }
        return changed ? new ProjectionPlan(plan, exprs, [.. schema.Fields.Select(f => f.Name)]) : plan;
    }

    /// <summary>ORDER BY over output columns (names or positions), then OFFSET/LIMIT.</summary>
    private LogicalPlan OrderAndLimit(LogicalPlan plan, BindScope scope, IReadOnlyList<OrderByItem> orderBy, Expression? limit, Expression? offset, Binding? binding)
    {
        var skip = Count(offset, "OFFSET") ?? 0;
        var fetch = Count(limit, "LIMIT");
        if (orderBy.Count > 0)
        {
            var keys = new List<SortExpr>();
            foreach (var o in orderBy)
            {
                Expr key;
                if (o.Expression is IntegerLiteral ordinal)
                {
                    key = ordinal.Value >= 1 && ordinal.Value <= plan.Schema.FieldCount
                        ? new ColumnExpr((int)ordinal.Value - 1, plan.Schema[(int)ordinal.Value - 1].Name, plan.Schema[(int)ordinal.Value - 1].Type)
                        : throw Error(o.Expression.Span, $"ORDER BY position {ordinal.Value} is not in the select list");
                }
                else
                {
                    key = Bind(o.Expression, binding ?? new Binding(scope) { AggregatesNotAllowedIn = "ORDER BY" });
                }
                keys.Add(new SortExpr(key, o.Descending, o.NullsFirst ?? o.Descending));
            }
            plan = new SortPlan(plan, keys, fetch is { } f ? f + skip : null);
        }
        if (skip > 0 || fetch is not null)
        {
            plan = new LimitPlan(plan, skip, fetch);
        }
        return plan;
    }

    private long? Count(Expression? e, string what) => e switch
    {
        null => null,
        IntegerLiteral { Value: >= 0 } i => i.Value,
        ParameterExpression p => CountParameter(p) switch
        {
            long l when l >= 0 => l,
            _ => throw Error(p.Span, $"{what} must be a non-negative integer"),
        },
        _ => throw Error(e.Span, $"{what} must be a non-negative integer"),
    };

    /// <summary>The plan and scope of a FROM item.</summary>
    private Planned PlanFrom(TableSource from)
    {
        switch (from)
        {
            case NamedTableSource named:
            {
                var parts = named.Name.Parts;
                var qualifier = named.Alias?.Value ?? parts[^1].Value;
                if (parts.Count == 1)
                {
                    foreach (var level in _ctes)
                    {
                        if (level.TryGetValue(parts[0].Value, out var cte))
                        {
                            return new Planned(cte.Plan, BindScope.Of(cte.Plan.Schema, qualifier));
                        }
                    }
                    var schema = _source.GetSchema(_database, parts[0].Value) ?? throw Error(named.Name.Span, $"unknown table '{parts[0].Value}'");
                    var scan = new ScanPlan(_database, parts[0].Value, schema, [.. Enumerable.Range(0, schema.FieldCount)]);
                    return new Planned(scan, BindScope.Of(schema, qualifier));
                }
                if (parts.Count == 2 && parts[0].Value.Equals("iox", StringComparison.OrdinalIgnoreCase)
                    && _source.GetSchema(_database, parts[1].Value) is { } ioxSchema)
                {
                    var scan = new ScanPlan(_database, parts[1].Value, ioxSchema, [.. Enumerable.Range(0, ioxSchema.FieldCount)]);
                    return new Planned(scan, BindScope.Of(ioxSchema, qualifier));
                }
                var view = parts.Count == 2 ? _views.View(_database, parts[0].Value, parts[1].Value) : null;
                if (view is null)
                {
                    throw Error(named.Name.Span, $"unknown table '{SqlPrinter.Print(named.Name)}'");
                }
                return new Planned(view, BindScope.Of(view.Schema, qualifier));
            }
            case SubqueryTableSource sub:
            {
                var planned = PlanQuery(sub.Query);
                return new Planned(planned.Plan, BindScope.Of(planned.Plan.Schema, sub.Alias?.Value));
            }
            case JoinTableSource join:
                return PlanJoin(join);
            case PlannedTableSource planned:
                return planned.From;
            default:
                throw Error(from.Span, "this FROM clause is not supported yet");
        }
    }

    private Planned PlanJoin(JoinTableSource join)
    {
        var left = PlanFrom(join.Left);
        var right = PlanFrom(join.Right);
        var scope = BindScope.Concat(left.Scope, right.Scope);
        var type = join.Kind switch
        {
            JoinKind.Inner => JoinType.Inner,
            JoinKind.Left => JoinType.Left,
            JoinKind.Right => JoinType.Right,
            JoinKind.Full => JoinType.Full,
            _ => JoinType.Cross,
        };
        if (join.On is null)
        {
            if (type != JoinType.Cross)
            {
                throw Error(join.Span, "a join needs ON (or use CROSS JOIN)");
            }
            return new Planned(new JoinPlan(left.Plan, right.Plan, JoinType.Cross, [], null), scope);
        }
        var on = Bind(join.On, new Binding(scope) { AggregatesNotAllowedIn = "JOIN ON" });
        RequireBoolean(on, join.On, "ON");
        var (keys, rest) = Predicates.SplitEquiKeys(on, left.Scope.Count);
        if (keys.Count == 0 && type == JoinType.Inner)
        {
            type = JoinType.Cross;
            return new Planned(new FilterPlan(new JoinPlan(left.Plan, right.Plan, JoinType.Cross, [], null), on), scope);
        }
        return new Planned(new JoinPlan(left.Plan, right.Plan, keys.Count == 0 && type == JoinType.Cross ? JoinType.Cross : type, keys, rest), scope);
    }

    internal static RecordBatch EmptyRow => OneRow;
}
