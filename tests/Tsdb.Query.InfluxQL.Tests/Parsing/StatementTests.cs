using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>Statements parsed to the expected trees (shown with <see cref="Tree"/>: every property, no positions).</summary>
public sealed class StatementTests
{
    private static string Parse(string query) => Tree.Show(InfluxQLParser.ParseStatement(query));

    [Theory]
    [InlineData("SELECT * FROM cpu", "(select [*] from=[(m db=null rp=null name='cpu' re=null)])")]
    [InlineData("SELECT *::field, *::tag FROM cpu", "(select [*::Field *::Tag] from=[(m db=null rp=null name='cpu' re=null)])")]
    [InlineData("SELECT value AS v, \"a b\"::tag FROM m",
        "(select [value as 'v' a b::Tag] from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT x::float, y::INTEGER, z::unsigned, s::string, b::boolean, f::field FROM m",
        "(select [x::Float y::Integer z::Unsigned s::String b::Boolean f::Field] from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT MEAN(value), mean(*), max(/usage/) FROM m",
        "(select [(mean() value) (mean() *) (max() (re usage))] from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT top(usage, host, 3) FROM m", "(select [(top() usage host 3)] from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT count(distinct(x)), count(DISTINCT x), DISTINCT y, DISTINCT(z) FROM m",
        "(select [(count() (distinct() x)) (count() (distinct() x)) (distinct() y) (distinct() z)] from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT a FROM db.rp.m, db..m2, rp.m3, \"q\", /re/, db.rp./re2/, db../re3/, rp./re4/",
        "(select [a] from=[(m db='db' rp='rp' name='m' re=null) (m db='db' rp=null name='m2' re=null) (m db=null rp='rp' name='m3' re=null) (m db=null rp=null name='q' re=null) (m db=null rp=null name=null re='re') (m db='db' rp='rp' name=null re='re2') (m db='db' rp=null name=null re='re3') (m db=null rp='rp' name=null re='re4')])")]
    [InlineData("SELECT a FROM (SELECT b FROM (SELECT c FROM m))",
        "(select [a] from=[(sub (select [b] from=[(sub (select [c] from=[(m db=null rp=null name='m' re=null)]))]))])")]
    [InlineData("SELECT mean(v) INTO db1..:MEASUREMENT FROM m", "(select [(mean() v)] into=db1..:MEASUREMENT from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT v INTO \"my db\".rp.\"out m\" FROM m", "(select [v] into=\"my db\".rp.\"out m\" from=[(m db=null rp=null name='m' re=null)])")]
    [InlineData("SELECT a FROM m GROUP BY time(10m), host, \"a b\", /re/, *",
        "(select [a] from=[(m db=null rp=null name='m' re=null)] group=[(time 600000000000ns) (tag host) (tag a b) (tags /re/) (tags *)])")]
    [InlineData("SELECT a FROM m GROUP BY time(10m, -5m)",
        "(select [a] from=[(m db=null rp=null name='m' re=null)] group=[(time 600000000000ns offset=-300000000000ns)])")]
    [InlineData("SELECT a FROM m GROUP BY time(1h, now())",
        "(select [a] from=[(m db=null rp=null name='m' re=null)] group=[(time 3600000000000ns offset=(now()))])")]
    [InlineData("SELECT a FROM m GROUP BY time($i)", "(select [a] from=[(m db=null rp=null name='m' re=null)] group=[(time $i)])")]
    [InlineData("SELECT a FROM m GROUP BY time(1m) fill(-1.5)",
        "(select [a] from=[(m db=null rp=null name='m' re=null)] group=[(time 60000000000ns)] fill=Value fillvalue=-1.5f)")]
    [InlineData("SELECT a FROM m fill(previous) ORDER BY time DESC LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4 tz('America/Chicago')",
        "(select [a] from=[(m db=null rp=null name='m' re=null)] fill=Previous desc limit=1 offset=2 slimit=3 soffset=4 tz=America/Chicago)")]
    [InlineData("SELECT a FROM m ORDER BY DESC", "(select [a] from=[(m db=null rp=null name='m' re=null)] desc)")]
    [InlineData("SELECT a FROM m LIMIT 99999999999999999999", "(select [a] from=[(m db=null rp=null name='m' re=null)] limit=9223372036854775807)")]
    [InlineData("EXPLAIN ANALYZE VERBOSE SELECT a FROM m", "(explain analyze verbose (select [a] from=[(m db=null rp=null name='m' re=null)]))")]
    [InlineData("EXPLAIN SELECT a FROM m", "(explain (select [a] from=[(m db=null rp=null name='m' re=null)]))")]
    public void Select(string query, string expected) => Assert.Equal(expected, Parse(query));

