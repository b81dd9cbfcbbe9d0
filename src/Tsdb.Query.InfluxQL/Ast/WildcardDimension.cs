namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>GROUP BY *</c>: every tag key.</summary>
public sealed class WildcardDimension : Dimension;
