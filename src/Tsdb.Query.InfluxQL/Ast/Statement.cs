namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>One statement of a query (a query holds several, separated by <c>;</c>).</summary>
public abstract class Statement : InfluxQLNode;
