namespace Tsdb.Query.Sql.Tests;

public sealed class ExpressionTests
{
    [Theory]
    [InlineData("a OR b AND c", "(Or a (And b c))")]
    [InlineData("a AND b OR c", "(Or (And a b) c)")]
    [InlineData("NOT a AND b", "(And (not a) b)")]
    [InlineData("NOT a = b", "(not (Equal a b))")]
    [InlineData("a = 1 OR b <> 2", "(Or (Equal a 1) (NotEqual b 2))")]
    [InlineData("a + b * c", "(Add a (Multiply b c))")]
    [InlineData("a - b - c", "(Subtract (Subtract a b) c)")]
    [InlineData("a / b % c * d", "(Multiply (Modulo (Divide a b) c) d)")]
    [InlineData("a || b + c", "(Concat a (Add b c))")]
    [InlineData("a || b = c", "(Equal (Concat a b) c)")]
    [InlineData("-a * b", "(Multiply (neg a) b)")]
    [InlineData("-a::int", "(neg (cast a BigInt))")]
    [InlineData("a::int::text", "(cast (cast a BigInt) Varchar)")]
    [InlineData("+a", "(pos a)")]
    [InlineData("a ~ 'x' AND b !~ 'y'", "(And (RegexMatch a 'x') (RegexNotMatch b 'y'))")]
    [InlineData("a ~* 'x' OR b !~* 'y'", "(Or (RegexIMatch a 'x') (RegexNotIMatch b 'y'))")]
    [InlineData("a IS NULL", "(isnull a)")]
    [InlineData("a + 1 IS NOT NULL", "(isnotnull (Add a 1))")]
    [InlineData("NOT a IS NULL", "(not (isnull a))")]
    [InlineData("a IN (1, 2, 3)", "(in a 1 2 3)")]
    [InlineData("a NOT IN ('x')", "(notin a 'x')")]
    [InlineData("a IN (SELECT b FROM t)", "(in a <query>)")]
    [InlineData("a BETWEEN 1 AND 2 AND b", "(And (between a 1 2) b)")]
    [InlineData("a NOT BETWEEN b + 1 AND c * 2", "(notbetween a (Add b 1) (Multiply c 2))")]
    [InlineData("a LIKE 'x%' || 'y'", "(like a (Concat 'x%' 'y'))")]
    [InlineData("a NOT ILIKE 'x'", "(notilike a 'x')")]
    [InlineData("CASE WHEN a THEN 1 ELSE 2 END", "(case (when a 1) (else 2))")]
    [InlineData("CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' END", "(case a (when 1 'x') (when 2 'y'))")]
    [InlineData("CAST(a + 1 AS double)", "(cast (Add a 1) Double)")]
    [InlineData("CAST(a AS timestamp)", "(cast a Timestamp)")]
    [InlineData("CAST(a AS bool)", "(cast a Boolean)")]
    [InlineData("INTERVAL '1 minute'", "(interval '1 minute')")]
    [InlineData("time >= TIMESTAMP '2016-01-01T00:00:00Z'", "(GreaterOrEqual time (cast '2016-01-01T00:00:00Z' Timestamp))")]
    [InlineData("timestamp + 1", "(Add timestamp 1)")]
    [InlineData("now() - INTERVAL '5 minutes'", "(Subtract (now()) (interval '5 minutes'))")]
    [InlineData("count(*)", "(count() *)")]
    [InlineData("count(DISTINCT host)", "(count() distinct host)")]
    [InlineData("first_value(x ORDER BY time DESC)", "(first_value() x (orderby time desc))")]
    [InlineData("date_bin(INTERVAL '1 minute', time)", "(date_bin() (interval '1 minute') time)")]
    [InlineData("c.\"Usage\"", "c.\"Usage\"")]
    [InlineData("CPU.Usage", "cpu.usage")]
    [InlineData("$host", "$host")]
    [InlineData("$1", "$1")]
    [InlineData("TRUE AND NOT FALSE OR NULL", "(Or (And true (not false)) null)")]
    [InlineData("1.5e3", "1500f")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("9223372036854775808", "9.223372036854776E+18f")]
    [InlineData("(a)", "a")]
    [InlineData("((a + b))", "(Add a b)")]
    [InlineData("a = b = c", "(Equal (Equal a b) c)")]
    [InlineData("a < b OR a <= b OR a > b OR a >= b", "(Or (Or (Or (Less a b) (LessOrEqual a b)) (Greater a b)) (GreaterOrEqual a b))")]
    [InlineData("EXTRACT(year FROM time)", "(extract year time)")]
    [InlineData("extract(YEAR from time) + 1", "(Add (extract year time) 1)")]
    [InlineData("EXTRACT('Hour' FROM t)", "(extract \"Hour\" t)")]
    [InlineData("EXTRACT(\"dow\" FROM t)", "(extract \"dow\" t)")]
    [InlineData("EXTRACT(epoch FROM a + b)", "(extract epoch (Add a b))")]
    [InlineData("t AT TIME ZONE 'Europe/Berlin'", "(attz t 'Europe/Berlin')")]
    [InlineData("t at time zone $tz", "(attz t $tz)")]
    [InlineData("a + t AT TIME ZONE 'z'", "(Add a (attz t 'z'))")]
    [InlineData("a * t AT TIME ZONE 'z'", "(Multiply a (attz t 'z'))")]
    [InlineData("t AT TIME ZONE 'z' * 2", "(Multiply (attz t 'z') 2)")]
    [InlineData("t AT TIME ZONE 'z' + INTERVAL '1 hour'", "(Add (attz t 'z') (interval '1 hour'))")]
    [InlineData("-t AT TIME ZONE 'z'", "(attz (neg t) 'z')")]
    [InlineData("s::timestamp AT TIME ZONE 'z'", "(attz (cast s Timestamp) 'z')")]
    [InlineData("t AT TIME ZONE z::text", "(attz t (cast z Varchar))")]
    [InlineData("t AT TIME ZONE -z", "(attz t (neg z))")]
    [InlineData("t AT TIME ZONE 'a' AT TIME ZONE 'b'", "(attz (attz t 'a') 'b')")]
    [InlineData("t AT TIME ZONE 'a' || 'b'", "(Concat (attz t 'a') 'b')")]
    [InlineData("t AT TIME ZONE 'a' = u", "(Equal (attz t 'a') u)")]
    [InlineData("EXTRACT(hour FROM t AT TIME ZONE 'z') BETWEEN 9 AND 17", "(between (extract hour (attz t 'z')) 9 17)")]
    [InlineData("at + zone + extract", "(Add (Add at zone) extract)")]
    public void ParsesWithPrecedence(string sql, string expected) =>
        Assert.Equal(expected, Tree.Show(SqlParser.ParseExpression(sql)));

