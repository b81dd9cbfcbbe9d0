using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// One window function of a <see cref="WindowPlan"/>: its arguments as expressions over the plan's input (the value;
/// for lag/lead also the default when one was given), the lag/lead <see cref="Offset"/>, the frame (used by the
/// frame functions and aggregates), the result type and the output column's name.
/// </summary>
public sealed class WindowExpr(WindowFunctionKind kind, IReadOnlyList<Expr> arguments, long offset, WindowFrameSpec frame, ArrowType type, string name)
{
    public WindowFunctionKind Kind { get; } = kind;

    public IReadOnlyList<Expr> Arguments { get; } = arguments;

    public long Offset { get; } = offset;

    public WindowFrameSpec Frame { get; } = frame;

    public ArrowType Type { get; } = type;

    public string Name { get; } = name;

    public WindowExpr WithArguments(IReadOnlyList<Expr> arguments) => new(Kind, arguments, Offset, Frame, Type, Name);

    public override string ToString() => Name;
}
