namespace Tsdb.Query.Sql;

/// <summary>A decimal or exponent number, or an integer too large for 64 bits.</summary>
public sealed record FloatLiteral(double Value, TextSpan Span) : Expression(Span);
