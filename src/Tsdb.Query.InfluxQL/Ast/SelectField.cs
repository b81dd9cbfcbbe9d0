namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>One item of the field list, with its <c>AS</c> alias.</summary>
public sealed class SelectField(InfluxQLExpr expr, string? alias) : InfluxQLNode
{
    public InfluxQLExpr Expr { get; } = expr;

    public string? Alias { get; } = alias;
}
