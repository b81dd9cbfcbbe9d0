namespace Tsdb.Query.Sql;

public enum JoinKind
{
    Inner,
    Left,
    Right,
    Full,
    Cross,
}