    [Theory]
    [InlineData("SELECT a FROM m WHERE a = 1 OR b = 2 AND c = 3", "(or (= a 1) (and (= b 2) (= c 3)))")]
    [InlineData("SELECT a FROM m WHERE (a = 1 OR b = 2) AND c = 3", "(and (paren (or (= a 1) (= b 2))) (= c 3))")]
    [InlineData("SELECT a FROM m WHERE a + b * c > d - e / f", "(> (+ a (* b c)) (- d (/ e f)))")]
    [InlineData("SELECT a FROM m WHERE a - b - c = 1", "(= (- (- a b) c) 1)")]
    [InlineData("SELECT a FROM m WHERE a | b & c ^ d = 0", "(= (^ (| a (& b c)) d) 0)")]
    [InlineData("SELECT a FROM m WHERE host =~ /^a\\/b$/ AND x !~ /c/", "(and (=~ host (re ^a/b$)) (!~ x (re c)))")]
    [InlineData("SELECT a FROM m WHERE host =~ $re", "(=~ host $re)")]
    [InlineData("SELECT a FROM m WHERE time > now() - 1h", "(> time (- (now()) 3600000000000ns))")]
    [InlineData("SELECT a FROM m WHERE time >= '2020-01-01T00:00:00Z'", "(>= time '2020-01-01T00:00:00Z')")]
    [InlineData("SELECT a FROM m WHERE host = $host AND b <> 'x'", "(and (= host $host) (!= b 'x'))")]
    [InlineData("SELECT a FROM m WHERE a = true OR b = FALSE", "(or (= a true) (= b false))")]
    [InlineData("SELECT a FROM m WHERE a = -1 AND b = -1.5 AND c = -1h AND d = -x", "(and (and (and (= a -1) (= b -1.5f)) (= c -3600000000000ns)) (= d (neg x)))")]
    [InlineData("SELECT a FROM m WHERE a = 18446744073709551615", "(= a 18446744073709551615u)")]
    [InlineData("SELECT a FROM m WHERE a = -9223372036854775808", "(= a -9223372036854775808)")]
    [InlineData("SELECT a FROM m WHERE d > 1h30m AND e < 10ns AND f < 5u AND g < 5µ AND h < 2d AND i < 1w AND j < 1ms",
        "(and (and (and (and (and (and (> d 5400000000000ns) (< e 10ns)) (< f 5000ns)) (< g 5000ns)) (< h 172800000000000ns)) (< i 604800000000000ns)) (< j 1000000ns))")]
    [InlineData("SELECT a FROM m WHERE \"a.b\" = 'x' AND a.b = 'y'", "(and (= a.b 'x') (= a.b 'y'))")]
    [InlineData("SELECT a FROM m WHERE a = 'it\\'s \\\\ \\n'", "(= a 'it's \\ \n')")]
    public void Condition(string query, string expected)
    {
        var select = Assert.IsType<SelectStatement>(InfluxQLParser.ParseStatement(query));
        Assert.Equal(expected, Tree.Show(select.Condition!));
    }

