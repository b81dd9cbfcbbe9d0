namespace Tsdb.Query.Sql;

/// <summary>
/// Base of every AST node. Nodes are immutable; <see cref="Span"/> is where the node came from in the query text.
/// Lists are not compared by value, so compare trees through <see cref="SqlPrinter"/>.
/// </summary>
public abstract record SqlNode(TextSpan Span);
