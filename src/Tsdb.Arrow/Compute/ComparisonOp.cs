namespace Tsdb.Arrow.Compute;

/// <summary>The six SQL comparison operators.</summary>
public enum ComparisonOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}
