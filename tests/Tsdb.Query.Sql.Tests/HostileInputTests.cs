using System.Text;

namespace Tsdb.Query.Sql.Tests;

public sealed class HostileInputTests
{
    private static string Nested(int depth) =>
        "SELECT " + new string('(', depth) + "1" + new string(')', depth);

    [Fact]
    public void ModerateNestingParses()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse(Nested(150)));
        Assert.IsType<IntegerLiteral>(((ExpressionSelectItem)s.Projection[0]).Expression);
    }

    [Fact]
    public void DeepNestingIsRefused()
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse(Nested(250)));
        Assert.Equal("expression nested too deeply", e.Detail);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void MegabytesOfOpenParenthesesAreRefused()
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse("SELECT " + new string('(', 4 << 20)));
        Assert.Equal("expression nested too deeply", e.Detail);
    }

    [Fact]
    public void DeepSubqueriesAreRefused()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            sb.Append("SELECT * FROM (");
        }

        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse(sb.ToString()));
        Assert.Equal("expression nested too deeply", e.Detail);
    }

    [Theory]
    [InlineData("SELECT ", "NOT ", "1")]
    [InlineData("SELECT ", "- ", "1")]
    [InlineData("SELECT ", "1 + ", "1")]
    [InlineData("SELECT ", "a || ", "1")]
    [InlineData("SELECT ", "a * ", "1")]
    [InlineData("SELECT ", "a = ", "1")]
    [InlineData("SELECT a", "::int", "")]
    [InlineData("SELECT a", " IS NULL", "")]
    [InlineData("SELECT * FROM a", " JOIN b ON TRUE", "")]
    public void LongOperatorRunsAreRefused(string prefix, string unit, string suffix)
    {
        var sb = new StringBuilder(prefix);
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append(unit);
        }

        sb.Append(suffix);
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse(sb.ToString()));
        Assert.Equal("expression nested too deeply", e.Detail);
    }

    /// <summary>
    /// AND/OR chains are length, not nesting (Grafana's multi-value variables write them): 100,000 terms parse and
    /// print on a 1 MiB thread, while parentheses around them still count.
    /// </summary>
    [Theory]
    [InlineData(" OR ")]
    [InlineData(" AND ")]
    public void LongAndOrChainsParseAndPrintOnASmallStack(string op)
    {
        var sql = "SELECT count(*) FROM t WHERE " + string.Join(op, Enumerable.Range(0, 100_000).Select(i => $"host = 'h{i}'"));
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    var printed = SqlPrinter.Print(SqlParser.Parse(sql));
                    Assert.Equal(sql, printed);
                    var nested = "SELECT " + string.Concat(Enumerable.Repeat("(a" + op, 250)) + "b" + new string(')', 250);
                    var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse(nested));
                    Assert.Equal("expression nested too deeply", e.Detail);
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            maxStackSize: 1 << 20);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }

    [Fact]
    public void ChainsWithinTheLimitParseAndPrint()
    {
        var sql = "SELECT " + string.Join(" + ", Enumerable.Range(0, 150));
        var printed = SqlPrinter.Print(SqlParser.Parse(sql));
        Assert.Equal(sql, printed);
    }

    [Fact]
    public void LongStringsAndIdentifiersAreFine()
    {
        var value = new string('x', 2 << 20);
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse($"SELECT '{value}', \"{value}\""));
        Assert.Equal(value, Assert.IsType<StringLiteral>(((ExpressionSelectItem)s.Projection[0]).Expression).Value);
    }

    [Fact]
    public void LongInListIsNotNesting()
    {
        var sql = "SELECT * FROM cpu WHERE hostname IN (" + string.Join(", ", Enumerable.Range(0, 50_000).Select(i => $"'host_{i}'")) + ")";
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse(sql));
        Assert.Equal(50_000, Assert.IsType<InListExpression>(s.Where).Values.Count);
    }

    [Fact]
    public void UnterminatedLongStringIsAnError()
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse("SELECT '" + new string('y', 1 << 20)));
        Assert.Equal("line 1, column 8: unterminated string literal", e.Message);
    }

    /// <summary>
    /// The guard must trip well before the stack runs out, also on threads smaller than the main one: the most
    /// frame-hungry shapes, just under the limit, parse and print on a 1 MiB thread.
    /// </summary>
    [Theory]
    [InlineData("SELECT ", "(", "1", ")")]
    [InlineData("SELECT ", "(SELECT ", "1", ")")]
    [InlineData("SELECT ", "1 IN (SELECT ", "1", ")")]
    [InlineData("", "SELECT * FROM (", "SELECT 1", ")")]
    [InlineData("SELECT ", "CASE WHEN ", "1", " THEN 1 END")]
    [InlineData("SELECT ", "f(", "1", ")")]
    [InlineData("SELECT ", "sum(", "1", ") OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)")]
    [InlineData("SELECT ", "(a OR b OR ", "c", ")")]
    public void DepthJustUnderTheLimitFitsOnASmallStack(string prefix, string open, string middle, string close)
    {
        Exception? failure = null;
        var deepest = 0;
        var thread = new Thread(
            () =>
            {
                try
                {
                    for (var depth = 1; depth <= SqlParser.MaxDepth + 1; depth++)
                    {
                        var sql = prefix + string.Concat(Enumerable.Repeat(open, depth)) + middle
                            + string.Concat(Enumerable.Repeat(close, depth));
                        try
                        {
                            var printed = SqlPrinter.Print(SqlParser.Parse(sql));
                            Assert.Equal(printed, SqlPrinter.Print(SqlParser.Parse(printed)));
                            deepest = depth;
                        }
                        catch (SqlParseException e) when (e.Detail == "expression nested too deeply")
                        {
                            break;
                        }
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            maxStackSize: 1 << 20);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.InRange(deepest, SqlParser.MaxDepth / 3, SqlParser.MaxDepth);
    }
}
