namespace Tsdb.Query.Sql.Tests;

public sealed class StatementTests
{
    [Fact]
    public void TsbsSingleGroupbyShape()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse(Corpus.Valid[0]));
        Assert.Equal(2, s.Projection.Count);
        var first = Assert.IsType<ExpressionSelectItem>(s.Projection[0]);
        Assert.Equal("minute", first.Alias!.Value);
        Assert.Equal("(date_bin() (interval '1 minute') time)", Tree.Show(first.Expression));
        var table = Assert.IsType<NamedTableSource>(s.From);
        Assert.Equal("cpu", Assert.Single(table.Name.Parts).Value);
        Assert.Equal(
            "(And (And (in hostname 'host_1' 'host_2') (GreaterOrEqual time '2016-01-01T00:00:00Z')) (Less time '2016-01-01T01:00:00Z'))",
            Tree.Show(s.Where!));
        Assert.Equal(1, Assert.IsType<IntegerLiteral>(Assert.Single(s.GroupBy)).Value);
        var order = Assert.Single(s.OrderBy);
        Assert.False(order.Descending);
        Assert.Null(order.NullsFirst);
        Assert.Null(s.Limit);
    }

    [Fact]
    public void LastpointDistinctOn()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse("SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC"));
        Assert.False(s.Distinct);
        Assert.Equal("hostname", Tree.Show(Assert.Single(s.DistinctOn!)));
        Assert.IsType<WildcardSelectItem>(Assert.Single(s.Projection));
        Assert.Equal(2, s.OrderBy.Count);
        Assert.True(s.OrderBy[1].Descending);
    }

    [Fact]
    public void QualifiedNamesAndWildcards()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse("SELECT c.*, information_schema.tables.* FROM information_schema.tables c"));
        var w = Assert.IsType<WildcardSelectItem>(s.Projection[0]);
        Assert.Equal("c", Assert.Single(w.Qualifier!.Parts).Value);
        Assert.Equal(2, Assert.IsType<WildcardSelectItem>(s.Projection[1]).Qualifier!.Parts.Count);
        var table = Assert.IsType<NamedTableSource>(s.From);
        Assert.Equal(["information_schema", "tables"], table.Name.Parts.Select(p => p.Value));
        Assert.Equal("c", table.Alias!.Value);
    }

    [Fact]
    public void JoinsAreLeftDeep()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse(
            "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN (SELECT 1 AS x) AS c ON c.x = a.x"));
        var outer = Assert.IsType<JoinTableSource>(s.From);
        Assert.Equal(JoinKind.Left, outer.Kind);
        var sub = Assert.IsType<SubqueryTableSource>(outer.Right);
        Assert.Equal("c", sub.Alias!.Value);
        var inner = Assert.IsType<JoinTableSource>(outer.Left);
        Assert.Equal(JoinKind.Inner, inner.Kind);
        Assert.Equal("(Equal a.x b.x)", Tree.Show(inner.On!));
    }

    [Fact]
    public void UnionAllOwnsOrderAndLimit()
    {
        var u = Assert.IsType<UnionAllStatement>(SqlParser.Parse(
            "WITH t AS (SELECT 1 AS a) SELECT a FROM t UNION ALL SELECT 2 UNION ALL (SELECT 3 LIMIT 1) ORDER BY 1 DESC LIMIT 2"));
        Assert.Single(u.With);
        Assert.Equal(3, u.Inputs.Count);
        Assert.Empty(((SelectStatement)u.Inputs[0]).OrderBy);
        Assert.NotNull(((SelectStatement)u.Inputs[2]).Limit);
        Assert.True(Assert.Single(u.OrderBy).Descending);
        Assert.Equal(2, Assert.IsType<IntegerLiteral>(u.Limit).Value);
    }

    [Fact]
    public void CteWithColumns()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse("WITH x (a, \"B\") AS (SELECT 1, 2) SELECT * FROM x"));
        var cte = Assert.Single(s.With);
        Assert.Equal("x", cte.Name.Value);
        Assert.Equal(["a", "B"], cte.Columns.Select(c => c.Value));
        Assert.True(cte.Columns[1].Quoted);
    }

    [Fact]
    public void ShowAndExplain()
    {
        Assert.IsType<ShowTablesStatement>(SqlParser.Parse("SHOW TABLES"));
        var cols = Assert.IsType<ShowColumnsStatement>(SqlParser.Parse("SHOW COLUMNS FROM \"Cpu\""));
        Assert.Equal("Cpu", Assert.Single(cols.Table.Parts).Value);
        var explain = Assert.IsType<ExplainStatement>(SqlParser.Parse("EXPLAIN ANALYZE SELECT 1"));
        Assert.True(explain.Analyze);
        Assert.False(explain.Verbose);
        Assert.IsType<SelectStatement>(explain.Statement);
    }

    [Fact]
    public void NonReservedKeywordsAreNames()
    {
        var s = Assert.IsType<SelectStatement>(SqlParser.Parse("SELECT first, last, tables, columns asc FROM show ORDER BY first DESC"));
        Assert.Equal(4, s.Projection.Count);
        Assert.Equal("asc", ((ExpressionSelectItem)s.Projection[3]).Alias!.Value);
        Assert.True(Assert.Single(s.OrderBy).Descending);
    }

    [Fact]
    public void ParseQueryRefusesStatementsWithoutRows() =>
        Assert.Throws<SqlParseException>(() => SqlParser.ParseQuery("SHOW TABLES"));
}
