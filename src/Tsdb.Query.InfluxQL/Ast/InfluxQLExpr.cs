namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>An expression: a field or tag reference, a literal, a function call or an operator.</summary>
public abstract class InfluxQLExpr : InfluxQLNode;
