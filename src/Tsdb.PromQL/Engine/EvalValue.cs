namespace Tsdb.PromQL.Engine;

/// <summary>The value of an expression at one evaluation step.</summary>
internal abstract class EvalValue;
