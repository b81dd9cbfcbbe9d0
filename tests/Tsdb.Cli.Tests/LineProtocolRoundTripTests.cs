using System.Text;
using Tsdb.Cli.Writing;
using Tsdb.LineProtocol;

namespace Tsdb.Cli.Tests;

/// <summary>What the CSV converter writes, read back by the line-protocol parser the server uses.</summary>
public sealed class LineProtocolRoundTripTests
{
    public static TheoryData<string> Awkward => ["plain", "with space", "a,b", "k=v", "back\\slash", "trailing\\", "\\,", "quote\"d", "ünïcødé ✓", "=", " lead", "#hash"];

    [Theory]
    [MemberData(nameof(Awkward))]
    public void Names_tags_and_strings_come_back_as_they_went_in(string text)
    {
        var schema = CsvSchema.Parse(["measurement", "tag:" + text, "field:" + text + "_f:string", "field:n:integer", "time"], null);
        // A measurement cannot start with '#' (the line would be a comment): prefixed, escaping is the same.
        var line = schema.ToLineProtocol(["m" + text, text, text, "7", "1700000000000000001"], 1);
        var bytes = Encoding.UTF8.GetBytes(line);
        var reader = new LineProtocolReader(bytes);
        var parsed = new ParsedLine();
        Assert.True(reader.TryReadLine(parsed, out var error));
        Assert.Null(error);
        Assert.Equal("m" + text, Tsdb.LineProtocol.LineProtocolText.GetString(bytes, parsed.Measurement, EscapeContext.Measurement));
        Assert.Equal(text, Tsdb.LineProtocol.LineProtocolText.GetString(bytes, parsed.GetTagKey(0), EscapeContext.TagKey));
        Assert.Equal(text, Tsdb.LineProtocol.LineProtocolText.GetString(bytes, parsed.GetTagValue(0), EscapeContext.TagValue));
        Assert.Equal(text + "_f", Tsdb.LineProtocol.LineProtocolText.GetString(bytes, parsed.GetFieldKey(0), EscapeContext.FieldKey));
        Assert.Equal(text, Tsdb.LineProtocol.LineProtocolText.GetString(bytes, parsed.GetStringValue(0), EscapeContext.StringFieldValue));
        Assert.Equal(7, parsed.GetInteger(1));
        Assert.Equal(1700000000000000001, parsed.Timestamp);
    }

    [Fact]
    public void A_measurement_starting_with_a_hash_is_refused_rather_than_written_as_a_comment()
    {
        var e = Assert.Throws<FormatException>(() => CsvSchema.Parse(["measurement", "v"], null).ToLineProtocol(["#m", "1"], 1));
        Assert.Equal("the measurement '#m' starts with '#', which would make the line a comment", e.Message);
    }

    [Theory]
    [InlineData("0.1")]
    [InlineData("-1e300")]
    [InlineData("5e-324")]
    [InlineData("1.7976931348623157E+308")]
    [InlineData("123456789012345678")]
    public void Floats_keep_their_exact_value(string text)
    {
        var line = CsvSchema.Parse(["field:v:float"], "m").ToLineProtocol([text], 1);
        var bytes = Encoding.UTF8.GetBytes(line);
        var parsed = new ParsedLine();
        Assert.True(new LineProtocolReader(bytes).TryReadLine(parsed, out var error));
        Assert.Null(error);
        Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), parsed.GetFloat(0));
    }
}
