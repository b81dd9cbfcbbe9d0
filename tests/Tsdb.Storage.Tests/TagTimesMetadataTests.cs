using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;

namespace Tsdb.Storage.Tests;

public sealed class TagTimesMetadataTests
{
    [Fact]
    public void Values_with_quotes_and_non_ascii_and_the_missing_tag_round_trip()
    {
        var times = new TagTimes(new Dictionary<string, KeyTimes>
        {
            ["host \"1\",\n"] = new(long.MinValue, long.MaxValue),
            ["zürich"] = new(-5, 7),
            [""] = new(0, 0),
        }, new KeyTimes(3, 4));
        var text = TagTimesMetadata.Encode(times);
        var back = TagTimesMetadata.Decode(text);
        Assert.Equal(times.Values.OrderBy(v => v.Key, StringComparer.Ordinal), back.Values.OrderBy(v => v.Key, StringComparer.Ordinal));
        Assert.Equal(new KeyTimes(3, 4), back.Missing);
        Assert.True(back.OldestExact);
        Assert.Null(TagTimesMetadata.Decode(TagTimesMetadata.Encode(new TagTimes(new Dictionary<string, KeyTimes>(), null))).Missing);
    }

    [Theory]
    [InlineData("", "tag times: ")]
    [InlineData("{}", "tag times: found StartObject, expected StartArray")]
    [InlineData("[[\"a\",1]]", "tag times: found EndArray, expected Number")]
    [InlineData("[[1,1,2]]", "tag times: a value is Number, expected a string or null")]
    [InlineData("[[\"a\",1,2]", "tag times: ")]
    [InlineData("[[\"a\",1.5,2]]", "tag times: ")]
    public void Malformed_text_is_an_invalid_data_error(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => TagTimesMetadata.Decode(text));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
