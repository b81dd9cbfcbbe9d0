using Tsdb.Cli.Writing;

namespace Tsdb.Cli.Tests;

public sealed class CsvReaderTests
{
    [Fact]
    public void Quoted_fields_hold_commas_quotes_and_line_breaks_and_records_keep_their_first_line()
    {
        var reader = new CsvReader(new StringReader("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"two\nlines\",\n3,,\"\"\n"));
        Assert.Equal((1, "a|b|c"), Unpack(reader.Read()));
        Assert.Equal((2, "1|x, y|say \"hi\""), Unpack(reader.Read()));
        Assert.Equal((4, "2|two\nlines|"), Unpack(reader.Read()));
        Assert.Equal((6, "3||"), Unpack(reader.Read()));
        Assert.Null(reader.Read());
    }

    [Fact]
    public void An_unclosed_quote_is_an_error_with_its_line()
    {
        var reader = new CsvReader(new StringReader("a\n\"open\n"));
        reader.Read();
        Assert.Equal("line 2: a quoted field is not closed", Assert.Throws<FormatException>(() => reader.Read()).Message);
    }

    private static (int, string) Unpack((int LineNumber, List<string> Fields)? record) => (record!.Value.LineNumber, string.Join("|", record.Value.Fields));
}
