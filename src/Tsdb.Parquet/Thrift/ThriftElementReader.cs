namespace Tsdb.Parquet.Thrift;

/// <summary>Reads one collection element; see <see cref="ThriftCompactReader.ReadList{T}"/>.</summary>
internal delegate T ThriftElementReader<out T>(ref ThriftCompactReader reader);
