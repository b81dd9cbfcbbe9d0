using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class InvalidLineTests
{
    [Theory]
    // Measurement and sections.
    [InlineData(",t=1 f=1", "missing measurement", 1)]
    [InlineData("  ,t=1 f=1", "missing measurement", 3)]
    [InlineData("m", "missing fields", 2)]
    [InlineData("m ", "missing fields", 3)]
    [InlineData("m,t=1", "missing fields", 6)]
    [InlineData("m,t=1   ", "missing fields", 9)]
    [InlineData(@"m\ f=1", "missing fields", 7)]
    // Tags.
    [InlineData("m,=1 f=1", "missing tag key", 3)]
    [InlineData("m, f=1", "missing tag key", 3)]
    [InlineData("m,t=1, f=1", "missing tag key", 7)]
    [InlineData("m,t=1,,u=2 f=1", "missing tag key", 7)]
    [InlineData("m,t f=1", "expected '=' after tag key", 4)]
    [InlineData("m,t,u=1 f=1", "expected '=' after tag key", 4)]
    [InlineData("m,t", "expected '=' after tag key", 4)]
    [InlineData("m,t= f=1", "missing tag value", 5)]
    [InlineData("m,t=,u=1 f=1", "missing tag value", 5)]
    [InlineData("m,t=", "missing tag value", 5)]
    [InlineData("m,t=1,t=2 f=1", "duplicate tag key", 7)]
    [InlineData("m,t=1,u=2,t=1 f=1", "duplicate tag key", 11)]
    [InlineData(@"m,a\ b=1,a\ b=2 f=1", "duplicate tag key", 10)]
    [InlineData(@"m,a\=b=1,a\=b=2 f=1", "duplicate tag key", 10)]
    // Field keys.
    [InlineData("m =1", "missing field key", 3)]
    [InlineData("m f=1,", "missing field key", 7)]
    [InlineData("m f=1,,g=1", "missing field key", 7)]
    [InlineData("m f=1, g=2", "missing field key", 7)]
    [InlineData("m f", "expected '=' after field key", 4)]
    [InlineData("m f,g=1", "expected '=' after field key", 4)]
    [InlineData("m f g=1", "expected '=' after field key", 4)]
    [InlineData("m f=1,5", "expected '=' after field key", 8)]
    // A repeated field key refuses the line, whatever the types (InfluxDB 3's rule); the column is the repeat's.
    [InlineData("m f=1,f=2", "multiple instances of 'f' field found", 7)]
    [InlineData("m a=1,b=2,a=3", "multiple instances of 'a' field found", 11)]
    [InlineData("m a=1i,a=1i", "multiple instances of 'a' field found", 8)]
    [InlineData("m s=\"x\",t=1,s=\"y\"", "multiple instances of 's' field found", 13)]
    [InlineData("m f=1,f=2i", "multiple instances of 'f' field found", 7)]
    [InlineData("m f=\"a\",f=true", "multiple instances of 'f' field found", 9)]
    [InlineData(@"m a\ b=1,a\ b=2", "multiple instances of 'a b' field found", 10)]
    [InlineData(@"m a\=b=1,a\=b=2", "multiple instances of 'a=b' field found", 10)]
    [InlineData("m,f=a f=1", "field key is also a tag key", 7)]
    [InlineData(@"m,a\ b=x g=1,a\ b=1", "field key is also a tag key", 14)]
    // Field values.
    [InlineData("m f=", "missing field value", 5)]
    [InlineData("m f=,g=1", "missing field value", 5)]
    [InlineData("m f= 1", "missing field value", 5)]
    [InlineData("m f=abc", "invalid field value", 5)]
    [InlineData("m f=+1", "invalid field value", 5)]
    [InlineData("m f=NaN", "invalid field value", 5)]
    [InlineData("m f=nan", "invalid field value", 5)]
    [InlineData("m f=Inf", "invalid field value", 5)]
    [InlineData("m f=-Inf", "invalid field value", 5)]
    [InlineData("m f=Infinity", "invalid field value", 5)]
    [InlineData("m f=1.2.3", "invalid field value", 5)]
    [InlineData("m f=1e", "invalid field value", 5)]
    [InlineData("m f=1e+", "invalid field value", 5)]
    [InlineData("m f=.", "invalid field value", 5)]
    [InlineData("m f=-", "invalid field value", 5)]
    [InlineData("m f=--1", "invalid field value", 5)]
    [InlineData("m f=0x10", "invalid field value", 5)]
    [InlineData("m f=1_000", "invalid field value", 5)]
    [InlineData("m f= 1.5", "missing field value", 5)]
    [InlineData("m f=1.5 x", "invalid timestamp", 9)]
    [InlineData("m f=tru", "invalid field value", 5)]
    [InlineData("m f=tRUE", "invalid field value", 5)]
    [InlineData("m f=yes", "invalid field value", 5)]
    [InlineData("m f=1\"", "invalid field value", 5)]
    [InlineData("m f=1.5i", "invalid field value", 5)]
    [InlineData("m f=i", "invalid field value", 5)]
    [InlineData("m f=-i", "invalid field value", 5)]
    [InlineData("m f=+1i", "invalid field value", 5)]
    [InlineData("m f=1I", "invalid field value", 5)]
    [InlineData("m f=1e3i", "invalid field value", 5)]
    [InlineData("m f=1.5u", "invalid field value", 5)]
    [InlineData("m f=u", "invalid field value", 5)]
    [InlineData("m f=+1u", "invalid field value", 5)]
    [InlineData("m f=9223372036854775808i", "integer value out of range", 5)]
    [InlineData("m f=-9223372036854775809i", "integer value out of range", 5)]
    [InlineData("m f=99999999999999999999999i", "integer value out of range", 5)]
    [InlineData("m f=18446744073709551616u", "unsigned integer value out of range", 5)]
    [InlineData("m f=-1u", "unsigned integer value is negative", 5)]
    [InlineData("m f=-0u", "unsigned integer value is negative", 5)]
    [InlineData("m f=1e400", "float value out of range", 5)]
    [InlineData("m f=-1e400", "float value out of range", 5)]
    [InlineData("m f=\"abc", "unterminated string", 5)]
    [InlineData(@"m f=""abc\""", "unterminated string", 5)]
    [InlineData("m g=1,f=\"abc", "unterminated string", 9)]
    [InlineData("m f=\"a\"b", "expected ',' or ' ' after string value", 8)]
    [InlineData("m f=\"a\"\"b\"", "expected ',' or ' ' after string value", 8)]
    // Timestamps.
    [InlineData("m f=1 abc", "invalid timestamp", 7)]
    [InlineData("m f=1 1.5", "invalid timestamp", 7)]
    [InlineData("m f=1 1e9", "invalid timestamp", 7)]
    [InlineData("m f=1 +1", "invalid timestamp", 7)]
    [InlineData("m f=1 -", "invalid timestamp", 7)]
    [InlineData("m f=1 12i", "invalid timestamp", 7)]
    [InlineData("m f=1 9223372036854775808", "timestamp out of range", 7)]
    [InlineData("m f=1 -9223372036854775809", "timestamp out of range", 7)]
    [InlineData("m f=1 123 456", "unexpected text after timestamp", 11)]
    [InlineData("m f=1 123   x", "unexpected text after timestamp", 13)]
    public void Reports_a_bad_line(string text, string message, int column)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input, firstLineNumber: 7);

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Equal(new LineError(7, column, message, text), error);
        Assert.False(reader.TryReadLine(line, out error));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'m', (byte)' ', (byte)'f', (byte)'=', (byte)'"', 0xFF, (byte)'"' }, 6)]
    [InlineData(new byte[] { 0xC3, (byte)' ', (byte)'f', (byte)'=', (byte)'1' }, 1)]
    [InlineData(new byte[] { (byte)'m', (byte)',', (byte)'t', (byte)'=', 0xE2, 0x82, (byte)' ', (byte)'f', (byte)'=', (byte)'1' }, 5)]
    [InlineData(new byte[] { (byte)'m', (byte)' ', (byte)'f', (byte)'=', (byte)'1', 0xED, 0xA0, 0x80 }, 6)]
    public void Reports_invalid_utf8_at_the_first_bad_byte(byte[] input, int column)
    {
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.NotNull(error);
        Assert.Equal("invalid UTF-8", error.Value.Message);
        Assert.Equal(column, error.Value.Column);
        Assert.Equal(Encoding.UTF8.GetString(input), error.Value.OriginalLine);
    }

    [Theory]
    [InlineData(3, 250)]
    [InlineData(249, 250)]
    [InlineData(64, 130)]
    public void A_repeat_among_many_fields_is_found(int repeated, int fieldCount)
    {
        // Past 64 keys every bit of the key filter is set, so the search falls back to comparing keys.
        var fields = string.Join(',', Enumerable.Range(0, fieldCount).Select(i => $"f{i}={i}i"));
        var text = $"m {fields},f{repeated}=1i";
        var line = new ParsedLine();
        var reader = new LineProtocolReader(Encoding.UTF8.GetBytes(text));

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Equal(new LineError(1, text.Length - $"f{repeated}=1i".Length + 1, $"multiple instances of 'f{repeated}' field found", text), error);

        reader = new LineProtocolReader(Encoding.UTF8.GetBytes($"m {fields}"));
        Assert.True(reader.TryReadLine(line, out error));
        Assert.Null(error);
        Assert.Equal(fieldCount, line.FieldCount);
    }

    [Theory]
    // Past 32 keys a hash table replaces the filter: the same checks, with escapes unescaped before comparing.
    [InlineData(100, 0, "t40", "duplicate tag key")]
    [InlineData(100, 0, "t99", "duplicate tag key")]
    [InlineData(40, 10, "f3", "multiple instances of 'f3' field found")]
    [InlineData(40, 10, "t7", "field key is also a tag key")]
    [InlineData(10, 40, "t7", "field key is also a tag key")]
    [InlineData(10, 40, @"e\ 1", "multiple instances of 'e 1' field found")]
    [InlineData(10, 40, @"e\,2", "multiple instances of 'e,2' field found")]
    public void Repeats_in_wide_lines_are_found(int tagCount, int fieldCount, string repeat, string message)
    {
        var tags = string.Concat(Enumerable.Range(0, tagCount).Select(i => $",t{i}=v"));
        var fields = string.Join(',', Enumerable.Range(0, fieldCount).Select(i => $"f{i}=1").Append(@"e\ 1=1,e\,2=2"));
        var text = tagCount >= fieldCount && message == "duplicate tag key"
            ? $"m{tags},{repeat}=v {fields}"
            : $"m{tags} {fields},{repeat}=1";
        var line = new ParsedLine();
        var reader = new LineProtocolReader(Encoding.UTF8.GetBytes(text));

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Equal(message, error?.Message);
        Assert.Equal(text.LastIndexOf("," + repeat + "=", StringComparison.Ordinal) + 2, error?.Column);
    }

    [Fact]
    public void A_line_of_a_hundred_thousand_fields_is_read_in_linear_time()
    {
        // With a quadratic search this line would take billions of key comparisons.
        var text = "m " + string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"f{i}=1"));
        var line = new ParsedLine();
        var reader = new LineProtocolReader(Encoding.UTF8.GetBytes(text));

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Null(error);
        Assert.Equal(100_000, line.FieldCount);
        reader = new LineProtocolReader(Encoding.UTF8.GetBytes(text + ",f5=2"));
        Assert.True(reader.TryReadLine(line, out error));
        Assert.Equal("multiple instances of 'f5' field found", error?.Message);
    }

    [Fact]
    public void The_original_line_has_no_line_break()
    {
        var input = "ok f=1\r\nm f=abc\r\nok f=2"u8.ToArray();
        var results = new List<LineError>();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        while (reader.TryReadLine(line, out var error))
        {
            if (error is { } e)
            {
                results.Add(e);
            }
        }
        Assert.Equal([new LineError(2, 5, "invalid field value", "m f=abc")], results);
        Assert.Equal("line 2, column 5: invalid field value: m f=abc", results[0].ToString());
    }
}
