using System.Globalization;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Functions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Sql;

/// <summary>
/// Gap filling as IOx plans it: <c>date_bin_gapfill(interval, time[, origin])</c> as a GROUP BY key is grouped as
/// date_bin, and a <see cref="GapFillPlan"/> above the aggregate makes the bins the WHERE time range holds for each
/// series (the other keys). <c>locf(agg)</c> and <c>interpolate(agg)</c> bind to the aggregate's column and set that
/// column's fill. The rules and messages follow IOx's handle_gap_fill rule.
/// </summary>
internal sealed partial class SqlPlanner
{
    /// <summary>
    /// The gap-filling state of one aggregate query: its date_bin_gapfill key (none: not gap filling) and the fills
    /// the select list asks for. Shared by the bindings of that query only, so subqueries have their own.
    /// </summary>
    internal sealed class GapFillQuery
    {
        /// <summary>The date_bin_gapfill call that is a GROUP BY key, or null.</summary>
        public FunctionCall? Call { get; set; }

        /// <summary>Its position among the group keys.</summary>
        public int Group { get; set; } = -1;

        /// <summary>The number of group keys: the aggregate columns come after them.</summary>
        public int GroupCount { get; set; }

        /// <summary>The strategy asked for each aggregate column (by its position in the aggregate's output).</summary>
        public Dictionary<int, GapFillStrategy> Fills { get; } = [];

        /// <summary>The plan above the aggregate, made before the select list is bound; its fills are set after.</summary>
        public GapFillPlan? Plan { get; set; }
    }

    private static bool IsGapFillFunction(FunctionCall call) =>
        call.Name.Value.ToLowerInvariant() is "date_bin_gapfill" or "locf" or "interpolate";

