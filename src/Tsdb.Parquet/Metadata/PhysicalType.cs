namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>Type</c>. Values read from a file are stored as they are, even when undefined here; the
/// layers that decode data refuse what they do not know.
/// </summary>
public enum PhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}
