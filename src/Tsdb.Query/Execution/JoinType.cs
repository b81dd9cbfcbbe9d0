namespace Tsdb.Query.Execution;

/// <summary>
/// What a join emits. Rows are the left (probe) columns followed by the right (build) columns; an outer side with no
/// match is padded with nulls. <see cref="LeftSemi"/> and <see cref="LeftAnti"/> emit left columns only (EXISTS / IN
/// and NOT EXISTS / NOT IN). <see cref="Cross"/> pairs every row with every row.
/// </summary>
public enum JoinType
{
    Inner,
    Left,
    Right,
    Full,
    LeftSemi,
    LeftAnti,
    Cross,
}
