namespace Tsdb.Query.Sql;

/// <summary>The kinds of frame bound, in the order they lie around the current row.</summary>
public enum WindowFrameBoundKind
{
    UnboundedPreceding,
    Preceding,
    CurrentRow,
    Following,
    UnboundedFollowing,
}
