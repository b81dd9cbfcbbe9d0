namespace Tsdb.Query.Sql;

public enum UnaryOperator
{
    Negate,
    Plus,
    Not,
}
