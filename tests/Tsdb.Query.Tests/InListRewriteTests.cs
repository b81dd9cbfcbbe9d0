using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>An OR of equalities between one string column and constants becomes the IN list it means, evaluated in one pass.</summary>
public sealed class InListRewriteTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S;

    private static readonly ColumnExpr Host = new(0, "host", ArrowType.DictionaryUtf8);
    private static readonly ColumnExpr Usage = new(2, "usage", ArrowType.Float64);

    private static BinaryExpr Eq(Expr l, Expr r) => new BinaryExpr(BinaryOp.Equal, l, r, ArrowType.Boolean);

    private static BinaryExpr Or(Expr l, Expr r) => new BinaryExpr(BinaryOp.Or, l, r, ArrowType.Boolean);

    private static LiteralExpr Str(string? s) => new(s, ArrowType.Utf8);

    [Fact]
    public void Equalities_of_one_column_in_any_tree_shape_and_either_order_become_one_list()
    {
        var e = Or(Or(Eq(Host, Str("a")), Eq(Str("b"), Host)), Or(Eq(Host, Str("c")), Eq(Host, Str("a"))));
        var list = Predicates.AsInList(e);
        Assert.NotNull(list);
        Assert.False(list.Negated);
        Assert.Equal(0, ((ColumnExpr)list.Operand).Index);
        Assert.Equal(["a", "b", "c", "a"], list.Values.Select(v => (string)((LiteralExpr)v).Value!));
    }

    [Fact]
    public void Anything_else_is_left_as_it_is()
    {
        Assert.Null(Predicates.AsInList(Eq(Host, Str("a"))));
        Assert.Null(Predicates.AsInList(Or(Eq(Host, Str("a")), Eq(new ColumnExpr(3, "other", ArrowType.Utf8), Str("b")))));
        Assert.Null(Predicates.AsInList(Or(Eq(Host, Str("a")), Eq(Host, Str(null)))));
        Assert.Null(Predicates.AsInList(Or(Eq(Host, Str("a")), new BinaryExpr(BinaryOp.Greater, Host, Str("b"), ArrowType.Boolean))));
        Assert.Null(Predicates.AsInList(Or(Eq(Usage, new LiteralExpr(1.0)), Eq(Usage, new LiteralExpr(2.0)))));
        Assert.Null(Predicates.AsInList(new BinaryExpr(BinaryOp.And, Eq(Host, Str("a")), Eq(Host, Str("b")), ArrowType.Boolean)));
    }

    /// <summary>The list and the OR it came from give the same mask (nulls included), negated or not, on batches with null hosts.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void The_list_evaluates_as_the_or_it_replaces(int seed)
    {
        var random = new Random(seed);
        string?[] hosts = ["a", "b", "c", "d", "é", null];
        for (var round = 0; round < 40; round++)
        {
            var batch = MemoryTableSource.Cpu([.. Enumerable.Range(0, random.Next(1, 200)).Select(i => (hosts[random.Next(hosts.Length)], T0 + (i * S), (double?)i, (long?)i))]);
            var picked = Enumerable.Range(0, random.Next(2, 5)).Select(_ => hosts[random.Next(hosts.Length - 1)]!).ToList();
            var or = picked.Skip(1).Aggregate(Eq(Host, Str(picked[0])), (acc, h) => Or(acc, Eq(Host, Str(h))));
            var list = Predicates.AsInList(or)!;
            var context = new EvalContext(0);
            Assert.Equal(Mask(or.EvaluateMask(batch, context)), Mask(list.EvaluateMask(batch, context)));
            var not = new NotExpr(or);
            var notIn = new InListExpr(list.Operand, list.Values, negated: true);
            Assert.Equal(Mask(not.EvaluateMask(batch, context)), Mask(notIn.EvaluateMask(batch, context)));
        }
    }

    /// <summary>Through the engine: the scan's filter shows the list, and the rows are those of a filter it cannot rewrite.</summary>
    [Fact]
    public async Task A_query_filters_with_the_list_and_answers_the_same_rows()
    {
        var source = new MemoryTableSource();
        var random = new Random(5);
        string?[] hosts = ["a", "b", "c", "d", null];
        source.Add("cpu", MemoryTableSource.CpuSchema,
            [.. Enumerable.Range(0, 5).Select(b => MemoryTableSource.Cpu([.. Enumerable.Range(0, 300).Select(i => (hosts[random.Next(hosts.Length)], T0 + (((b * 300) + i) * S), (double?)random.Next(100), (long?)((b * 300) + i)))]))]);
        var engine = new SqlEngine(new QueryExecutor(source, TimeProvider.System));
        var explained = await Text(engine, "EXPLAIN SELECT n FROM cpu WHERE host = 'a' OR host = 'c' OR 'd' = host");
        Assert.Contains("host IN ('a', 'c', 'd')", explained, StringComparison.Ordinal);
        var listed = await Text(engine, "SELECT n FROM cpu WHERE host = 'a' OR host = 'c' OR 'd' = host ORDER BY n");
        // usage is never negative: the same rows, through an OR the optimizer leaves alone.
        var plain = await Text(engine, "SELECT n FROM cpu WHERE host = 'a' OR host = 'c' OR 'd' = host OR usage < -1 ORDER BY n");
        Assert.Equal(plain, listed);
        Assert.True(listed.Split('\n').Length > 500, listed);
    }

    private static bool?[] Mask(BooleanArray mask) =>
        [.. Enumerable.Range(0, mask.Length).Select(i => mask.IsNull(i) ? (bool?)null : mask.GetValue(i))];

    private static async Task<string> Text(SqlEngine engine, string sql)
    {
        var result = await engine.ExecuteAsync("db", sql, CancellationToken.None);
        return string.Join('\n', result.Batches.SelectMany(b => Enumerable.Range(0, b.Length)
            .Select(r => string.Join('|', b.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))))));
    }
}
