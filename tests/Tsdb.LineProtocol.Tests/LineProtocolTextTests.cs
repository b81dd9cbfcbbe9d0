using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class LineProtocolTextTests
{
    [Theory]
    [InlineData(@"plain", EscapeContext.Measurement, "plain")]
    [InlineData(@"a\,b\ c", EscapeContext.Measurement, "a,b c")]
    [InlineData(@"a\=b", EscapeContext.Measurement, @"a\=b")]
    [InlineData(@"a\""b", EscapeContext.Measurement, @"a\""b")]
    [InlineData(@"a\,b\ c\=d", EscapeContext.TagKey, "a,b c=d")]
    [InlineData(@"a\,b\ c\=d", EscapeContext.TagValue, "a,b c=d")]
    [InlineData(@"a\,b\ c\=d", EscapeContext.FieldKey, "a,b c=d")]
    [InlineData(@"a\""b", EscapeContext.TagValue, @"a\""b")]
    [InlineData(@"a\""b\\c", EscapeContext.StringFieldValue, @"a""b\c")]
    [InlineData(@"a\,b\ c\=d", EscapeContext.StringFieldValue, @"a\,b\ c\=d")]
    [InlineData(@"\n\t", EscapeContext.StringFieldValue, @"\n\t")]
    [InlineData(@"end\", EscapeContext.TagValue, @"end\")]
    [InlineData(@"\", EscapeContext.StringFieldValue, @"\")]
    // The backslash table of the line protocol reference holds in every context.
    [InlineData(@"\\", EscapeContext.Measurement, @"\")]
    [InlineData(@"\\\", EscapeContext.TagKey, @"\\")]
    [InlineData(@"\\\\", EscapeContext.TagValue, @"\\")]
    [InlineData(@"\\\\\", EscapeContext.FieldKey, @"\\\")]
    [InlineData(@"\\\\\\", EscapeContext.StringFieldValue, @"\\\")]
    [InlineData("\\🚀", EscapeContext.TagValue, "\\🚀")]
    public void Unescapes_by_context(string raw, EscapeContext context, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(raw);
        var destination = new byte[bytes.Length];
        var length = LineProtocolText.Unescape(bytes, context, destination);
        Assert.Equal(expected, Encoding.UTF8.GetString(destination, 0, length));

        var range = new TextRange(0, bytes.Length, raw.Contains('\\', StringComparison.Ordinal));
        Assert.Equal(expected, LineProtocolText.GetString(bytes, range, context));
        Assert.True(LineProtocolText.Equals(bytes, range, context, Encoding.UTF8.GetBytes(expected)));
        Assert.False(LineProtocolText.Equals(bytes, range, context, Encoding.UTF8.GetBytes(expected + "x")));
        Assert.False(LineProtocolText.Equals(bytes, range, context, Encoding.UTF8.GetBytes(expected).AsSpan()[..^1]));
    }

    [Fact]
    public void Equals_compares_a_sub_range()
    {
        var input = @"xx\ yy"u8.ToArray();
        Assert.True(LineProtocolText.Equals(input, new TextRange(1, 4, true), EscapeContext.Measurement, "x y"u8));
        Assert.False(LineProtocolText.Equals(input, new TextRange(1, 4, true), EscapeContext.Measurement, "x z"u8));
        Assert.True(LineProtocolText.Equals(input, new TextRange(0, 2, false), EscapeContext.Measurement, "xx"u8));
        Assert.False(LineProtocolText.Equals(input, new TextRange(0, 2, false), EscapeContext.Measurement, "xy"u8));
    }

    [Fact]
    public void Unescape_refuses_a_destination_that_is_too_small()
    {
        Assert.Throws<ArgumentException>(() => LineProtocolText.Unescape(@"ab\ c"u8, EscapeContext.TagKey, new byte[3]));
        Assert.Throws<ArgumentException>(() => LineProtocolText.Unescape(@"abcd"u8, EscapeContext.TagKey, new byte[3]));
        Assert.Throws<ArgumentException>(() => LineProtocolText.Unescape(@"abc\"u8, EscapeContext.TagKey, new byte[3]));
        Assert.Equal(4, LineProtocolText.Unescape(@"ab\ c"u8, EscapeContext.TagKey, new byte[4]));
    }

    [Fact]
    public void Long_escaped_text_is_unescaped_through_a_pooled_buffer()
    {
        var raw = string.Concat(Enumerable.Repeat(@"x\,", 500));
        var bytes = Encoding.UTF8.GetBytes(raw);
        var text = LineProtocolText.GetString(bytes, new TextRange(0, bytes.Length, true), EscapeContext.TagValue);
        Assert.Equal(string.Concat(Enumerable.Repeat("x,", 500)), text);
    }

    [Theory]
    [InlineData("ab", "ab", true)]
    [InlineData(@"a\ b", @"a\ b", true)]
    [InlineData(@"a\ b", "a b", true)]
    [InlineData(@"a\b", @"a\\b", true)]
    [InlineData(@"a\=", "a=", true)]
    [InlineData("ab", "abc", false)]
    [InlineData(@"a\ b", @"a\ c", false)]
    [InlineData(@"a\ b", @"a\ bc", false)]
    public void Raw_ranges_compare_by_their_unescaped_text(string left, string right, bool equal)
    {
        var input = Encoding.UTF8.GetBytes(left + right);
        var a = new TextRange(0, Encoding.UTF8.GetByteCount(left), left.Contains('\\', StringComparison.Ordinal));
        var b = new TextRange(a.Length, input.Length - a.Length, right.Contains('\\', StringComparison.Ordinal));
        Assert.Equal(equal, LineProtocolText.RawEquals(input, a, b, EscapeContext.TagKey));
        Assert.Equal(equal, LineProtocolText.RawEquals(input, b, a, EscapeContext.TagKey));
    }
}
