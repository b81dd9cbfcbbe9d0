namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A field, tag or <c>time</c> reference (identifier or double-quoted), with its optional <c>::type</c>.</summary>
public sealed class VarRef(string name, VarRefType type = VarRefType.Unknown) : InfluxQLExpr
{
    public string Name { get; } = name;

    public VarRefType Type { get; } = type;
}
