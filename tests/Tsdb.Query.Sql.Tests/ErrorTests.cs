namespace Tsdb.Query.Sql.Tests;

public sealed class ErrorTests
{
    [Theory]
    [InlineData("", "line 1, column 1: expected SELECT, WITH, SHOW, EXPLAIN or DELETE, found end of input")]
    [InlineData("SELEC 1", "line 1, column 1: expected SELECT, WITH, SHOW, EXPLAIN or DELETE, found 'SELEC'")]
    [InlineData("SELECT", "line 1, column 7: expected an expression, found end of input")]
    [InlineData("SELECT a, FROM cpu", "line 1, column 11: expected an expression, found 'FROM'")]
    [InlineData("SELECT a FROM", "line 1, column 14: expected a table name, found end of input")]
    [InlineData("SELECT a FROM WHERE x", "line 1, column 15: expected a table name, found 'WHERE'")]
    [InlineData("SHOW COLUMNS WHERE x", "line 1, column 14: expected FROM, found 'WHERE'")]
    [InlineData("SHOW DATABASES", "line 1, column 6: expected TABLES or COLUMNS, found 'DATABASES'")]
    [InlineData("SELECT a FROM cpu WHERE", "line 1, column 24: expected an expression, found end of input")]
    [InlineData("SELECT a FROM cpu GROUP hostname", "line 1, column 25: expected BY, found 'hostname'")]
    [InlineData("SELECT a FROM cpu ORDER BY a NULLS", "line 1, column 35: expected FIRST or LAST, found end of input")]
    [InlineData("SELECT a b c FROM t", "line 1, column 12: expected end of input, found 'c'")]
    [InlineData("SELECT (1 + 2", "line 1, column 14: expected ')', found end of input")]
    [InlineData("SELECT max(x FROM cpu", "line 1, column 14: expected ')', found 'FROM'")]
    [InlineData("SELECT 1 +", "line 1, column 11: expected an expression, found end of input")]
    [InlineData("SELECT * FROM cpu WHERE a BETWEEN 1 OR 2", "line 1, column 37: expected AND, found 'OR'")]
    [InlineData("SELECT * FROM cpu WHERE a IS 1", "line 1, column 30: expected NULL, found '1'")]
    [InlineData("SELECT * FROM cpu WHERE a IN 1", "line 1, column 30: expected '(', found '1'")]
    [InlineData("SELECT CASE WHEN a THEN 1", "line 1, column 26: expected END, found end of input")]
    [InlineData("SELECT CASE END", "line 1, column 13: expected an expression, found 'END'")]
    [InlineData("SELECT CAST(a AS blob)", "line 1, column 18: expected a type name, found 'blob'")]
    [InlineData("SELECT a::", "line 1, column 11: expected a type name, found end of input")]
    [InlineData("SELECT INTERVAL 5", "line 1, column 17: expected a string, found '5'")]
    [InlineData("SELECT 'abc", "line 1, column 8: unterminated string literal")]
    [InlineData("SELECT \"abc", "line 1, column 8: unterminated quoted identifier")]
    [InlineData("SELECT \"\"", "line 1, column 8: zero-length quoted identifier")]
    [InlineData("SELECT 1 /* never closed", "line 1, column 10: unterminated /* comment")]
    [InlineData("SELECT a # b", "line 1, column 10: unexpected character '#'")]
    [InlineData("SELECT a ! b", "line 1, column 10: unexpected character '!'")]
    [InlineData("SELECT $", "line 1, column 8: expected a parameter name after '$'")]
    [InlineData("SELECT 12abc", "line 1, column 8: invalid numeric literal")]
    [InlineData("SELECT 1e999", "line 1, column 8: numeric literal out of range")]
    [InlineData("SELECT a FROM t UNION SELECT b FROM u", "line 1, column 23: expected ALL, found 'SELECT'")]
    [InlineData("SELECT a FROM t JOIN u", "line 1, column 23: expected ON, found end of input")]
    [InlineData("SELECT a FROM t WHERE x = 1 1", "line 1, column 29: expected end of input, found '1'")]
    [InlineData("SELECT a FROM t; SELECT b", "line 1, column 18: expected end of input, found 'SELECT'")]
    [InlineData("SELECT a\nFROM cpu\nWHERE time >", "line 3, column 13: expected an expression, found end of input")]
    [InlineData("SELECT a\r\n  FROM cpu\r\n  WHERE WHERE", "line 3, column 9: expected an expression, found 'WHERE'")]
    [InlineData("SELECT 'multi\nline' FROM", "line 2, column 11: expected a table name, found end of input")]
    [InlineData("SELECT a FROM (t)", "line 1, column 16: expected SELECT or WITH, found 't'")]
    [InlineData("SELECT select", "line 1, column 8: expected an expression, found 'select'")]
    [InlineData("SELECT a AS FROM t", "line 1, column 13: expected an alias, found 'FROM'")]
    [InlineData("WITH AS (SELECT 1) SELECT 1", "line 1, column 6: expected a name for the WITH query, found 'AS'")]
    [InlineData("SELECT 'a' FROM cpu WHERE x = 'long string literal that goes on' AND", "line 1, column 69: expected an expression, found end of input")]
    [InlineData("SELECT a FROM t WHERE b = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa c", "line 1, column 77: expected end of input, found 'c'")]
    [InlineData("SELECT a FROM t WHERE b = 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "line 1, column 29: expected end of input, found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…'")]
    [InlineData("SELECT a FROM t WHERE b = 'x' 'y'", "line 1, column 31: expected end of input, found a string literal")]
    [InlineData("SELECT EXTRACT(FROM t)", "line 1, column 16: expected a field to extract (year, month, day, hour, …), found 'FROM'")]
    [InlineData("SELECT EXTRACT(1 FROM t)", "line 1, column 16: expected a field to extract (year, month, day, hour, …), found '1'")]
    [InlineData("SELECT EXTRACT(year t)", "line 1, column 21: expected FROM, found 't'")]
    [InlineData("SELECT EXTRACT(year, t)", "line 1, column 20: expected FROM, found ','")]
    [InlineData("SELECT EXTRACT(year FROM t", "line 1, column 27: expected ')', found end of input")]
    [InlineData("SELECT EXTRACT()", "line 1, column 16: expected a field to extract (year, month, day, hour, …), found ')'")]
    [InlineData("SELECT t AT TIME ZONE", "line 1, column 22: expected an expression, found end of input")]
    [InlineData("SELECT t AT TIME ZONE 'a' 'b'", "line 1, column 27: expected end of input, found a string literal")]
    public void ReportsPositionAndExpectation(string sql, string expected)
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse(sql));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void ExceptionCarriesLineColumnAndPosition()
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.Parse("SELECT a\nFROM cpu WHERE"));
        Assert.Equal(2, e.Line);
        Assert.Equal(15, e.Column);
        Assert.Equal(23, e.Position);
        Assert.Equal("expected an expression, found end of input", e.Detail);
    }
}
