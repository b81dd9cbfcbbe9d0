using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class ValidLineTests
{
    [Theory]
    // Shape: measurement, tags, fields, timestamp.
    [InlineData("cpu value=1", "cpu [] {value:F=1}")]
    [InlineData("cpu,host=a,region=us-west usage=0.5 1556813561098000000", "cpu [host=a, region=us-west] {usage:F=0.5} @1556813561098000000")]
    [InlineData("m a=1,b=2i,c=3u,d=\"x\",e=true 7", "m [] {a:F=1, b:I=2, c:U=3, d:S=\"x\", e:B=true} @7")]
    // Floats.
    [InlineData("m f=1.0", "m [] {f:F=1}")]
    [InlineData("m f=-1.5", "m [] {f:F=-1.5}")]
    [InlineData("m f=0.1", "m [] {f:F=0.1}")]
    [InlineData("m f=1e10", "m [] {f:F=10000000000}")]
    [InlineData("m f=1.5E-3", "m [] {f:F=0.0015}")]
    [InlineData("m f=-1.234456e+78", "m [] {f:F=-1.234456E+78}")]
    [InlineData("m f=1E+20", "m [] {f:F=1E+20}")]
    [InlineData("m f=.5", "m [] {f:F=0.5}")]
    [InlineData("m f=1.", "m [] {f:F=1}")]
    [InlineData("m f=-0", "m [] {f:F=-0}")]
    [InlineData("m f=007", "m [] {f:F=7}")]
    [InlineData("m f=123456789012345.6789", "m [] {f:F=123456789012345.67}")]
    [InlineData("m f=12345678901234567890", "m [] {f:F=1.2345678901234567E+19}")]
    [InlineData("m f=1.7976931348623157E+308", "m [] {f:F=1.7976931348623157E+308}")]
    [InlineData("m f=5E-324", "m [] {f:F=5E-324}")]
    // Integers and unsigned integers.
    [InlineData("m f=1i", "m [] {f:I=1}")]
    [InlineData("m f=0i", "m [] {f:I=0}")]
    [InlineData("m f=-12485903i", "m [] {f:I=-12485903}")]
    [InlineData("m f=9223372036854775807i", "m [] {f:I=9223372036854775807}")]
    [InlineData("m f=-9223372036854775808i", "m [] {f:I=-9223372036854775808}")]
    [InlineData("m f=0u", "m [] {f:U=0}")]
    [InlineData("m f=12485903u", "m [] {f:U=12485903}")]
    [InlineData("m f=18446744073709551615u", "m [] {f:U=18446744073709551615}")]
    // Every boolean spelling.
    [InlineData("m f=t", "m [] {f:B=true}")]
    [InlineData("m f=T", "m [] {f:B=true}")]
    [InlineData("m f=true", "m [] {f:B=true}")]
    [InlineData("m f=True", "m [] {f:B=true}")]
    [InlineData("m f=TRUE", "m [] {f:B=true}")]
    [InlineData("m f=f", "m [] {f:B=false}")]
    [InlineData("m f=F", "m [] {f:B=false}")]
    [InlineData("m f=false", "m [] {f:B=false}")]
    [InlineData("m f=False", "m [] {f:B=false}")]
    [InlineData("m f=FALSE", "m [] {f:B=false}")]
    // Strings: delimiters inside quotes, escaped quote and backslash, other backslashes kept.
    [InlineData("m f=\"hello world\"", "m [] {f:S=\"hello world\"}")]
    [InlineData("m f=\"a,b=c d\",g=1", "m [] {f:S=\"a,b=c d\", g:F=1}")]
    [InlineData("m f=\"\"", "m [] {f:S=\"\"}")]
    [InlineData(@"m f=""say \""hi\"""" 5", @"m [] {f:S=""say ""hi""""} @5")]
    [InlineData(@"m f=""back\\slash""", @"m [] {f:S=""back\slash""}")]
    [InlineData(@"m f=""\\""", @"m [] {f:S=""\""}")]
    [InlineData(@"m f=""a\nb\tc""", @"m [] {f:S=""a\nb\tc""}")]
    [InlineData(@"m f=""\"",g=1""", @"m [] {f:S="""",g=1""}")]
    [InlineData("m f=\"a\rb\"", "m [] {f:S=\"a\rb\"}")]
    // Escapes in measurement, tag keys, tag values and field keys.
    [InlineData(@"my\ Table fieldKey=""string value""", @"my Table [] {fieldKey:S=""string value""}")]
    [InlineData(@"m\,x f=1", "m,x [] {f:F=1}")]
    [InlineData("m=x f=1", "m=x [] {f:F=1}")]
    [InlineData(@"m\=x f=1", @"m\=x [] {f:F=1}")]
    [InlineData(@"myTable,tag\ Key1=tag\ Value1,tag\ Key2=tag\ Value2 fieldKey=100", "myTable [tag Key1=tag Value1, tag Key2=tag Value2] {fieldKey:F=100}")]
    [InlineData(@"m,k\=1=v\=2,k\,2=v\,3 f=1", "m [k=1=v=2, k,2=v,3] {f:F=1}")]
    [InlineData("m,k=a=b f=1", "m [k=a=b] {f:F=1}")]
    [InlineData(@"m f\ key=1,f\,k\=x=2", "m [] {f key:F=1, f,k=x:F=2}")]
    [InlineData(@"m,t=\a f=1", @"m [t=\a] {f:F=1}")]
    [InlineData(@"m,t=v\\ f=1", @"m [t=v\] {f:F=1}")]
    [InlineData(@"m\\ f=1", @"m\ [] {f:F=1}")]
    [InlineData(@"a\b f=1", @"a\b [] {f:F=1}")]
    [InlineData(@"a\\b f=1", @"a\b [] {f:F=1}")]
    [InlineData(@"a\\\b f=1", @"a\\b [] {f:F=1}")]
    [InlineData(@"a\\\\b f=1", @"a\\b [] {f:F=1}")]
    [InlineData(@"a\\\\\b f=1", @"a\\\b [] {f:F=1}")]
    [InlineData("\"m\",'t'=\"v\" f=1", "\"m\" ['t'=\"v\"] {f:F=1}")]
    [InlineData("m#x,t=#1 f=1", "m#x [t=#1] {f:F=1}")]
    [InlineData("myTable,tagKey=🍭 fieldKey=\"Launch 🚀\" 1556813561098000000", "myTable [tagKey=🍭] {fieldKey:S=\"Launch 🚀\"} @1556813561098000000")]
    // Timestamps.
    [InlineData("m f=1 0", "m [] {f:F=1} @0")]
    [InlineData("m f=1 -1", "m [] {f:F=1} @-1")]
    [InlineData("m f=1 9223372036854775807", "m [] {f:F=1} @9223372036854775807")]
    [InlineData("m f=1 -9223372036854775808", "m [] {f:F=1} @-9223372036854775808")]
    [InlineData("m f=1 0001", "m [] {f:F=1} @1")]
    // Spaces: several between sections, leading and trailing.
    [InlineData("m  f=1", "m [] {f:F=1}")]
    [InlineData("m f=1  123", "m [] {f:F=1} @123")]
    [InlineData("m f=1 123   ", "m [] {f:F=1} @123")]
    [InlineData("m f=1 ", "m [] {f:F=1}")]
    [InlineData("   m f=1", "m [] {f:F=1}")]
    [InlineData("\t m f=1", "m [] {f:F=1}")]
    [InlineData("m,t=1   f=1", "m [t=1] {f:F=1}")]
    public void Parses_a_valid_line(string text, string expected)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Null(error);
        Assert.Equal(expected, LineDescriber.Describe(input, line));
        Assert.Equal(1, line.LineNumber);
        Assert.False(reader.TryReadLine(line, out error));
        Assert.Null(error);
    }

    [Fact]
    public void Ranges_point_into_the_input()
    {
        var input = @"my\ m,host=a\,b usage=0.5,s=""q\""x"" 99"u8.ToArray();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        Assert.True(reader.TryReadLine(line, out _));

        Assert.Equal(new TextRange(0, input.Length, true), line.LineRange);
        Assert.Equal(new TextRange(0, 5, true), line.Measurement);
        Assert.Equal(new TextRange(6, 4, false), line.GetTagKey(0));
        Assert.Equal(new TextRange(11, 4, true), line.GetTagValue(0));
        Assert.Equal(new TextRange(16, 5, false), line.GetFieldKey(0));
        Assert.Equal(new TextRange(26, 1, false), line.GetFieldKey(1));
        Assert.Equal(new TextRange(29, 4, true), line.GetStringValue(1));
        Assert.True(line.HasTimestamp);
        Assert.Equal(99, line.Timestamp);
    }

    [Fact]
    public void A_plain_line_has_no_escapes()
    {
        var input = "cpu,host=a usage=1i 5"u8.ToArray();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        Assert.True(reader.TryReadLine(line, out _));
        Assert.False(line.LineRange.HasEscapes);
        Assert.False(line.Measurement.HasEscapes);
    }

    [Fact]
    public void Getters_check_index_and_kind()
    {
        var input = "m,t=1 f=1i"u8.ToArray();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        Assert.True(reader.TryReadLine(line, out _));

        Assert.Equal(1, line.GetInteger(0));
        Assert.Throws<InvalidOperationException>(() => line.GetFloat(0));
        Assert.Throws<InvalidOperationException>(() => line.GetUInteger(0));
        Assert.Throws<InvalidOperationException>(() => line.GetBoolean(0));
        Assert.Throws<InvalidOperationException>(() => line.GetStringValue(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.GetFieldKey(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.GetTagKey(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => line.GetTagValue(-1));
    }

    [Fact]
    public void Wide_lines_grow_the_arrays_and_narrow_lines_reuse_them()
    {
        var text = new StringBuilder("m");
        for (var i = 0; i < 40; i++)
        {
            text.Append(",t").Append(i).Append("=v").Append(i);
        }
        text.Append(' ');
        for (var i = 0; i < 70; i++)
        {
            text.Append(i == 0 ? "" : ",").Append('f').Append(i).Append('=').Append(i).Append('i');
        }
        text.Append("\nn g=1\n");
        var input = Encoding.UTF8.GetBytes(text.ToString());
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Null(error);
        Assert.Equal(40, line.TagCount);
        Assert.Equal(70, line.FieldCount);
        Assert.Equal("t39", LineProtocolText.GetString(input, line.GetTagKey(39), EscapeContext.TagKey));
        Assert.Equal(69, line.GetInteger(69));

        Assert.True(reader.TryReadLine(line, out error));
        Assert.Null(error);
        Assert.Equal("n [] {g:F=1}", LineDescriber.Describe(input, line));
    }
}
