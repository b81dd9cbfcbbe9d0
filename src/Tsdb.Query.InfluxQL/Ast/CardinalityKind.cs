namespace Tsdb.Query.InfluxQL.Ast;

public enum CardinalityKind
{
    Series,
    Measurement,
    TagKey,
    TagValue,
    FieldKey,
}
