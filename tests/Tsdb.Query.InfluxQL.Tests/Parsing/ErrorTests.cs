namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>
/// Errors worded exactly as InfluxDB 1.x words them. The first table is copied from influxql's parser_test.go
/// (TestParser_ParseStatement's error cases and TestParser_ParseExpr), restricted to the statements this parser
/// reads in full; the others cover what those tests do not (positions after newlines, lexical trouble).
/// </summary>
public sealed class ErrorTests
{
    private static InfluxQLParseException Fail(string query) =>
        Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseStatement(query));

    [Theory]
    [InlineData("", "found EOF, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")]
    [InlineData("SELECT", "found EOF, expected identifier, string, number, bool at line 1, char 8")]
    [InlineData("blah blah", "found blah, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")]
    [InlineData("SELECT field1 X", "found X, expected FROM at line 1, char 15")]
    [InlineData("SELECT field1 FROM \"series\" WHERE X +;", "found ;, expected identifier, string, number, bool at line 1, char 38")]
    [InlineData("SELECT field1 FROM myseries GROUP", "found EOF, expected BY at line 1, char 35")]
    [InlineData("SELECT field1 FROM myseries LIMIT", "found EOF, expected integer at line 1, char 35")]
    [InlineData("SELECT field1 FROM myseries LIMIT 10.5", "found 10.5, expected integer at line 1, char 35")]
    [InlineData("SELECT field1 FROM myseries OFFSET", "found EOF, expected integer at line 1, char 36")]
    [InlineData("SELECT field1 FROM myseries OFFSET 10.5", "found 10.5, expected integer at line 1, char 36")]
    [InlineData("SELECT field1 FROM myseries ORDER", "found EOF, expected BY at line 1, char 35")]
    [InlineData("SELECT field1 FROM myseries ORDER BY", "found EOF, expected identifier, ASC, DESC at line 1, char 38")]
    [InlineData("SELECT field1 FROM myseries ORDER BY /", "found /, expected identifier, ASC, DESC at line 1, char 38")]
    [InlineData("SELECT field1 FROM myseries ORDER BY 1", "found 1, expected identifier, ASC, DESC at line 1, char 38")]
    [InlineData("SELECT field1 FROM myseries ORDER BY time ASC,", "found EOF, expected identifier at line 1, char 47")]
    [InlineData("SELECT field1 FROM myseries ORDER BY time, field1", "only ORDER BY time supported at this time")]
    [InlineData("SELECT field1 AS", "found EOF, expected identifier at line 1, char 18")]
    [InlineData("SELECT field1 FROM 12", "found 12, expected identifier at line 1, char 20")]
    [InlineData("SELECT 10.5h FROM myseries", "found h, expected FROM at line 1, char 12")]
    [InlineData("SELECT distinct FROM myseries", "found FROM, expected identifier at line 1, char 17")]
    [InlineData("SELECT count(distinct) FROM myseries", "found ), expected (, identifier at line 1, char 22")]
    [InlineData("SELECT field1 from myseries WHERE host =~ 'asd' LIMIT 1", "found asd, expected regex at line 1, char 42")]
    [InlineData("SELECT value > 2 FROM cpu", "invalid operator > in SELECT clause at line 1, char 8; operator is intended for WHERE clause")]
    [InlineData("SELECT value = 2 FROM cpu", "invalid operator = in SELECT clause at line 1, char 8; operator is intended for WHERE clause")]
    [InlineData("SELECT s =~ /foo/ FROM cpu", "invalid operator =~ in SELECT clause at line 1, char 8; operator is intended for WHERE clause")]
    [InlineData("SELECT mean(value) FROM cpu FILL + value", "fill must be a function call")]
    [InlineData("SHOW CONTINUOUS", "found EOF, expected QUERIES at line 1, char 17")]
    [InlineData("SHOW RETENTION", "found EOF, expected POLICIES at line 1, char 16")]
    [InlineData("SHOW RETENTION ON", "found ON, expected POLICIES at line 1, char 16")]
    [InlineData("SHOW RETENTION POLICIES ON", "found EOF, expected identifier at line 1, char 28")]
    [InlineData("SHOW SHARD", "found EOF, expected GROUPS at line 1, char 12")]
    [InlineData("SHOW FOO", "found FOO, expected CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS at line 1, char 6")]
    [InlineData("SHOW GRANTS", "found EOF, expected FOR at line 1, char 13")]
    [InlineData("DROP CONTINUOUS", "found EOF, expected QUERY at line 1, char 17")]
    [InlineData("CREATE CONTINUOUS", "found EOF, expected QUERY at line 1, char 19")]
    [InlineData("DROP FOO", "found FOO, expected CONTINUOUS, DATABASE, MEASUREMENT, RETENTION, SERIES, SHARD, SUBSCRIPTION, USER at line 1, char 6")]
    [InlineData("CREATE FOO", "found FOO, expected CONTINUOUS, DATABASE, USER, RETENTION, SUBSCRIPTION at line 1, char 8")]
    [InlineData("DROP RETENTION", "found EOF, expected POLICY at line 1, char 16")]
    [InlineData("CREATE RETENTION", "found EOF, expected POLICY at line 1, char 18")]
    [InlineData("KILL", "found EOF, expected QUERY at line 1, char 6")]
    [InlineData("ALTER", "found EOF, expected RETENTION at line 1, char 7")]
    [InlineData("ALTER RETENTION", "found EOF, expected POLICY at line 1, char 17")]
    [InlineData("SET", "found EOF, expected PASSWORD at line 1, char 5")]
    [InlineData("SET PASSWORD", "found EOF, expected FOR at line 1, char 14")]
    [InlineData("SET PASSWORD something", "found something, expected FOR at line 1, char 14")]
    [InlineData("$SHOW$DATABASES", "found $SHOW, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")]
    [InlineData("SELECT * FROM cpu WHERE \"tagkey\" = $$", "empty bound parameter")]
    public void MatchesInfluxDb1(string query, string message)
    {
        var e = Fail(query);
        Assert.Equal(message, e.Message);
        Assert.Equal(message, e.Detail);
    }

    [Theory]
    [InlineData("-9223372036854775809", "constant -9223372036854775809 underflows int64")]
    [InlineData("-+1", "found +, expected identifier, number, duration, ( at line 1, char 2")]
    public void ExpressionErrorsMatchInfluxDb1(string expression, string message) =>
        Assert.Equal(message, Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseExpression(expression)).Message);

    [Fact]
    public void MissingSemicolonBetweenStatements() =>
        Assert.Equal(
            "found SELECT, expected ; at line 1, char 17",
            Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseQuery("SELECT a FROM b SELECT c FROM d")).Message);

    [Theory]
    [InlineData("SELECT 1000000000000000000000000000000 FROM m", "unable to parse integer at line 1, char 8")]
    [InlineData("SELECT a FROM m WHERE time > now() - 5x", "invalid duration")]
    [InlineData("SELECT a FROM m WHERE time > now() - 1e3", "invalid duration")]
    [InlineData("SELECT a FROM m WHERE time > now() - 99999999999999999999s", "invalid duration")]
    [InlineData("SELECT a FROM m WHERE time > now() - 15251w", "overflowed duration 15251w: choose a smaller duration or INF")]
    [InlineData("SELECT a FROM m WHERE x = 'abc", "found abc, expected identifier, string, number, bool at line 1, char 27")]
    [InlineData("SELECT a FROM m WHERE x = 'a\\qb'", "found \\q, expected identifier, string, number, bool at line 1, char 30")]
    [InlineData("SELECT a FROM m WHERE x = # 1", "found #, expected identifier, string, number, bool at line 1, char 27")]
    [InlineData("SELECT a FROM m WHERE x = 1 /* open", "found ILLEGAL, expected ; at line 1, char 29")]
    [InlineData("SELECT a FROM m WHERE x =~ /abc", "bad regex:  at line 1, char 28")]
    [InlineData("SELECT a FROM m WHERE x = /abc/", "found /, expected identifier, string, number, bool at line 1, char 27")]
    [InlineData("SELECT a::foo FROM m", "found foo, expected float, integer, unsigned, string, boolean, field, tag at line 1, char 11")]
    [InlineData("SELECT *::float FROM m", "found float, expected field, tag at line 1, char 11")]
    [InlineData("SELECT a.b.c.d FROM m", "too many segments in \"a\".\"b\".\"c\".d")]
    [InlineData("SELECT a FROM m GROUP BY time", "time() is a function and expects at least one argument")]
    [InlineData("SELECT a FROM m GROUP BY time()", "time dimension expected 1 or 2 arguments")]
    [InlineData("SELECT a FROM m GROUP BY time(host)", "time dimension must have duration argument")]
    [InlineData("SELECT a FROM m GROUP BY time(1m, host)", "time dimension offset must be duration or now()")]
    [InlineData("SELECT a FROM m GROUP BY time(1m, later())", "time dimension offset function must be now()")]
    [InlineData("SELECT a FROM m GROUP BY mean(x)", "only time() calls allowed in dimensions")]
    [InlineData("SELECT a FROM m GROUP BY 'x'", "only time and tag dimensions allowed")]
    [InlineData("SELECT a FROM m GROUP BY time(1m) fill()", "fill requires an argument, e.g.: 0, null, none, previous, linear")]
    [InlineData("SELECT a FROM m GROUP BY time(1m) fill(foo)", "expected number argument in fill()")]
    [InlineData("SELECT a FROM m GROUP BY time(1m) fill(NULL)", "expected number argument in fill()")]
    [InlineData("SELECT a FROM m ORDER BY value", "only ORDER BY time supported at this time")]
    [InlineData("SELECT a FROM m tz(1)", "expected string argument in tz()")]
    [InlineData("SELECT a FROM m tz('a', 'b')", "tz requires exactly one argument")]
    [InlineData("SELECT a FROM m LIMIT -1", "found -, expected integer at line 1, char 23")]
    [InlineData("SELECT a FROM (SHOW DATABASES)", "found SHOW, expected SELECT at line 1, char 16")]
    [InlineData("SELECT a FROM (SELECT b FROM m", "found EOF, expected ) at line 1, char 32")]
    [InlineData("SELECT a FROM select", "found SELECT, expected identifier at line 1, char 15")]
    [InlineData("SELECT a, FROM m", "found FROM, expected identifier, string, number, bool at line 1, char 11")]
    [InlineData("SELECT mean(a FROM m", "found FROM, expected ) at line 1, char 15")]
    [InlineData("SELECT a FROM m WHERE (a = 1", "found EOF, expected ) at line 1, char 29")]
    [InlineData("SHOW TAG VALUES FROM cpu", "found EOF, expected WITH at line 1, char 26")]
    [InlineData("SHOW TAG VALUES WITH host", "found host, expected KEY at line 1, char 22")]
    [InlineData("SHOW TAG VALUES WITH KEY host", "found host, expected IN, =, =~ at line 1, char 26")]
    [InlineData("SHOW TAG VALUES WITH KEY =~ 'h'", "found h, expected regex at line 1, char 28")]
    [InlineData("SHOW TAG VALUES WITH KEY IN host", "found host, expected ( at line 1, char 29")]
    [InlineData("SHOW TAG VALUES WITH KEY IN (a, b", "found EOF, expected ) at line 1, char 35")]
    [InlineData("SHOW TAG", "found EOF, expected KEY, KEYS, VALUES at line 1, char 10")]
    [InlineData("SHOW TAG KEY", "found EOF, expected EXACT, CARDINALITY at line 1, char 14")]
    [InlineData("SHOW TAG KEY EXACT", "found EOF, expected CARDINALITY at line 1, char 20")]
    [InlineData("SHOW FIELD", "found EOF, expected KEY, KEYS at line 1, char 12")]
    [InlineData("SHOW MEASUREMENT", "found EOF, expected EXACT, CARDINALITY at line 1, char 18")]
    [InlineData("SHOW MEASUREMENTS WITH", "found EOF, expected MEASUREMENT at line 1, char 24")]
    [InlineData("SHOW MEASUREMENTS WITH MEASUREMENT IN", "found IN, expected =, !=, =~, !~ at line 1, char 36")]
    [InlineData("EXPLAIN SHOW DATABASES", "found SHOW, expected SELECT at line 1, char 9")]
    [InlineData("SELECT a FROM m; SELECT b FROM n", "found SELECT, expected EOF at line 1, char 18")]
    public void OtherErrorsUseInfluxDb1Wording(string query, string message) => Assert.Equal(message, Fail(query).Message);

    [Fact]
    public void PositionsCountLinesAndCodePoints()
    {
        var e = Fail("SELECT a\nFROM m\r\nWHERE x = é");
        Assert.Equal("found é, expected identifier, string, number, bool at line 3, char 11", e.Message);
        Assert.Equal(3, e.Line);
        Assert.Equal(11, e.Char);
        Assert.Equal(27, e.Position);

        e = Fail("SELECT '😀' + #");
        Assert.Equal(1, e.Line);
        Assert.Equal(14, e.Char);
    }

    [Fact]
    public void AtTheEndAfterAWordTheCharIsOneFurtherAs1xCountsIt()
    {
        Assert.Equal(8, Fail("SELECT").Char);
        Assert.Equal(6, Fail("SELECT").Position);
        Assert.Equal("found EOF, expected identifier, string, number, bool at line 2, char 2", Fail("SELECT\n").Message);
        Assert.Equal("found EOF, expected identifier at line 1, char 47", Fail("SELECT field1 FROM myseries ORDER BY time ASC,").Message);
    }
}
