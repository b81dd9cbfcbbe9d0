namespace Tsdb.Query.Sql;

public enum BinaryOperator
{
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    RegexMatch,
    RegexNotMatch,
    RegexIMatch,
    RegexNotIMatch,
    Concat,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}
