namespace Tsdb.Core.Schema;

/// <summary>
/// What a column of a table is: the time column, a tag (string, part of the series key) or a field of one of five
/// value types. Fixed by a column's first write.
/// </summary>
public enum ColumnKind : byte
{
    Time = 0,
    Tag = 1,
    Float = 2,
    Integer = 3,
    UInteger = 4,
    String = 5,
    Boolean = 6,
}
