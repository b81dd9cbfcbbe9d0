namespace Tsdb.Parquet.Metadata;

/// <summary>The member of parquet.thrift's <c>ColumnOrder</c> union; any member but TYPE_ORDER reads as <see cref="Other"/>.</summary>
public enum ColumnOrderKind
{
    Other = 0,
    TypeDefinedOrder = 1,
}