    /// <summary>
    /// A GROUP BY key as resolved (ordinal and alias replaced by the select item): records it when it is a
    /// date_bin_gapfill call; refuses one inside another expression, or a second one.
    /// </summary>
    private void NoteGapFillKey(GapFillQuery gapFill, Expression key, int position)
    {
        if (key is FunctionCall call && call.Name.Value.Equals("date_bin_gapfill", StringComparison.OrdinalIgnoreCase))
        {
            if (gapFill.Call is { } first && SqlPrinter.Print(first) != SqlPrinter.Print(call))
            {
                throw Error(call.Span, "date_bin_gapfill specified more than once");
            }
            if (gapFill.Call is null)
            {
                gapFill.Call = call;
                gapFill.Group = position;
            }
            return;
        }
        var stack = new Stack<Expression>();
        stack.Push(key);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is FunctionCall f && f.Name.Value.Equals("date_bin_gapfill", StringComparison.OrdinalIgnoreCase))
            {
                throw Error(f.Span, "date_bin_gapfill must be a top-level expression in the GROUP BY clause when gap filling: it cannot be part of another expression or cast");
            }
            foreach (var child in Children(next))
            {
                stack.Push(child);
            }
        }
    }

    /// <summary>
    /// date_bin_gapfill binds as date_bin where gap filling is planned (the GROUP BY key, and the select list that
    /// names it again); locf/interpolate bind to the aggregate column they wrap, after aggregation only.
    /// </summary>
    private Expr BindGapFillFunction(FunctionCall call, Binding binding)
    {
        var name = call.Name.Value.ToLowerInvariant();
        var gapFill = binding.GapFill is { Call: not null } g ? g : null;
        if (name == "date_bin_gapfill")
        {
            if (gapFill is null)
            {
                throw Error(call.Span, "date_bin_gapfill may only be used as a GROUP BY expression");
            }
            if (call.Arguments.Count is not (2 or 3))
            {
                throw Error(call.Span, $"date_bin_gapfill expects 2 or 3 arguments, got {call.Arguments.Count}");
            }
            try
            {
                return BindFunction(call with { Name = call.Name with { Value = "date_bin" } }, binding);
            }
            catch (QueryException ex) when (ex.Line is { } line && ex.Column is { } at)
            {
                // date_bin's checks name date_bin; the query says date_bin_gapfill.
                throw new QueryException(ex.Detail.Replace("date_bin", "date_bin_gapfill", StringComparison.Ordinal), line, at);
            }
        }
        if (gapFill is null || binding.Replace is null)
        {
            throw Error(call.Span, $"{name} may only be used in the SELECT list of a gap-filling query");
        }
        if (call.Arguments.Count != 1 || call.Star || call.Distinct || call.OrderBy.Count > 0 || call.Filter is not null)
        {
            throw Error(call.Span, $"{name} takes one argument: an aggregate, as in {name}(avg(usage))");
        }
        var argument = Bind(call.Arguments[0], binding);
        if (argument is not ColumnExpr column || column.Index < gapFill.GroupCount)
        {
            throw Error(call.Span, $"{name} must be called on an aggregate column in a gap-filling query");
        }
        var strategy = name == "locf" ? GapFillStrategy.Locf : GapFillStrategy.Interpolate;
        if (strategy == GapFillStrategy.Interpolate && column.Type.Id is not (ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Float64))
        {
            throw Error(call.Span, $"interpolate needs a numeric aggregate (integer or float), not {Describe(column.Type)}");
        }
        if (gapFill.Fills.TryGetValue(column.Index, out var before) && before != strategy)
        {
            throw Error(call.Span, $"multiple fill strategies for the same column: {column.Name} is already filled with {(before == GapFillStrategy.Locf ? "locf" : "interpolate")}");
        }
        gapFill.Fills[column.Index] = strategy;
        return new ColumnExpr(column.Index, column.Name, column.Type) { Location = Locate(call.Span) };
    }

    /// <summary>
    /// The gap-filling node above <paramref name="aggregate"/>: the bins from the WHERE time range (found below
    /// <paramref name="input"/>, the aggregate's input), the other keys as series; aggregates are null in made rows
    /// except count, which is 0 (IOx fills an aggregate that never returns null with its value on no rows).
    /// </summary>
    private GapFillPlan PlanGapFill(GapFillQuery gapFill, AggregatePlan aggregate, LogicalPlan input)
    {
        var call = gapFill.Call!;
        gapFill.GroupCount = aggregate.Groups.Count;
        // A key equal to an earlier one is dropped while grouping: date_bin_gapfill must then still be where it was noted.
        if (gapFill.Group >= aggregate.Groups.Count || aggregate.Groups[gapFill.Group] is not ScalarFunctionExpr { Function.Name: "date_bin" } key)
        {
            throw Error(call.Span, "date_bin_gapfill must be the only GROUP BY key of its bins (do not group by the same date_bin as well)");
        }
        if (key.Arguments[0] is not LiteralExpr stride)
        {
            throw Error(call.Arguments[0].Span, "stride argument to date_bin_gapfill for gap fill query must evaluate to a scalar");
        }
        if (key.Arguments[1] is not ColumnExpr time)
        {
            throw Error(call.Arguments[1].Span, "date_bin_gapfill requires a column as the source argument");
        }
        if (key.Arguments.Count == 3 && key.Arguments[2] is not LiteralExpr)
        {
            throw Error(call.Arguments[2].Span, "origin argument to date_bin_gapfill for gap fill query must evaluate to a scalar");
        }
        var strideNanos = stride.Value switch
        {
            IntervalScalar iv => iv.Nanos,
            string s when IntervalText.TryParse(s, out var ns, out _) => ns,
            _ => throw Error(call.Arguments[0].Span, "the interval of date_bin_gapfill must be an INTERVAL or an interval string such as '1 minute'"),
        };
        if (strideNanos <= 0)
        {
            throw Error(call.Arguments[0].Span, "the interval of date_bin_gapfill must be positive");
        }

        var (from, to) = GapFillRange(input, time.Index);
        if (from is null || to is null)
        {
            var missing = from is null && to is null ? "both upper and lower time bounds" : from is null ? "lower time bound" : "upper time bound";
            throw Error(call.Span, $"gap-filling query is missing {missing}: the WHERE clause must bound {time.Name} from both sides (as {time.Name} >= … AND {time.Name} < …) with constants");
        }
        var firstBin = Bin(key, from.Value, call);
        var lastBin = Bin(key, to.Value, call);
        var bins = GapFillPlan.BinCount(firstBin, lastBin, strideNanos);
        if (bins > GapFillPlan.MaxBinsPerSeries)
        {
            throw Error(call.Span, string.Create(CultureInfo.InvariantCulture,
                $"gap filling would make {bins} rows per series, more than the {GapFillPlan.MaxBinsPerSeries} allowed: narrow the time range or widen the interval"));
        }

        var series = new List<int>();
        for (var g = 0; g < aggregate.Groups.Count; g++)
        {
            if (g != gapFill.Group)
            {
                series.Add(g);
            }
        }
        var plan = new GapFillPlan(aggregate, gapFill.Group, series, DefaultFills(aggregate, []), firstBin, lastBin, strideNanos);
        gapFill.Plan = plan;
        return plan;
    }

    /// <summary>The fill of every aggregate column: what locf/interpolate asked for, else count's 0 or null.</summary>
    private static List<GapFillColumn> DefaultFills(AggregatePlan aggregate, Dictionary<int, GapFillStrategy> asked)
    {
        var fills = new List<GapFillColumn>();
        for (var a = 0; a < aggregate.Aggregates.Count; a++)
        {
            var column = aggregate.Groups.Count + a;
            if (asked.TryGetValue(column, out var strategy))
            {
                fills.Add(new GapFillColumn(column, strategy));
            }
            else if (aggregate.Aggregates[a].Function.Name == "count" && aggregate.Aggregates[a].Type.Id == ArrowTypeId.Int64)
            {
                fills.Add(new GapFillColumn(column, GapFillStrategy.Default, 0L));
            }
            else
            {
                fills.Add(new GapFillColumn(column, GapFillStrategy.Null));
            }
        }
        return fills;
    }

    /// <summary>The plan with the gap-filling node's fills set from what the select list asked for (no change without gap filling).</summary>
    private static LogicalPlan FinishGapFill(LogicalPlan plan, Binding binding)
    {
        if (binding.GapFill?.Plan is not { } placeholder || binding.GapFill.Fills.Count == 0)
        {
            return plan;
        }
        var aggregate = (AggregatePlan)placeholder.Input;
        var filled = new GapFillPlan(aggregate, placeholder.Time, placeholder.Series, DefaultFills(aggregate, binding.GapFill.Fills),
            placeholder.FirstBin, placeholder.LastBin, placeholder.Stride);
        return plan.Transform(node => ReferenceEquals(node, placeholder) ? filled : null);
    }

    /// <summary>The bin of <paramref name="nanos"/>: the bound date_bin key evaluated on that one time (same origin, same rules).</summary>
    private long Bin(ScalarFunctionExpr key, long nanos, FunctionCall at)
    {
        var arguments = key.Arguments.ToArray();
        arguments[1] = new LiteralExpr(new TimestampScalar(nanos));
        var value = new ScalarFunctionExpr(key.Function, arguments, key.Type) { Location = Locate(at.Span) }.Evaluate(OneRow, _eval);
        return value.IsScalar && value.Scalar is TimestampScalar t
            ? t.Nanos
            : throw Error(at.Span, "date_bin_gapfill: the bins of the time range could not be computed");
    }

    /// <summary>
    /// The inclusive time range the filters below <paramref name="plan"/> put on its column <paramref name="time"/>,
    /// followed down through nodes that keep the column's values (projections that pass it on, sorts, limits, the
    /// side of a join it comes from); the tightest bound of each side wins.
    /// </summary>
    private static (long? From, long? To) GapFillRange(LogicalPlan plan, int time)
    {
        long? from = null;
        long? to = null;
        void Add(Expr? filter, int column)
        {
            var (f, t) = TimeBounds.Of(filter, e => e is ColumnExpr c && c.Index == column);
            from = f is { } fv && (from is null || fv > from) ? fv : from;
            to = t is { } tv && (to is null || tv < to) ? tv : to;
        }
        while (true)
        {
            switch (plan)
            {
                case FilterPlan f:
                    Add(f.Predicate, time);
                    plan = f.Input;
                    break;
                case ScanPlan s:
                    Add(s.Filter, time);
                    return (from, to);
                case ProjectionPlan p when p.Exprs[time] is ColumnExpr c:
                    time = c.Index;
                    plan = p.Input;
                    break;
                case SortPlan or LimitPlan or DistinctOnPlan or SingleRowPlan:
                    plan = plan.Inputs[0];
                    break;
                case JoinPlan j when time < j.Left.Schema.FieldCount && j.Type is not (JoinType.Right or JoinType.Full):
                    plan = j.Left;
                    break;
                case JoinPlan j when time >= j.Left.Schema.FieldCount && j.Type is JoinType.Inner or JoinType.Cross or JoinType.Right:
                    time -= j.Left.Schema.FieldCount;
                    plan = j.Right;
                    break;
                default:
                    return (from, to);
            }
        }
    }
}
