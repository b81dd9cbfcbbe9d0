namespace Tsdb.Parquet.Metadata;

/// <summary>
/// The member of parquet.thrift's <c>TimeUnit</c> union; the values are the union's field ids. A member unknown
/// here is kept as its field id.
/// </summary>
public enum TimeUnitKind
{
    Millis = 1,
    Micros = 2,
    Nanos = 3,
}
