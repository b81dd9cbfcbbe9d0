namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>An item of GROUP BY.</summary>
public abstract class Dimension : InfluxQLNode;
