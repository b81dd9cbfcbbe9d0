namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>BoundaryOrder</c>: how a <see cref="ColumnIndex"/>'s min and max lists are ordered.</summary>
public enum BoundaryOrder
{
    Unordered = 0,
    Ascending = 1,
    Descending = 2,
}
