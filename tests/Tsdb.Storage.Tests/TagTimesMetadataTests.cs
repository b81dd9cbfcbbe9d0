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

    [Fact]
    public void Mutated_text_decodes_or_fails_as_invalid_data_only()
    {
        var valid = TagTimesMetadata.Encode(new TagTimes(new Dictionary<string, KeyTimes> { ["host_1"] = new(1, 2), ["é\"x"] = new(-3, 40) }, new KeyTimes(5, 6)));
        const string Alphabet = "[]{}\",:-0123456789.eE nultrfa\\u";
        var random = new Random(16);
        for (var i = 0; i < 5000; i++)
        {
            var chars = valid.ToCharArray().ToList();
            for (var m = 0; m < 1 + random.Next(4); m++)
            {
                var at = random.Next(chars.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when chars.Count > 0 && at < chars.Count:
                        chars.RemoveAt(at);
                        break;
                    case 1:
                        chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    default:
                        if (at < chars.Count)
                        {
                            chars[at] = Alphabet[random.Next(Alphabet.Length)];
                        }
                        break;
                }
            }
            var text = new string([.. chars]);
            try
            {
                TagTimesMetadata.Decode(text);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Theory]
    [InlineData("", "tag times: ")]
    [InlineData("{}", "tag times: found StartObject, expected StartArray")]
    [InlineData("[[\"a\",1]]", "tag times: found EndArray, expected Number")]
    [InlineData("[[1,1,2]]", "tag times: a value is Number, expected a string or null")]
    [InlineData("[[\"a\",1,2]", "tag times: ")]
    [InlineData("[[\"a\",1.5,2]]", "tag times: ")]
    [InlineData("[[\"a\",1,2]] x", "tag times: ")]
    [InlineData("[[\"a\",1,2]][]", "tag times: ")]
    public void Malformed_text_is_an_invalid_data_error(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => TagTimesMetadata.Decode(text));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
