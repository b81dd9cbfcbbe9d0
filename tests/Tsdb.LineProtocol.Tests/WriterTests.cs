using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class WriterTests
{
    [Fact]
    public void Writes_escaped_lines()
    {
        var writer = new LineProtocolWriter();
        writer.Measurement("my Table,x=y").Tag("tag Key", "a,b=c").Tag("t", @"back\slash")
            .Field("f key", 1.5).Field("i", 42L).Field("u", 7UL).Field("b", true).Field("s", "say \"hi\" \\ ok, a=b")
            .Timestamp(-123).EndLine();
        writer.Measurement("m").Field("f", false).EndLine();

        Assert.Equal(
            "my\\ Table\\,x=y,tag\\ Key=a\\,b\\=c,t=back\\\\slash f\\ key=1.5,i=42i,u=7u,b=true,s=\"say \\\"hi\\\" \\\\ ok, a=b\" -123\n" +
            "m f=false\n",
            Encoding.UTF8.GetString(writer.WrittenSpan));
        Assert.Equal(writer.WrittenSpan.ToArray(), writer.ToArray());
        Assert.Equal(writer.WrittenSpan.Length, writer.WrittenCount);

        Assert.Equal(
            [
                "L1: my Table,x=y [tag Key=a,b=c, t=back\\slash] {f key:F=1.5, i:I=42, u:U=7, b:B=true, s:S=\"say \"hi\" \\ ok, a=b\"} @-123",
                "L2: m [] {f:B=false}",
            ],
            LineDescriber.ReadAll(writer.ToArray()));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e20, "1E+20")]
    [InlineData(-1.5e-5, "-1.5E-05")]
    [InlineData(-0.0, "-0")]
    [InlineData(123.0, "123")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(double.Epsilon, "5E-324")]
    public void Writes_floats_that_read_back_exactly(double value, string text)
    {
        var writer = new LineProtocolWriter();
        writer.Measurement("m").Field("f", value).EndLine();
        Assert.Equal($"m f={text}\n", Encoding.UTF8.GetString(writer.WrittenSpan));

        var line = new ParsedLine();
        var reader = new LineProtocolReader(writer.WrittenSpan);
        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Null(error);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(line.GetFloat(0)));
    }

    [Fact]
    public void Writes_extreme_integers()
    {
        var writer = new LineProtocolWriter(0);
        writer.Measurement("m").Field("a", long.MinValue).Field("b", long.MaxValue).Field("c", ulong.MaxValue).Timestamp(long.MinValue).EndLine();
        Assert.Equal("m a=-9223372036854775808i,b=9223372036854775807i,c=18446744073709551615u -9223372036854775808\n", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void Clear_starts_over()
    {
        var writer = new LineProtocolWriter();
        writer.Measurement("m").Field("f", 1L);
        writer.Clear();
        Assert.Equal(0, writer.WrittenCount);
        writer.Measurement("n").Field("g", 2L).EndLine();
        Assert.Equal("n g=2i\n", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void Refuses_what_line_protocol_cannot_carry()
    {
        var writer = new LineProtocolWriter();
        Assert.Throws<ArgumentException>(() => writer.Measurement(""));
        Assert.Throws<ArgumentException>(() => writer.Measurement("#m"));
        Assert.Throws<ArgumentException>(() => writer.Measurement("\tm"));
        Assert.Throws<ArgumentException>(() => writer.Measurement("a\nb"));
        Assert.Throws<ArgumentException>(() => writer.Measurement("bad\uD800"));
        Assert.Throws<ArgumentNullException>(() => writer.Measurement(null!));
        writer.Clear();
        writer.Measurement("m");
        Assert.Throws<ArgumentException>(() => writer.Tag("", "v"));
        Assert.Throws<ArgumentException>(() => writer.Tag("k", ""));
        Assert.Throws<ArgumentException>(() => writer.Tag("k", "a\nb"));
        Assert.Throws<ArgumentException>(() => writer.Field("", 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Field("f", double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Field("f", double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Field("f", double.NegativeInfinity));
        Assert.Throws<ArgumentException>(() => writer.Field("f", "a\nb"));
        Assert.Throws<ArgumentException>(() => writer.Field("f", "x\uDC00"));
        Assert.Throws<ArgumentException>(() => writer.Field("f\uD83D", 1L));
        Assert.Throws<ArgumentException>(() => writer.Tag("k", "\uD83Dx"));
        writer.Field("f", "ok").EndLine();
        Assert.Equal("m f=\"ok\"\n", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void Refuses_calls_out_of_order()
    {
        var writer = new LineProtocolWriter();
        Assert.Throws<InvalidOperationException>(() => writer.Tag("k", "v"));
        Assert.Throws<InvalidOperationException>(() => writer.Field("f", 1L));
        Assert.Throws<InvalidOperationException>(() => writer.Timestamp(1));
        Assert.Throws<InvalidOperationException>(() => writer.EndLine());
        writer.Measurement("m");
        Assert.Throws<InvalidOperationException>(() => writer.Measurement("n"));
        Assert.Throws<InvalidOperationException>(() => writer.Timestamp(1));
        Assert.Throws<InvalidOperationException>(() => writer.EndLine());
        writer.Field("f", 1L);
        Assert.Throws<InvalidOperationException>(() => writer.Tag("k", "v"));
        writer.Timestamp(5);
        Assert.Throws<InvalidOperationException>(() => writer.Field("g", 1L));
        Assert.Throws<InvalidOperationException>(() => writer.Timestamp(6));
        writer.EndLine();
        Assert.Equal("m f=1i 5\n", Encoding.UTF8.GetString(writer.WrittenSpan));
    }
}
