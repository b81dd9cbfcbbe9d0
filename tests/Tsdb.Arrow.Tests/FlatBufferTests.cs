using Tsdb.Arrow.FlatBuffers;

namespace Tsdb.Arrow.Tests;

public sealed class FlatBufferTests
{
    [Fact]
    public void Tables_strings_vectors_and_defaults_round_trip()
    {
        var b = new FlatBufferBuilder(16); // small, to exercise growth
        var name = b.CreateString("zażółć");
        var longs = b.CreateLongVector([1, -2, long.MaxValue]);
        b.StartTable(2);
        b.AddInt(0, 42, 0);
        var child = b.EndTable();
        var children = b.CreateOffsetVector([child, child]);
        b.StartTable(7);
        b.AddOffset(0, name);
        b.AddShort(1, 7, 0);
        b.AddLong(2, 0, 0);          // default: not written
        b.AddOffset(3, longs);
        b.AddOffset(4, children);
        b.AddBool(5, true, false);
        b.AddByte(6, 9, 0);
        var root = b.EndTable();
        var bytes = b.Finish(root).ToArray();

        var table = FlatBufferTable.Root(bytes);
        Assert.Equal("zażółć", table.GetString(0));
        Assert.Equal(7, table.GetShort(1));
        Assert.False(table.Has(2));
        Assert.Equal(-5, table.GetLong(2, -5));
        var (start, count) = table.GetVector(3, 8);
        Assert.Equal(3, count);
        Assert.Equal(long.MaxValue, table.ReadLongAt(start + 16));
        var (childStart, childCount) = table.GetVector(4, 4);
        Assert.Equal(2, childCount);
        Assert.Equal(42, table.GetVectorTable(childStart, 1).GetInt(0));
        Assert.True(table.GetBool(5));
        Assert.Equal(9, table.GetByte(6));
        Assert.Null(table.GetTable(9));
    }

    [Fact]
    public void Offsets_outside_the_buffer_are_format_errors()
    {
        Assert.Throws<ArrowFormatException>(() => FlatBufferTable.Root(new byte[] { 1, 2 }));
        Assert.Throws<ArrowFormatException>(() => FlatBufferTable.Root(new byte[] { 200, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.Throws<ArrowFormatException>(() => FlatBufferTable.Root(new byte[] { 4, 0, 0, 0, 100, 0, 0, 0 }));
    }
}
