namespace Tsdb.Parquet.Thrift;

/// <summary>A list or set header: element type and element count (already checked against the bytes left).</summary>
internal readonly record struct ThriftCollectionHeader(ThriftType ElementType, int Count);
