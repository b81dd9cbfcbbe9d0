namespace Tsdb.Parquet.Thrift;

/// <summary>Cached element readers for <see cref="ThriftCompactReader.ReadList{T}"/> lists of scalars.</summary>
internal static class ThriftElementReaders
{
    public static readonly ThriftElementReader<bool> Bool = static (ref ThriftCompactReader reader) => reader.ReadBool();

    public static readonly ThriftElementReader<int> I32 = static (ref ThriftCompactReader reader) => reader.ReadI32();

    public static readonly ThriftElementReader<long> I64 = static (ref ThriftCompactReader reader) => reader.ReadI64();

    public static readonly ThriftElementReader<byte[]> Binary = static (ref ThriftCompactReader reader) => reader.ReadBinary();

    public static readonly ThriftElementReader<string> String = static (ref ThriftCompactReader reader) => reader.ReadString();
}