    [Theory]
    [InlineData("SHOW DATABASES", "(show-databases)")]
    [InlineData("show retention policies on \"my db\"", "(show-rp on='my db')")]
    [InlineData("SHOW RETENTION POLICIES", "(show-rp on=null)")]
    [InlineData("SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /cpu/ WHERE host = 'a' LIMIT 2 OFFSET 1",
        "(show-measurements on='db' with=(=~ (re cpu)) where=(= host 'a') limit=2 offset=1)")]
    [InlineData("SHOW MEASUREMENTS WITH MEASUREMENT = cpu", "(show-measurements on=null with=(= cpu))")]
    [InlineData("SHOW MEASUREMENTS WITH MEASUREMENT != cpu", "(show-measurements on=null with=(!= cpu))")]
    [InlineData("SHOW MEASUREMENTS WITH MEASUREMENT !~ /d/", "(show-measurements on=null with=(!~ (re d)))")]
    [InlineData("SHOW TAG KEYS ON db FROM cpu WHERE a = 'b' LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4",
        "(show-tag-keys on='db' from=[(m db=null rp=null name='cpu' re=null)] where=(= a 'b') limit=1 offset=2 slimit=3 soffset=4)")]
    [InlineData("SHOW TAG VALUES FROM cpu WITH KEY = host", "(show-tag-values on=null from=[(m db=null rp=null name='cpu' re=null)] key=(= host))")]
    [InlineData("SHOW TAG VALUES WITH KEY != host", "(show-tag-values on=null from=[] key=(!= host))")]
    [InlineData("SHOW TAG VALUES WITH KEY =~ /h/", "(show-tag-values on=null from=[] key=(=~ h))")]
    [InlineData("SHOW TAG VALUES WITH KEY !~ /h/", "(show-tag-values on=null from=[] key=(!~ h))")]
    [InlineData("SHOW TAG VALUES ON db WITH KEY IN (a, \"b c\") WHERE x = 'y' LIMIT 5 OFFSET 6",
        "(show-tag-values on='db' from=[] key=(= a,b c) where=(= x 'y') limit=5 offset=6)")]
    [InlineData("SHOW FIELD KEYS ON db FROM cpu LIMIT 1 OFFSET 2", "(show-field-keys on='db' from=[(m db=null rp=null name='cpu' re=null)] limit=1 offset=2)")]
    [InlineData("SHOW SERIES ON db FROM /c/ WHERE a = 'b' LIMIT 1 OFFSET 2",
        "(show-series on='db' from=[(m db=null rp=null name=null re='c')] where=(= a 'b') limit=1 offset=2)")]
    [InlineData("SHOW SERIES CARDINALITY", "(cardinality Series on=null from=[])")]
    [InlineData("SHOW SERIES EXACT CARDINALITY ON db FROM cpu WHERE a = 'b'",
        "(cardinality Series exact on='db' from=[(m db=null rp=null name='cpu' re=null)] where=(= a 'b'))")]
    [InlineData("SHOW MEASUREMENT CARDINALITY", "(cardinality Measurement on=null from=[])")]
    [InlineData("SHOW MEASUREMENT EXACT CARDINALITY ON db", "(cardinality Measurement exact on='db' from=[])")]
    [InlineData("SHOW TAG KEY CARDINALITY FROM cpu", "(cardinality TagKey on=null from=[(m db=null rp=null name='cpu' re=null)])")]
    [InlineData("SHOW TAG KEY EXACT CARDINALITY", "(cardinality TagKey exact on=null from=[])")]
    [InlineData("SHOW FIELD KEY CARDINALITY", "(cardinality FieldKey on=null from=[])")]
    [InlineData("SHOW FIELD KEY EXACT CARDINALITY ON db", "(cardinality FieldKey exact on='db' from=[])")]
    [InlineData("SHOW TAG VALUES CARDINALITY WITH KEY = host", "(cardinality TagValue on=null from=[] key=(= host))")]
    [InlineData("SHOW TAG VALUES EXACT CARDINALITY FROM cpu WITH KEY IN (a, b) WHERE x = 'y'",
        "(cardinality TagValue exact on=null from=[(m db=null rp=null name='cpu' re=null)] key=(= a,b) where=(= x 'y'))")]
    public void Show(string query, string expected) => Assert.Equal(expected, Parse(query));

