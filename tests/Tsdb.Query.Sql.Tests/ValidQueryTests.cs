namespace Tsdb.Query.Sql.Tests;

public sealed class ValidQueryTests
{
    public static TheoryData<string> ValidQueries()
    {
        var data = new TheoryData<string>();
        foreach (var q in Corpus.Valid)
        {
            data.Add(q);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void Parses(string sql)
    {
        var statement = SqlParser.Parse(sql);
        Assert.NotNull(statement);
    }

    /// <summary>Parse → print → parse gives the same tree, compared through its printed form.</summary>
    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void RoundTrips(string sql)
    {
        var printed = SqlPrinter.Print(SqlParser.Parse(sql));
        var reprinted = SqlPrinter.Print(SqlParser.Parse(printed));
        Assert.Equal(printed, reprinted);
    }

    [Theory]
    [InlineData("select 1;", "SELECT 1")]
    [InlineData("SELECT a FROM t", "SELECT a FROM t")]
    [InlineData("select HostName h from CPU", "SELECT hostname AS h FROM cpu")]
    [InlineData("SELECT \"HostName\" FROM \"CPU\"", "SELECT \"HostName\" FROM \"CPU\"")]
    [InlineData("SELECT \"a\"\"b\"", "SELECT \"a\"\"b\"")]
    [InlineData("SELECT 'it''s'", "SELECT 'it''s'")]
    [InlineData("SELECT (a + b) * c, a + (b * c), (a - b) - c, a - (b - c)", "SELECT (a + b) * c, a + b * c, a - b - c, a - (b - c)")]
    [InlineData("SELECT - - 1, -(-1), -x::int, (-x)::int", "SELECT -(-1), -(-1), -x::BIGINT, (-x)::BIGINT")]
    [InlineData("SELECT 1.0, 1e3, 1.5e-7", "SELECT 1.0, 1000.0, 1.5E-07")]
    [InlineData("SELECT * FROM a, b", "SELECT * FROM a CROSS JOIN b")]
    [InlineData("SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x", "SELECT * FROM a LEFT JOIN b ON a.x = b.x")]
    [InlineData("SELECT x FROM t WHERE a != 1 AND NOT (b OR c)", "SELECT x FROM t WHERE a <> 1 AND NOT (b OR c)")]
    [InlineData("(SELECT 1) UNION ALL (SELECT 2 LIMIT 1)", "SELECT 1 UNION ALL (SELECT 2 LIMIT 1)")]
    [InlineData("SELECT count(DISTINCT x), first_value(x ORDER BY time DESC NULLS LAST)", "SELECT count(DISTINCT x), first_value(x ORDER BY time DESC NULLS LAST)")]
    [InlineData("SELECT CAST(x AS integer), x::double precision", "SELECT CAST(x AS BIGINT), x::DOUBLE")]
    [InlineData("select \"select\", \"Order\", \"first\"", "SELECT \"select\", \"Order\", \"first\"")]
    [InlineData("show columns in cpu", "SHOW COLUMNS FROM cpu")]
    [InlineData("SELECT * FROM t OFFSET 1 LIMIT 2", "SELECT * FROM t LIMIT 2 OFFSET 1")]
    [InlineData("SELECT (a BETWEEN 1 AND 2) = TRUE, a BETWEEN (1 AND 2) AND 3", "SELECT a BETWEEN 1 AND 2 = TRUE, a BETWEEN (1 AND 2) AND 3")]
    [InlineData("select extract(YEAR from time), extract('Month' FROM time), EXTRACT(\"dow\" FROM time) FROM cpu",
        "SELECT EXTRACT(year FROM time), EXTRACT('Month' FROM time), EXTRACT('dow' FROM time) FROM cpu")]
    [InlineData("SELECT time at time zone 'UTC', (a + t) AT TIME ZONE 'z', a + (t AT TIME ZONE 'z'), -(t AT TIME ZONE 'z'), (-t) AT TIME ZONE 'z'",
        "SELECT time AT TIME ZONE 'UTC', (a + t) AT TIME ZONE 'z', a + t AT TIME ZONE 'z', -(t AT TIME ZONE 'z'), -t AT TIME ZONE 'z'")]
    [InlineData("SELECT (t AT TIME ZONE 'z')::bigint, t AT TIME ZONE ('a' || 'b'), t AT TIME ZONE (u AT TIME ZONE 'z'), (t AT TIME ZONE 'a') AT TIME ZONE 'b'",
        "SELECT (t AT TIME ZONE 'z')::BIGINT, t AT TIME ZONE ('a' || 'b'), t AT TIME ZONE (u AT TIME ZONE 'z'), t AT TIME ZONE 'a' AT TIME ZONE 'b'")]
    [InlineData("SELECT at, zone, extract, time at FROM t", "SELECT at, zone, extract, time AS at FROM t")]
    public void PrintsCanonicalForm(string sql, string expected) =>
        Assert.Equal(expected, SqlPrinter.Print(SqlParser.Parse(sql)));
}
