namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>The <c>::type</c> cast written after a reference (<c>usage::field</c>, <c>host::tag</c>, <c>x::integer</c>); <see cref="Unknown"/> without one.</summary>
public enum VarRefType
{
    Unknown,
    Field,
    Tag,
    Float,
    Integer,
    Unsigned,
    String,
    Boolean,
}