    [Theory]
    [InlineData("CREATE DATABASE mydb WITH DURATION 1d", "CREATE DATABASE")]
    [InlineData("create database \"x\"", "CREATE DATABASE")]
    [InlineData("DROP MEASUREMENT cpu", "DROP MEASUREMENT")]
    [InlineData("DELETE FROM cpu WHERE time < '2020-01-01'", "DELETE")]
    [InlineData("SHOW USERS", "SHOW USERS")]
    [InlineData("SHOW CONTINUOUS QUERIES", "SHOW CONTINUOUS QUERIES")]
    [InlineData("SHOW SUBSCRIPTIONS", "SHOW SUBSCRIPTIONS")]
    [InlineData("SHOW SHARDS", "SHOW SHARDS")]
    [InlineData("SHOW SHARD GROUPS", "SHOW SHARD GROUPS")]
    [InlineData("SHOW STATS FOR 'cluster'", "SHOW STATS")]
    [InlineData("SHOW DIAGNOSTICS", "SHOW DIAGNOSTICS")]
    [InlineData("SHOW GRANTS FOR jdoe", "SHOW GRANTS")]
    [InlineData("SHOW QUERIES", "SHOW QUERIES")]
    [InlineData("KILL QUERY 36 ON \"host\"", "KILL QUERY")]
    [InlineData("GRANT ALL PRIVILEGES TO jdoe", "GRANT")]
    [InlineData("REVOKE ALL PRIVILEGES FROM jdoe", "REVOKE")]
    [InlineData("ALTER RETENTION POLICY rp ON db DEFAULT", "ALTER RETENTION POLICY")]
    [InlineData("SET PASSWORD FOR jdoe = 'x'", "SET PASSWORD")]
    [InlineData("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1m) END", "CREATE CONTINUOUS QUERY")]
    [InlineData("CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES", "CREATE USER")]
    [InlineData("DROP SERIES FROM cpu", "DROP SERIES")]
    [InlineData("CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ANY 'udp://a:1'", "CREATE SUBSCRIPTION")]
    [InlineData("CREATE RETENTION POLICY rp ON db DURATION 1h REPLICATION 1", "CREATE RETENTION POLICY")]
    [InlineData("DROP RETENTION POLICY rp ON db", "DROP RETENTION POLICY")]
    [InlineData("DROP CONTINUOUS QUERY cq ON db", "DROP CONTINUOUS QUERY")]
    [InlineData("DROP SHARD 5", "DROP SHARD")]
    [InlineData("DROP USER u", "DROP USER")]
    [InlineData("DROP SUBSCRIPTION s ON db.rp", "DROP SUBSCRIPTION")]
    [InlineData("DROP DATABASE db", "DROP DATABASE")]
    public void UnsupportedStatementsAreNamed(string query, string kind) =>
        Assert.Equal(kind, Assert.IsType<UnsupportedStatement>(InfluxQLParser.ParseStatement(query)).Kind);

    [Fact]
    public void UnsupportedStatementSkipsToTheNextSemicolonOutsideParentheses()
    {
        var statements = InfluxQLParser.ParseQuery("CREATE DATABASE x WITH (;) 'a;b'; SELECT a FROM m; DROP SERIES WHERE a = 'x;'");
        Assert.Equal(3, statements.Count);
        Assert.Equal("CREATE DATABASE", Assert.IsType<UnsupportedStatement>(statements[0]).Kind);
        Assert.IsType<SelectStatement>(statements[1]);
        Assert.Equal("DROP SERIES", Assert.IsType<UnsupportedStatement>(statements[2]).Kind);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData(";", 0)]
    [InlineData("  ;; -- nothing\n", 0)]
    [InlineData("SELECT a FROM b; SELECT c FROM d", 2)]
    [InlineData("SELECT value FROM cpu;", 1)]
    [InlineData("SHOW DATABASES; SHOW MEASUREMENTS;;", 2)]
    public void QueriesHoldSeveralStatements(string query, int count) =>
        Assert.Equal(count, InfluxQLParser.ParseQuery(query).Count);

    [Fact]
    public void CommentsAreSkipped()
    {
        var statements = InfluxQLParser.ParseQuery(
            "SELECT * FROM cpu; -- read from cpu database\n\n/* create continuous query */\nCREATE CONTINUOUS QUERY cq0 ON db0 BEGIN\n\tSELECT mean(*) INTO db1..:MEASUREMENT FROM cpu GROUP BY time(5m)\nEND;\n\n/* just a multline comment\nwhat is this doing here?\n**/\n\n-- should ignore the trailing multiline comment /*\nSELECT mean(value) FROM gpu;\n-- trailing comment at the end");
        Assert.Equal(3, statements.Count);
    }

    [Fact]
    public void NodesCarryTheirOffsets()
    {
        var s = Assert.IsType<SelectStatement>(InfluxQLParser.ParseStatement("SELECT  a, mean(b) FROM db..m WHERE x = 1 GROUP BY time(1m)"));
        Assert.Equal(0, s.Position);
        Assert.Equal(8, s.Fields[0].Position);
        Assert.Equal(11, s.Fields[1].Expr.Position);
        Assert.Equal(24, s.Sources[0].Position);
        Assert.Equal(36, s.Condition!.Position);
        Assert.Equal(51, s.Dimensions[0].Position);
    }

    [Fact]
    public void ExpressionsParseAlone()
    {
        Assert.Equal("(and (= host 'a') (> time (- (now()) 3600000000000ns)))", Tree.Show(InfluxQLParser.ParseExpression("host = 'a' AND time > now() - 1h")));
        Assert.Equal("(mean() (re cpu))", Tree.Show(InfluxQLParser.ParseExpression("mean(/cpu/)")));
        Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.ParseExpression("a b"));
    }
}
