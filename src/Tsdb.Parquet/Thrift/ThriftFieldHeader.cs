namespace Tsdb.Parquet.Thrift;

/// <summary>
/// A field header as read: the field id, its type and, for bool fields, the value (which the compact protocol stores
/// in the header itself). <see cref="ThriftType.Stop"/> marks the end of the struct.
/// </summary>
internal readonly record struct ThriftFieldHeader(short Id, ThriftType Type, bool BoolValue)
{
    public bool IsStop => Type == ThriftType.Stop;
}
