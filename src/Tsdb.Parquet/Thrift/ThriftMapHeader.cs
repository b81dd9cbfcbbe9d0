namespace Tsdb.Parquet.Thrift;

/// <summary>
/// A map header. An empty map has no type byte on the wire; its key and value types read as
/// <see cref="ThriftType.Stop"/>.
/// </summary>
internal readonly record struct ThriftMapHeader(ThriftType KeyType, ThriftType ValueType, int Count);
