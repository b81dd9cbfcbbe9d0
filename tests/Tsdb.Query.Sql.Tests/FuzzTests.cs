using System.Text;

namespace Tsdb.Query.Sql.Tests;

/// <summary>
/// Random token strings and mutated valid queries: the parser may accept or refuse them, but only with
/// <see cref="SqlParseException"/>; whatever it accepts must print and parse back to the same tree.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Vocabulary =
    [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "ALL", "WITH", "AS",
        "DISTINCT", "ON", "JOIN", "LEFT", "INNER", "OUTER", "CROSS", "AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE",
        "FALSE", "BETWEEN", "LIKE", "ILIKE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "INTERVAL", "EXISTS",
        "ASC", "DESC", "NULLS", "FIRST", "LAST", "SHOW", "TABLES", "COLUMNS", "EXPLAIN", "bigint", "double",
        "timestamp", "TIMESTAMP '2016-01-01'", "cpu", "time", "hostname", "usage_user", "count", "max", "date_bin", "now", "t", "x",
        "\"Q\"", "'s'", "'1 minute'", "''", "1", "0", "42", "1.5", "1e3", "$p", "$1",
        "=", "!=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||", "~", "!~", "~*", "!~*", "::",
        "(", ")", "(", ")", ",", ",", ".", ";", "--c\n", "/*c*/",
        "EXTRACT", "extract(", "year", "AT", "TIME", "ZONE", "AT TIME ZONE", "at time zone 'UTC'",
    ];

    private static void Check(string sql)
    {
        Statement statement;
        try
        {
            statement = SqlParser.Parse(sql);
        }
        catch (SqlParseException e)
        {
            Assert.InRange(e.Position, 0, sql.Length);
            Assert.True(e.Line >= 1 && e.Column >= 1, e.Message);
            return;
        }

        var printed = SqlPrinter.Print(statement);
        Statement reparsed;
        try
        {
            reparsed = SqlParser.Parse(printed);
        }
        catch (SqlParseException e)
        {
            Assert.Fail($"printed form of {sql} does not parse: {printed}: {e.Message}");
            return;
        }

        Assert.Equal(printed, SqlPrinter.Print(reparsed));
    }

    [Fact]
    public void RandomTokenStrings()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 20_000; i++)
        {
            var sb = new StringBuilder();
            if (random.Next(3) > 0)
            {
                sb.Append("SELECT ");
            }

            var n = random.Next(1, 30);
            for (var j = 0; j < n; j++)
            {
                sb.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(random.Next(8) == 0 ? "" : " ");
            }

            Check(sb.ToString());
        }
    }

    [Fact]
    public void MutatedValidQueries()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var sql = Corpus.Valid[random.Next(Corpus.Valid.Length)];
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                sql = Mutate(sql, random);
            }

            Check(sql);
        }
    }

    [Fact]
    public void RandomCharacters()
    {
        var random = new Random(99);
        const string alphabet = "abcXYZ019_$'\"()*,.;:=<>!~|+-/%# \n\t\r\u00e9\u0000\ud800";
        for (var i = 0; i < 10_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            Check((random.Next(2) == 0 ? "SELECT " : string.Empty) + new string(chars));
        }
    }

    private static string Mutate(string sql, Random random)
    {
        if (sql.Length == 0)
        {
            return Vocabulary[random.Next(Vocabulary.Length)];
        }

        var at = random.Next(sql.Length);
        var length = Math.Min(sql.Length - at, random.Next(1, 12));
        return random.Next(6) switch
        {
            0 => sql.Remove(at, length),
            1 => sql.Insert(at, " " + Vocabulary[random.Next(Vocabulary.Length)] + " "),
            2 => sql.Insert(at, sql.Substring(random.Next(sql.Length - length + 1), length)),
            3 => sql[..at],
            4 => sql.Remove(at, 1).Insert(at, ((char)random.Next(32, 127)).ToString()),
            _ => sql.Insert(at, Vocabulary[random.Next(Vocabulary.Length)]),
        };
    }
}
