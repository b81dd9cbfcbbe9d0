using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>Every corpus statement parses, prints, and the printed text parses back to an equal tree and prints the same.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> Statements()
    {
        var data = new TheoryData<string>();
        foreach (var line in Corpus.Valid)
        {
            data.Add(line);
        }

        return data;
    }

    [Fact]
    public void CorpusIsLargeEnough() => Assert.True(Corpus.Valid.Length >= 150, $"{Corpus.Valid.Length} statements");

    [Theory]
    [MemberData(nameof(Statements))]
    public void PrintedFormParsesToTheSameTree(string query)
    {
        var statement = InfluxQLParser.ParseStatement(query);
        var printed = InfluxQLPrinter.Print(statement);
        var reparsed = InfluxQLParser.ParseStatement(printed);
        Assert.Equal(Tree.Show(statement), Tree.Show(reparsed));
        Assert.Equal(printed, InfluxQLPrinter.Print(reparsed));
    }

    [Theory]
    [InlineData("SELECT value FROM cpu", "SELECT value FROM cpu")]
    [InlineData("select MEAN(value) from \"cpu\" where host='a' group by time(60s),host fill(none)",
        "SELECT mean(value) FROM cpu WHERE host = 'a' GROUP BY time(1m), host fill(none)")]
    [InlineData("SELECT \"select\", \"a b\", \"x\\\"y\" FROM \"my.db\"..m", "SELECT \"select\", \"a b\", \"x\\\"y\" FROM \"my.db\"..m")]
    [InlineData("SELECT 'it\\'s\\n' FROM m", "SELECT 'it\\'s\\n' FROM m")]
    [InlineData("SELECT a FROM m WHERE time > now() - 3600s", "SELECT a FROM m WHERE time > now() - 1h")]
    [InlineData("SELECT a FROM m WHERE time > now() - 1h30m", "SELECT a FROM m WHERE time > now() - 90m")]
    [InlineData("SELECT a FROM m WHERE time > now() - 14d", "SELECT a FROM m WHERE time > now() - 2w")]
    [InlineData("SELECT a FROM m WHERE time > now() - 1500ms", "SELECT a FROM m WHERE time > now() - 1500ms")]
    [InlineData("SELECT a FROM m WHERE time > now() - 5µ", "SELECT a FROM m WHERE time > now() - 5u")]
    [InlineData("SELECT a FROM m WHERE time > now() - 0s", "SELECT a FROM m WHERE time > now() - 0s")]
    [InlineData("SELECT a FROM m WHERE host =~ /a\\/b/", "SELECT a FROM m WHERE host =~ /a\\/b/")]
    [InlineData("SELECT a FROM m WHERE host =~ /\\d+\\.x/", "SELECT a FROM m WHERE host =~ /\\d+\\.x/")]
    [InlineData("SELECT 1.0, 1., .5, 100000000000000000000.0, 0.0000001 FROM m", "SELECT 1.0, 1.0, 0.5, 100000000000000000000.0, 0.0000001 FROM m")]
    [InlineData("SELECT DISTINCT host FROM m", "SELECT distinct(host) FROM m")]
    [InlineData("SELECT count(DISTINCT host) FROM m", "SELECT count(distinct(host)) FROM m")]
    [InlineData("SELECT a FROM m ORDER BY time ASC", "SELECT a FROM m")]
    [InlineData("SELECT a FROM m GROUP BY time(1m) fill(null)", "SELECT a FROM m GROUP BY time(1m)")]
    [InlineData("SELECT a FROM m GROUP BY host::tag", "SELECT a FROM m GROUP BY host")]
    [InlineData("SHOW TAG VALUES WITH KEY IN (host)", "SHOW TAG VALUES WITH KEY = host")]
    [InlineData("SELECT +a FROM m", "SELECT a FROM m")]
    [InlineData("SELECT $\"my param\" FROM m", "SELECT $\"my param\" FROM m")]
    [InlineData("SELECT a FROM m INTO", null)]
    public void PrintsCanonicalText(string query, string? expected)
    {
        if (expected is null)
        {
            Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement(query));
            return;
        }

        Assert.Equal(expected, InfluxQLPrinter.Print(InfluxQLParser.ParseStatement(query)));
    }

    [Fact]
    public void HandBuiltTreesGetTheParenthesesTheyNeed()
    {
        var a = new VarRef("a");
        var b = new VarRef("b");
        var c = new VarRef("c");
        Assert.Equal("(a + b) * c", InfluxQLPrinter.Print(new BinaryExpr(BinaryOperator.Multiply, new BinaryExpr(BinaryOperator.Add, a, b), c)));
        Assert.Equal("a - (b - c)", InfluxQLPrinter.Print(new BinaryExpr(BinaryOperator.Subtract, a, new BinaryExpr(BinaryOperator.Subtract, b, c))));
        Assert.Equal("(a OR b) AND c", InfluxQLPrinter.Print(new BinaryExpr(BinaryOperator.And, new BinaryExpr(BinaryOperator.Or, a, b), c)));
        Assert.Equal("a AND b OR c", InfluxQLPrinter.Print(new BinaryExpr(BinaryOperator.Or, new BinaryExpr(BinaryOperator.And, a, b), c)));
        Assert.Equal("-(-a)", InfluxQLPrinter.Print(new UnaryMinusExpr(new UnaryMinusExpr(a))));
    }
}
