using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>
/// A bound expression: names resolved to column positions of its input, its type known, functions looked up once.
/// It evaluates over a whole batch at a time. <see cref="ToString"/> is its canonical text (EXPLAIN shows it, and two
/// expressions with the same text compute the same values, which is how GROUP BY keys are matched).
/// </summary>
public abstract class Expr
{
    public abstract ArrowType Type { get; }

    /// <summary>Where the expression was written, for run-time errors (division by zero, a bad cast).</summary>
    public SourceLocation? Location { get; init; }

    public abstract IReadOnlyList<Expr> Children { get; }

    /// <summary>The same node over other children (used by rewrites: constant folding, column remapping).</summary>
    public abstract Expr WithChildren(IReadOnlyList<Expr> children);

    public ColumnarValue Evaluate(RecordBatch batch, EvalContext context)
    {
        try
        {
            return EvaluateCore(batch, context);
        }
        catch (QueryException ex) when (ex.Line is null && Location is { } at)
        {
            throw new QueryException(ex.Detail, at.Line, at.Column);
        }
        catch (Functions.FunctionException ex) when (Location is { } at)
        {
            throw new QueryException(ex.Message, at.Line, at.Column);
        }
        catch (Functions.FunctionException ex)
        {
            throw new QueryException(ex.Message);
        }
    }

    /// <summary>Evaluates to a boolean mask (a NULL constant gives all-null).</summary>
    public BooleanArray EvaluateMask(RecordBatch batch, EvalContext context)
    {
        var value = Evaluate(batch, context);
        var array = value.ToArray(batch.Length);
        return array as BooleanArray ?? (BooleanArray)Columns.NullOf(ArrowType.Boolean, batch.Length);
    }

    protected abstract ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context);

    /// <summary>Whether no column is read (a constant, or a function of constants).</summary>
    public virtual bool IsConstant
    {
        get
        {
            foreach (var c in Children)
            {
                if (!c.IsConstant)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Rewrites bottom-up: <paramref name="rewrite"/> sees each node after its children were rewritten; null keeps it.</summary>
    public Expr Transform(Func<Expr, Expr?> rewrite)
    {
        var children = Children;
        Expr node = this;
        if (children.Count > 0)
        {
            Expr[]? changed = null;
            for (var i = 0; i < children.Count; i++)
            {
                var c = children[i].Transform(rewrite);
                if (!ReferenceEquals(c, children[i]))
                {
                    changed ??= [.. children];
                    changed[i] = c;
                }
            }
            if (changed is not null)
            {
                node = WithChildren(changed);
            }
        }
        return rewrite(node) ?? node;
    }

    /// <summary>Visits every node, parents first.</summary>
    public IEnumerable<Expr> Walk()
    {
        // One stack rather than an iterator per level: planning walks expressions many times per query.
        var pending = new Stack<Expr>();
        pending.Push(this);
        while (pending.TryPop(out var e))
        {
            yield return e;
            var children = e.Children;
            for (var i = children.Count - 1; i >= 0; i--)
            {
                pending.Push(children[i]);
            }
        }
    }

    public abstract override string ToString();
}
