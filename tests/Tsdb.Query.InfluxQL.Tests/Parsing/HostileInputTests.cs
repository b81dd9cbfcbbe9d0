using System.Text;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>Deep nesting and huge inputs are refused with <see cref="InfluxQLParseException"/>, never a stack overflow.</summary>
public sealed class HostileInputTests
{
    /// <summary>Runs on a thread with a 1 MiB stack (the default for new threads), so a recursion bug shows here.</summary>
    private static void OnSmallStack(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            1 << 20);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure;
        }
    }

    private static string Parens(int depth) =>
        "SELECT a FROM m WHERE " + new string('(', depth) + "a = 1" + new string(')', depth);

    [Fact]
    public void ModerateNestingParses() =>
        Assert.IsType<ParenExpr>(Assert.IsType<SelectStatement>(InfluxQLParser.ParseStatement(Parens(150))).Condition);

    [Theory]
    [InlineData(250)]
    [InlineData(100_000)]
    public void DeepParenthesesAreRefused(int depth) => OnSmallStack(() =>
    {
        var e = Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement(Parens(depth)));
        Assert.StartsWith("expression nested too deeply at line 1, char ", e.Message);
    });

    [Fact]
    public void MegabytesOfOpenParenthesesAreRefused() => OnSmallStack(() =>
        Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement("SELECT " + new string('(', 4 << 20))));

    [Fact]
    public void DeepSubqueriesAreRefused() => OnSmallStack(() =>
    {
        var sb = new StringBuilder("SELECT a FROM ");
        for (var i = 0; i < 10_000; i++)
        {
            sb.Append("(SELECT a FROM ");
        }

        var e = Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement(sb.ToString()));
        Assert.StartsWith("expression nested too deeply", e.Message);
    });

    [Fact]
    public void DeepCallsAreRefused() => OnSmallStack(() =>
    {
        var sb = new StringBuilder("SELECT ");
        for (var i = 0; i < 10_000; i++)
        {
            sb.Append("f(");
        }

        Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement(sb.ToString()));
    });

    [Theory]
    [InlineData(" + ")]
    [InlineData(" * ")]
    [InlineData(" = ")]
    [InlineData(" - ")]
    public void LongOperatorChainsAreRefused(string op) => OnSmallStack(() =>
    {
        var query = "SELECT a FROM m WHERE " + string.Join(op, Enumerable.Repeat("x", 100_000));
        Assert.StartsWith("expression nested too deeply", Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement(query)).Message);
    });

    /// <summary>AND/OR chains are length, not nesting (Grafana writes them): 100,000 terms parse and print on a small stack.</summary>
    [Theory]
    [InlineData(" OR ")]
    [InlineData(" AND ")]
    public void LongAndOrChainsParseAndPrint(string op) => OnSmallStack(() =>
    {
        var query = "SELECT count(v) FROM m WHERE " + string.Join(op, Enumerable.Range(0, 100_000).Select(i => $"host = 'h{i}'"));
        var statement = InfluxQLParser.ParseStatement(query);
        Assert.Equal(query, InfluxQLPrinter.Print(statement));
    });

    [Theory]
    [InlineData("SELECT 99999999999999999999999999999999999999999999999999 FROM m")]
    [InlineData("SELECT a FROM m WHERE a > -18446744073709551616")]
    [InlineData("SELECT a FROM m WHERE a > 9999999999999999999999999999w")]
    [InlineData("SELECT a FROM m LIMIT 999999999999999999999999999999 OFFSET 1")]
    public void HugeNumbersAreHandled(string query)
    {
        try
        {
            InfluxQLParser.ParseStatement(query);
        }
        catch (InfluxQLParseException)
        {
        }
    }

    [Fact]
    public void LargeFiniteFloatsParseAndOverflowingOnesAreRefused()
    {
        var big = "1" + new string('0', 300) + ".5";
        Assert.IsType<NumberLiteral>(InfluxQLParser.ParseExpression(big));
        var e = Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseExpression("1" + new string('0', 400) + ".5"));
        Assert.Equal("unable to parse number at line 1, char 1", e.Message);
    }
}
