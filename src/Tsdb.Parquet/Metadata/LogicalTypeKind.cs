namespace Tsdb.Parquet.Metadata;

/// <summary>
/// The member of parquet.thrift's <c>LogicalType</c> union; the values are the union's field ids. Members this code
/// does not know (VARIANT, GEOMETRY, … or future ones) read as <see cref="Other"/>.
/// </summary>
public enum LogicalTypeKind
{
    Other = 0,
    String = 1,
    Map = 2,
    List = 3,
    Enum = 4,
    Decimal = 5,
    Date = 6,
    Time = 7,
    Timestamp = 8,
    Integer = 10,
    Unknown = 11,
    Json = 12,
    Bson = 13,
    Uuid = 14,
    Float16 = 15,
}
