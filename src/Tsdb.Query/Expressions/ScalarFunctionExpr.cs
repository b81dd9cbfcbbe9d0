using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Expressions;

/// <summary>A call of a registry function, bound once (its result type known).</summary>
public sealed class ScalarFunctionExpr(ScalarFunction function, IReadOnlyList<Expr> arguments, ArrowType type) : Expr
{
    public ScalarFunction Function { get; } = function;

    public IReadOnlyList<Expr> Arguments { get; } = arguments;

    public override ArrowType Type { get; } = type;

    public override IReadOnlyList<Expr> Children => Arguments;

    public override bool IsConstant => !Function.IsVolatile && base.IsConstant;

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new ScalarFunctionExpr(Function, children, Type) { Location = Location };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var values = new ColumnarValue[Arguments.Count];
        var types = new ArrowType[Arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Arguments[i].Evaluate(batch, context);
            types[i] = Arguments[i].Type;
        }
        return Function.Invoke(new FunctionArguments(values, types, batch.Length, context.NowNanos));
    }

    public override string ToString() => $"{Function.Name}({string.Join(", ", Arguments)})";
}
