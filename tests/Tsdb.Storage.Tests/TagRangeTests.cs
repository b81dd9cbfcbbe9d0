using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Storage.Persistence;

namespace Tsdb.Storage.Tests;

/// <summary>A file's tag range (what queries prune files by) is the least and greatest value its rows hold.</summary>
public sealed class TagRangeTests
{
    private static DictionaryArray Dictionary(params string?[] values)
    {
        using var builder = new DictionaryArrayBuilder();
        foreach (var value in values)
        {
            builder.Append(value);
        }
        return builder.Build();
    }

    [Fact]
    public void A_dictionary_column_ranges_over_the_entries_its_rows_use()
    {
        Assert.Equal(new TagRange("a", "z"), ParquetFileWriter.TagRangeOf(Dictionary("m", null, "z", "a", "m")));
        // A slice keeps the whole dictionary: entries no row of the slice uses must not widen the range.
        Assert.Equal(new TagRange("b", "m"), ParquetFileWriter.TagRangeOf(Dictionary("a", "m", null, "b", "m", "z").Slice(1, 4)));
        Assert.Equal(new TagRange(null, null), ParquetFileWriter.TagRangeOf(Dictionary("a", null, "z").Slice(1, 1)));
    }

    [Fact]
    public void A_string_column_ranges_over_its_values_in_ordinal_order()
    {
        using var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
        foreach (var value in new[] { "b", null, "B", "é", "a" })
        {
            builder.Append(value);
        }
        Assert.Equal(new TagRange("B", "é"), ParquetFileWriter.TagRangeOf(builder.Build()));
    }
}
