namespace Tsdb.Query.InfluxQL.Ast;

public sealed class ShowDatabasesStatement : Statement;
