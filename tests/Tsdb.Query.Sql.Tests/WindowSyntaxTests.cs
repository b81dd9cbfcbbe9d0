namespace Tsdb.Query.Sql.Tests;

public sealed class WindowSyntaxTests
{
    [Theory]
    [InlineData("SELECT row_number() OVER ()", "SELECT row_number() OVER ()")]
    [InlineData("select rank() over (partition by host order by time desc nulls last) from cpu",
        "SELECT rank() OVER (PARTITION BY host ORDER BY time DESC NULLS LAST) FROM cpu")]
    [InlineData("SELECT lag(x, 2, 0) OVER (PARTITION BY a, b ORDER BY t) AS prev FROM t",
        "SELECT lag(x, 2, 0) OVER (PARTITION BY a, b ORDER BY t) AS prev FROM t")]
    [InlineData("SELECT avg(x) OVER (ORDER BY t ROWS 4 PRECEDING) FROM t",
        "SELECT avg(x) OVER (ORDER BY t ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) FROM t")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t rows between unbounded preceding and current row) FROM t",
        "SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t")]
    [InlineData("SELECT sum(x) OVER (RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t",
        "SELECT sum(x) OVER (RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t")]
    [InlineData("SELECT count(*) FILTER (WHERE x > 1) OVER (PARTITION BY h) FROM t",
        "SELECT count(*) FILTER (WHERE x > 1) OVER (PARTITION BY h) FROM t")]
    [InlineData("SELECT sum(count(*)) OVER (ORDER BY h) FROM t GROUP BY h",
        "SELECT sum(count(*)) OVER (ORDER BY h) FROM t GROUP BY h")]
    [InlineData("SELECT x - lag(x) OVER (ORDER BY t), first_value(x) OVER w2 FROM t", null)]
    public void PrintsCanonicalForm(string sql, string? expected)
    {
        if (expected is null)
        {
            Assert.Throws<SqlParseException>(() => SqlParser.Parse(sql));
            return;
        }
        var printed = SqlPrinter.Print(SqlParser.Parse(sql));
        Assert.Equal(expected, printed);
        Assert.Equal(printed, SqlPrinter.Print(SqlParser.Parse(printed)));
    }

    [Fact]
    public void ParsesTheWindowParts()
    {
        var e = SqlParser.ParseExpression("sum(x) OVER (PARTITION BY h ORDER BY t ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING)");
        var call = Assert.IsType<FunctionCall>(e);
        var over = Assert.IsType<WindowSpec>(call.Over);
        Assert.Single(over.PartitionBy);
        Assert.Single(over.OrderBy);
        var frame = Assert.IsType<WindowFrame>(over.Frame);
        Assert.Equal(WindowFrameUnits.Rows, frame.Units);
        Assert.Equal(WindowFrameBoundKind.Preceding, frame.Start.Kind);
        Assert.Equal(3, Assert.IsType<IntegerLiteral>(frame.Start.Offset).Value);
        Assert.Equal(WindowFrameBoundKind.Following, frame.End.Kind);
        // The call's span covers the OVER clause.
        Assert.Equal(0, call.Span.Start);
        Assert.Equal(e.Span.Length, "sum(x) OVER (PARTITION BY h ORDER BY t ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING)".Length);
    }

    [Fact]
    public void WindowWordsStayUsableAsNames()
    {
        var printed = SqlPrinter.Print(SqlParser.Parse("SELECT partition, rows, range, row, current, unbounded, preceding, following, groups FROM t"));
        Assert.Equal("SELECT partition, rows, range, row, current, unbounded, preceding, following, groups FROM t", printed);
    }

    [Theory]
    [InlineData("SELECT sum(x) OVER w FROM t", "line 1, column 20: expected '(' (named windows are not supported), found 'w'")]
    [InlineData("SELECT sum(x) OVER (PARTITION x) FROM t", "line 1, column 31: expected BY, found 'x'")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN 1 AND CURRENT ROW) FROM t", "line 1, column 47: expected PRECEDING or FOLLOWING, found 'AND'")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED AND CURRENT ROW) FROM t", "line 1, column 55: expected PRECEDING or FOLLOWING, found 'AND'")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM t", "line 1, column 45: a window frame cannot start at UNBOUNDED FOLLOWING")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING) FROM t", "line 1, column 61: a window frame cannot end at UNBOUNDED PRECEDING")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM t", "line 1, column 61: a window frame cannot end before it starts")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t ROWS 1 FOLLOWING) FROM t", "line 1, column 37: a window frame without BETWEEN must start at or before the current row")]
    [InlineData("SELECT sum(x) OVER (ORDER BY t x) FROM t", "line 1, column 32: expected ROWS, RANGE or ')', found 'x'")]
    [InlineData("SELECT sum(x) OVER (ROWS CURRENT ROW x) FROM t", "line 1, column 38: expected ')', found 'x'")]
    [InlineData("SELECT sum(x) OVER (x) FROM t", "line 1, column 21: expected PARTITION BY, ORDER BY, ROWS, RANGE or ')', found 'x'")]
    public void ReportsPositionedErrors(string sql, string expected)
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse(sql));
        Assert.Equal(expected, e.Message);
    }
}
