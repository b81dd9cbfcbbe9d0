using System.Text;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>
/// A node of a logical plan: what to compute, with its output schema, independent of the language that asked for it
/// (SQL today, InfluxQL next). The optimizer rewrites it; the physical planner turns it into operators.
/// </summary>
public abstract class LogicalPlan
{
    public abstract Schema Schema { get; }

    public abstract IReadOnlyList<LogicalPlan> Inputs { get; }

    public abstract LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs);

    /// <summary>This node on one line, as EXPLAIN shows it.</summary>
    public abstract string Describe();

    /// <summary>The plan as an indented tree, one node per line.</summary>
    public string Display()
    {
        var sb = new StringBuilder();
        Append(this, 0);
        return sb.ToString().TrimEnd('\n');

        void Append(LogicalPlan plan, int depth)
        {
            sb.Append(' ', depth * 2).Append(plan.Describe()).Append('\n');
            foreach (var input in plan.Inputs)
            {
                Append(input, depth + 1);
            }
        }
    }

    /// <summary>Rewrites bottom-up; <paramref name="rewrite"/> returns null to keep a node.</summary>
    public LogicalPlan Transform(Func<LogicalPlan, LogicalPlan?> rewrite)
    {
        var inputs = Inputs;
        LogicalPlan node = this;
        if (inputs.Count > 0)
        {
            LogicalPlan[]? changed = null;
            for (var i = 0; i < inputs.Count; i++)
            {
                var c = inputs[i].Transform(rewrite);
                if (!ReferenceEquals(c, inputs[i]))
                {
                    changed ??= [.. inputs];
                    changed[i] = c;
                }
            }
            if (changed is not null)
            {
                node = WithInputs(changed);
            }
        }
        return rewrite(node) ?? node;
    }

    public override string ToString() => Display();
}