    [Fact]
    public void SpansCoverTheSourceText()
    {
        const string sql = "SELECT max(usage_user) AS m FROM cpu WHERE a + b > 3";
        var select = Assert.IsType<SelectStatement>(SqlParser.Parse(sql));
        Assert.Equal(new TextSpan(0, sql.Length), select.Span);
        var item = Assert.IsType<ExpressionSelectItem>(Assert.Single(select.Projection));
        Assert.Equal("max(usage_user) AS m", sql.Substring(item.Span.Start, item.Span.Length));
        Assert.Equal("max(usage_user)", sql.Substring(item.Expression.Span.Start, item.Expression.Span.Length));
        var where = Assert.IsType<BinaryExpression>(select.Where);
        Assert.Equal("a + b > 3", sql.Substring(where.Span.Start, where.Span.Length));
        Assert.Equal("a + b", sql.Substring(where.Left.Span.Start, where.Left.Span.Length));
        var table = Assert.IsType<NamedTableSource>(select.From);
        Assert.Equal(new TextSpan(33, 3), table.Span);
    }

    [Fact]
    public void ExtractAndAtTimeZoneSpans()
    {
        const string sql = "SELECT EXTRACT('year' FROM time AT TIME ZONE 'UTC') AS y";
        var item = Assert.IsType<ExpressionSelectItem>(Assert.Single(Assert.IsType<SelectStatement>(SqlParser.Parse(sql)).Projection));
        var extract = Assert.IsType<ExtractExpression>(item.Expression);
        Assert.Equal("EXTRACT('year' FROM time AT TIME ZONE 'UTC')", sql.Substring(extract.Span.Start, extract.Span.Length));
        Assert.Equal("'year'", sql.Substring(extract.Field.Span.Start, extract.Field.Span.Length));
        Assert.Equal(new Identifier("year", true, extract.Field.Span), extract.Field);
        var at = Assert.IsType<AtTimeZoneExpression>(extract.Operand);
        Assert.Equal("time AT TIME ZONE 'UTC'", sql.Substring(at.Span.Start, at.Span.Length));
        Assert.Equal("'UTC'", sql.Substring(at.Zone.Span.Start, at.Zone.Span.Length));
    }
}
