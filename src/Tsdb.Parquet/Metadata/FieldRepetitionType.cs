namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>FieldRepetitionType</c>.</summary>
public enum FieldRepetitionType
{
    Required = 0,
    Optional = 1,
    Repeated = 2,
}
