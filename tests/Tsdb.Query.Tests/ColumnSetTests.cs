using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests;

/// <summary>The bit set column pruning uses, against a sorted set doing the same operations.</summary>
public sealed class ColumnSetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Answers_as_a_sorted_set_does(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var set = new ColumnSet();
            var model = new SortedSet<int>();
            // Positions across several 64-bit words, including the word edges.
            var span = random.Next(1, 300);
            for (var op = 0; op < random.Next(0, 80); op++)
            {
                var column = random.Next(0, 4) == 0 ? 64 * random.Next(0, span / 64 + 1) + random.Next(-1, 1) : random.Next(0, span);
                column = Math.Max(0, column);
                Assert.Equal(model.Add(column), set.Add(column));
            }
            Assert.Equal(model.Count, set.Count);
            Assert.Equal(model, set.ToList());
            for (var probe = -1; probe < span + 70; probe++)
            {
                Assert.Equal(model.Contains(probe), set.Contains(probe));
            }
            var limit = random.Next(0, span + 1);
            var below = set.Below(limit);
            Assert.Equal(model.Where(c => c < limit), below.ToList());
            Assert.Equal(model.Count(c => c < limit), below.Count);

            var copy = set.Copy();
            copy.Add(span + 1000);
            Assert.False(set.Contains(span + 1000));
            Assert.Equal(model.Count + 1, copy.Count);
        }
    }

    [Fact]
    public void Range_holds_every_position_below_the_count()
    {
        Assert.Equal(Enumerable.Range(0, 130), ColumnSet.Range(130).ToList());
        Assert.Empty(ColumnSet.Range(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColumnSet().Add(-1));
    }

    [Fact]
    public void Collects_every_column_an_expression_reads()
    {
        var a = new ColumnExpr(3, "a", ArrowType.Int64);
        var b = new ColumnExpr(70, "b", ArrowType.Int64);
        var e = new NotExpr(new BinaryExpr(BinaryOp.Greater, new BinaryExpr(BinaryOp.Add, a, b, ArrowType.Int64), new LiteralExpr(1L, ArrowType.Int64), ArrowType.Boolean));
        var set = new ColumnSet();
        set.AddColumnsOf(e);
        set.AddColumnsOf(new LiteralExpr(2L, ArrowType.Int64));
        Assert.Equal([3, 70], set.ToList());
    }
}
