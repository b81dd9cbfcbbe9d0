namespace Tsdb.PromQL.Ast;

/// <summary>The four PromQL value types, named as Prometheus names them in messages.</summary>
internal enum ExprType
{
    Scalar,
    String,
    Vector,
    Matrix,
}
