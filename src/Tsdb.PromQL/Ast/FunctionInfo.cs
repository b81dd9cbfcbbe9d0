namespace Tsdb.PromQL.Ast;

/// <summary>
/// A function's signature. <see cref="Variadic"/>: 0 = exactly the listed arguments, n &gt; 0 = up to n of the last
/// type may be left out, -1 = the last type repeats any number of times.
/// </summary>
internal sealed record FunctionInfo(string Name, IReadOnlyList<ExprType> ArgTypes, int Variadic, ExprType ReturnType);
