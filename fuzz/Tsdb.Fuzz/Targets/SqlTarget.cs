using System.Text;
using Tsdb.Query.Sql;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: the body of <c>/api/v3/query_sql</c> as UTF-8 text through <see cref="SqlParser.Parse"/>, and the
/// scans the endpoints run before it (<see cref="SqlParser.NamesUsed"/>, <see cref="SqlParser.ParametersUsed"/>);
/// a parsed statement is printed with <see cref="SqlPrinter"/>. Only <see cref="SqlParseException"/> may come out.
/// </summary>
internal sealed class SqlTarget : FuzzTarget
{
    public override string Name => "sql";

    public override string Contract => "SqlParser.Parse/NamesUsed/ParametersUsed, SqlPrinter.Print: only SqlParseException";

    public override void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        _ = SqlParser.ParametersUsed(text);
        _ = SqlParser.NamesUsed(text);
        var statement = SqlParser.Parse(text);
        _ = SqlPrinter.Print(statement);
    }

    public override bool IsExpected(Exception exception) => exception is SqlParseException;
}
