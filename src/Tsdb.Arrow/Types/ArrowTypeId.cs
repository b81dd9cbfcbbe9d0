namespace Tsdb.Arrow.Types;

/// <summary>The logical types this implementation reads and writes.</summary>
public enum ArrowTypeId
{
    Null,
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    Utf8,
    LargeUtf8,
    Binary,
    LargeBinary,
    Timestamp,
    Dictionary,
}
