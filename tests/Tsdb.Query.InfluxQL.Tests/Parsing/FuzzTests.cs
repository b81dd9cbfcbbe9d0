using System.Text;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Tests.Parsing;

/// <summary>
/// Mutated corpus queries, random token strings and random characters: the parser may accept or refuse them, but
/// only with <see cref="InfluxQLParseException"/> (its position inside the text); whatever it accepts prints and
/// parses back to the same tree.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Vocabulary =
    [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "INTO", "AS", "AND", "OR",
        "DISTINCT", "SHOW", "TAG", "KEYS", "KEY", "VALUES", "FIELD", "SERIES", "MEASUREMENTS", "MEASUREMENT", "CARDINALITY",
        "EXACT", "WITH", "IN", "ON", "DATABASES", "RETENTION", "POLICIES", "EXPLAIN", "ANALYZE", "VERBOSE", "ASC", "DESC",
        "CREATE", "DROP", "DATABASE", "true", "false", "time", "time(", "now()", "fill(", "fill(none)", "tz(", "mean(", "count(",
        "host", "cpu", "value", "\"q q\"", "'s'", "'2020-01-01T00:00:00Z'", "''", "1", "0", "-1", "1.5", ".5", "10m", "1h30m", "5µ",
        "1e3", "18446744073709551615", "$p", "$", "/re/", "/a\\/b/", "/", "::", "::field", "::tag", "*", "=", "!=", "<>", "<",
        "<=", ">", ">=", "=~", "!~", "+", "-", "%", "&", "|", "^", "(", ")", "(", ")", ",", ",", ".", "..", ";", ":", "--c\n",
        "/*c*/", "/*", "\\", "'\\q'", "\"", "é", "\n",
    ];

    private static void Check(string query)
    {
        IReadOnlyList<Statement> statements;
        try
        {
            statements = InfluxQLParser.ParseQuery(query);
        }
        catch (InfluxQLParseException e)
        {
            Assert.InRange(e.Position, 0, query.Length);
            Assert.True(e.Line >= 1 && e.Char >= 1, e.Message);
            Assert.False(string.IsNullOrEmpty(e.Message));
            return;
        }

        foreach (var statement in statements)
        {
            var printed = InfluxQLPrinter.Print(statement);
            Statement reparsed;
            try
            {
                reparsed = InfluxQLParser.ParseStatement(printed);
            }
            catch (InfluxQLParseException e)
            {
                Assert.Fail($"printed form of {query} does not parse: {printed}: {e.Message}");
                return;
            }

            Assert.Equal(Tree.Show(statement), Tree.Show(reparsed));
            Assert.Equal(printed, InfluxQLPrinter.Print(reparsed));
        }
    }

    [Fact]
    public void MutatedCorpusQueries()
    {
        var random = new Random(20261206);
        var corpus = Corpus.Valid;
        for (var i = 0; i < 20_000; i++)
        {
            var query = corpus[random.Next(corpus.Length)];
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                query = Mutate(query, random);
            }

            Check(query);
        }
    }

    [Fact]
    public void RandomTokenStrings()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var sb = new StringBuilder(random.Next(3) > 0 ? "SELECT " : string.Empty);
            var n = random.Next(1, 30);
            for (var j = 0; j < n; j++)
            {
                sb.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(random.Next(6) == 0 ? "" : " ");
            }

            Check(sb.ToString());
        }
    }

    [Fact]
    public void RandomCharacters()
    {
        var random = new Random(99);
        const string alphabet = "abcXYZ019_$'\"()*,.;:=<>!~|&^+-/%#µ \n\t\r\\\u00e9\u0000\ud800";
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

    /// <summary>Insert, delete, swap or replace characters, or splice in a token or a piece of the query itself.</summary>
    private static string Mutate(string query, Random random)
    {
        if (query.Length == 0)
        {
            return Vocabulary[random.Next(Vocabulary.Length)];
        }

        var at = random.Next(query.Length);
        var length = Math.Min(query.Length - at, random.Next(1, 12));
        switch (random.Next(8))
        {
            case 0:
                return query.Remove(at, length);
            case 1:
                return query.Insert(at, " " + Vocabulary[random.Next(Vocabulary.Length)] + " ");
            case 2:
                return query.Insert(at, query.Substring(random.Next(query.Length - length + 1), length));
            case 3:
                return query[..at];
            case 4:
                return query.Remove(at, 1).Insert(at, ((char)random.Next(32, 127)).ToString());
            case 5:
                var other = random.Next(query.Length);
                var chars = query.ToCharArray();
                (chars[at], chars[other]) = (chars[other], chars[at]);
                return new string(chars);
            case 6:
                var words = query.Split(' ');
                var a = random.Next(words.Length);
                var b = random.Next(words.Length);
                (words[a], words[b]) = (words[b], words[a]);
                return string.Join(' ', words);
            default:
                return query.Insert(at, Vocabulary[random.Next(Vocabulary.Length)]);
        }
    }
}
