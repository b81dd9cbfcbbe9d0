namespace Tsdb.PromQL.Ast;

internal static class ExprTypes
{
    public static string Describe(this ExprType type) => type switch
    {
        ExprType.Scalar => "scalar",
        ExprType.String => "string",
        ExprType.Vector => "instant vector",
        _ => "range vector",
    };
}
