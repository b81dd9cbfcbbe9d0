using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// A join: left columns then right columns (semi and anti joins: left columns only). <see cref="On"/> are equality
/// pairs (left expression over the left input, right over the right); <see cref="Filter"/> is the rest of the
/// condition, over the joined columns.
/// </summary>
public sealed class JoinPlan(LogicalPlan left, LogicalPlan right, JoinType type, IReadOnlyList<(Expr Left, Expr Right)> on, Expr? filter, bool nullAwareAnti = false) : LogicalPlan
{
    public LogicalPlan Left { get; } = left;

    public LogicalPlan Right { get; } = right;

    public JoinType Type { get; } = type;

    public IReadOnlyList<(Expr Left, Expr Right)> On { get; } = on;

    public Expr? Filter { get; } = filter;

    /// <summary>NOT IN semantics: a NULL on the right side makes every left row unknown (none qualifies).</summary>
    public bool NullAwareAnti { get; } = nullAwareAnti;

    public override Schema Schema { get; } = SchemaOf(left.Schema, right.Schema, type);

    public static Schema SchemaOf(Schema left, Schema right, JoinType type) => type switch
    {
        JoinType.LeftSemi or JoinType.LeftAnti => left,
        _ => new Schema([
            .. left.Fields.Select(f => type is JoinType.Right or JoinType.Full ? new Field(f.Name, f.Type, true) : f),
            .. right.Fields.Select(f => type is JoinType.Left or JoinType.Full ? new Field(f.Name, f.Type, true) : f)]),
    };

    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new JoinPlan(inputs[0], inputs[1], Type, On, Filter, NullAwareAnti);

    public override string Describe() =>
        $"Join: type={Type}"
        + (On.Count == 0 ? "" : " on=[" + string.Join(", ", On.Select(p => $"{p.Left} = {p.Right}")) + "]")
        + (Filter is null ? "" : $" filter={Filter}");
}
