namespace Tsdb.Query.Expressions;

/// <summary>Where an expression was written (1-based line and column), so run-time errors point at it.</summary>
public readonly record struct SourceLocation(int Line, int Column);
