namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>*</c>, <c>*::field</c> or <c>*::tag</c>.</summary>
public enum WildcardType
{
    All,
    Field,
    Tag,
}
