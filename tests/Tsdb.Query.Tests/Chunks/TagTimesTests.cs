using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Query.Chunks;

namespace Tsdb.Query.Tests.Chunks;

public sealed class TagTimesTests
{
    private static DictionaryArray Tags(params string?[] values)
    {
        using var builder = new DictionaryArrayBuilder();
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return (DictionaryArray)builder.Build();
    }

    private static List<string> Listed(TagTimes times) =>
        [.. times.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}:{v.Value.Oldest}-{v.Value.Newest}"),
            .. times.Missing is { } m ? [$"(missing):{m.Oldest}-{m.Newest}"] : Array.Empty<string>()];

    [Fact]
    public void Batches_of_dictionaries_and_strings_add_up_per_value_with_the_rows_without_the_tag()
    {
        var builder = new TagTimesBuilder(10);
        builder.Add(Tags("a", "b", null, "a", "a"), [5, 7, 9, 3, 4]);
        // A slice (offset into its buffers) and a plain utf8 column count the same way.
        builder.Add(Tags("x", "b", "c", null).Slice(1, 3), [20, 21, 1]);
        builder.Add(Columns.FromStrings(["a", null]), [30, 2]);
        var times = builder.Build();
        Assert.NotNull(times);
        Assert.Equal(["a:3-30", "b:7-20", "c:21-21", "(missing):1-9"], Listed(times));
        Assert.True(times.OldestExact);
    }

    [Fact]
    public void Past_the_limit_of_values_there_is_no_statistic()
    {
        var builder = new TagTimesBuilder(2);
        builder.Add(Tags("a", "b", "a"), [1, 2, 3]);
        Assert.False(builder.GaveUp);
        builder.Add(Tags("c"), [4]);
        Assert.True(builder.GaveUp);
        builder.Add(Tags("a"), [5]);
        Assert.Null(builder.Build());
    }

    [Fact]
    public void After_a_time_drops_the_values_whose_rows_are_all_older_and_keeps_newest_times_exact()
    {
        var times = new TagTimes(new Dictionary<string, KeyTimes> { ["a"] = new(10, 30), ["b"] = new(5, 20), ["c"] = new(25, 40) }, new KeyTimes(1, 2));
        var after = times.After(20);
        Assert.Equal(["a:10-30", "c:25-40"], Listed(after));
        Assert.False(after.OldestExact);   // a's row at 10 is gone, its oldest visible time unknown
        var untouched = times.After(0);
        Assert.True(untouched.OldestExact);
        Assert.Equal(4, untouched.Count);
    }
}
