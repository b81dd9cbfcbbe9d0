namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>An item of a FROM clause.</summary>
public abstract class Source : InfluxQLNode;
