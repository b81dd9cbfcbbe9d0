namespace Tsdb.Query.Sql;

/// <summary>What a frame's offsets count: rows, distances in the ORDER BY value, or peer groups.</summary>
public enum WindowFrameUnits
{
    Rows,
    Range,
    Groups,
}
