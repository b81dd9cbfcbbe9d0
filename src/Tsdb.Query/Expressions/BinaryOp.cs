namespace Tsdb.Query.Expressions;

/// <summary>The binary operators of bound expressions.</summary>
public enum BinaryOp
{
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Concat,
}
