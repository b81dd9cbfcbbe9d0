using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>The query text, to turn AST spans into "line L, column C" in errors.</summary>
internal sealed class QueryText(string sql)
{
    public QueryException Error(TextSpan span, string detail)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < span.Start && i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new QueryException(detail, line, column);
    }
}
