namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>SHOW RETENTION POLICIES [ON db]</c>.</summary>
public sealed class ShowRetentionPoliciesStatement : Statement
{
    public string? Database { get; init; }
}
