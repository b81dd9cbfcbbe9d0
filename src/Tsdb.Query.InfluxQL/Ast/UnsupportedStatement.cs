namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>
/// A statement InfluxQL has and InfluxDB 3 refuses (CREATE/DROP/ALTER/GRANT/REVOKE/KILL/DELETE, SHOW USERS,
/// SHOW CONTINUOUS QUERIES, …), recognised by its leading keywords so the answer can name it. <see cref="Kind"/> is
/// those keywords in upper case, e.g. "CREATE DATABASE", "SHOW CONTINUOUS QUERIES".
/// </summary>
public sealed class UnsupportedStatement(string kind) : Statement
{
    public string Kind { get; } = kind;
}
