using Tsdb.Cli.Writing;

namespace Tsdb.Cli.Tests;

public sealed class CsvSchemaTests
{
    private const long Ns = 1;

    [Theory]
    [InlineData("tag:host", "Tag", "host", "Auto")]
    [InlineData("field:usage", "Field", "usage", "Auto")]
    [InlineData("field:usage:float", "Field", "usage", "Float")]
    [InlineData("field:n:integer", "Field", "n", "Integer")]
    [InlineData("field:n:int", "Field", "n", "Integer")]
    [InlineData("field:u:uinteger", "Field", "u", "UInteger")]
    [InlineData("field:s:string", "Field", "s", "String")]
    [InlineData("field:ok:boolean", "Field", "ok", "Boolean")]
    [InlineData("field:a:b", "Field", "a:b", "Auto")]            // not a type: part of the name
    [InlineData("FIELD:x", "Field", "x", "Auto")]
    [InlineData("time", "Time", "time", "Auto")]
    [InlineData("time:ts", "Time", "ts", "Auto")]
    [InlineData("measurement", "Measurement", "measurement", "Auto")]
    [InlineData("_measurement", "Measurement", "_measurement", "Auto")]
    [InlineData("iox::measurement", "Measurement", "iox::measurement", "Auto")]
    [InlineData("ignore:note", "Ignore", "note", "Auto")]
    [InlineData("usage", "Field", "usage", "Auto")]               // no prefix: a field
    [InlineData("region", "Tag", "region", "Auto")]               // in --tags
    [InlineData("label:time", "Field", "label:time", "Auto")]     // unknown prefix: the whole name
    [InlineData(" tag:host ", "Tag", "host", "Auto")]
    public void Header_cells_name_kind_and_type(string cell, string kind, string name, string type)
    {
        var schema = CsvSchema.Parse([cell, "field:v"], "m", new HashSet<string> { "region" });
        Assert.Equal(new CsvColumn(Enum.Parse<CsvColumnKind>(kind), name, Enum.Parse<CsvFieldType>(type)), schema.Columns[0]);
    }

    [Theory]
    [InlineData("tag:host,time", "header: no field column (name them field:NAME, or leave the prefix out)")]
    [InlineData("time,time:t,v", "header: more than one time column")]
    [InlineData("measurement,_measurement,v", "header: more than one measurement column")]
    [InlineData("tag:v,field:v", "header: 'v' is named twice")]
    [InlineData("tag:,v", "header column 1 ('tag:') has no name")]
    public void Bad_headers_are_refused_with_a_reason(string header, string message)
    {
        var e = Assert.Throws<FormatException>(() => CsvSchema.Parse(header.Split(','), "m"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Without_a_measurement_the_header_must_name_one()
    {
        var e = Assert.Throws<FormatException>(() => CsvSchema.Parse(["v"], null));
        Assert.Equal("no table name: give --measurement NAME or a 'measurement' column", e.Message);
        Assert.Equal("cpu v=1", CsvSchema.Parse(["measurement", "v"], null).ToLineProtocol(["cpu", "1"], Ns));
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("2", "2")]
    [InlineData("-1e300", "-1E+300")]
    [InlineData("true", "true")]
    [InlineData("FALSE", "false")]
    [InlineData("hello", "\"hello\"")]
    [InlineData("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"")]
    [InlineData("NaN", "\"NaN\"")]   // line protocol has no NaN: kept as the text it is
    public void Untyped_fields_guess_number_boolean_or_string(string value, string expected)
    {
        Assert.Equal($"m v={expected}", CsvSchema.Parse(["v"], "m").ToLineProtocol([value], Ns));
    }

    [Fact]
    public void Rows_become_escaped_line_protocol_with_typed_fields_and_time()
    {
        var schema = CsvSchema.Parse(["time", "tag:host name", "tag:region", "field:usage:float", "field:n:integer", "field:u:uinteger", "field:ok:boolean", "field:note:string", "ignore:x"], "cpu load");
        Assert.Equal(
            "cpu\\ load,host\\ name=a\\,b\\=c,region=eu usage=1,n=-3i,u=4u,ok=true,note=\"x, y\" 1700000000123456789",
            schema.ToLineProtocol(["2023-11-14T22:13:20.123456789Z", "a,b=c", "eu", "1", "-3", "4", "T", "x, y", "ignored"], Ns));
    }

    [Fact]
    public void Empty_cells_are_absent_tags_and_fields_and_an_empty_time_is_the_servers()
    {
        var schema = CsvSchema.Parse(["time", "tag:host", "field:a", "field:b", "field:s:string"], "m");
        Assert.Equal("m b=2,s=\"\"", schema.ToLineProtocol(["", "", "", "2", ""], Ns));
    }

    [Theory]
    [InlineData("field:n:integer", "1.5", "'n': '1.5' is not an integer")]
    [InlineData("field:u:uinteger", "-1", "'u': '-1' is not an unsigned integer")]
    [InlineData("field:f:float", "abc", "'f': 'abc' is not a float")]
    [InlineData("field:f:float", "NaN", "NaN cannot be written (line protocol has no NaN or infinity)")]
    [InlineData("field:ok:boolean", "maybe", "'ok': 'maybe' is not a boolean (true or false)")]
    public void Values_that_do_not_fit_their_type_reject_the_row(string header, string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => CsvSchema.Parse([header], "m").ToLineProtocol([value], Ns));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Rows_with_the_wrong_width_or_no_fields_are_rejected()
    {
        var schema = CsvSchema.Parse(["tag:host", "v"], "m");
        Assert.Equal("1 values for 2 header columns", Assert.Throws<FormatException>(() => schema.ToLineProtocol(["a"], Ns)).Message);
        Assert.Equal("no field values", Assert.Throws<FormatException>(() => schema.ToLineProtocol(["a", ""], Ns)).Message);
        Assert.Contains("line break", Assert.Throws<FormatException>(() => schema.ToLineProtocol(["a\nb", "1"], Ns)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1700000000", 1_000_000_000L, 1700000000L)]                          // integers are in the precision's unit
    [InlineData("2023-11-14T22:13:20Z", 1L, 1700000000000000000L)]
    [InlineData("2023-11-14T22:13:20Z", 1_000_000_000L, 1700000000L)]
    [InlineData("2023-11-14T22:13:20.5Z", 1_000_000L, 1700000000500L)]
    [InlineData("2023-11-14 22:13:20.000000001", 1L, 1700000000000000001L)]         // as the query API prints it: no zone is UTC
    [InlineData("2023-11-15T00:13:20+02:00", 1L, 1700000000000000000L)]
    [InlineData("2023-11-15T00:13:20+0200", 1L, 1700000000000000000L)]
    [InlineData("1969-12-31T23:59:59Z", 1L, -1_000_000_000L)]
    public void Times_are_integers_or_rfc3339_in_the_writes_precision(string text, long nanosPerUnit, long expected)
    {
        Assert.Equal(expected, TimeText.Parse(text, nanosPerUnit));
    }

    [Theory]
    [InlineData("yesterday", "time 'yesterday' is neither an integer nor an RFC 3339 timestamp (2024-01-02T03:04:05Z)")]
    [InlineData("2023-13-01T00:00:00Z", "time '2023-13-01T00:00:00Z' is not a valid date and time")]
    [InlineData("2023-11-14T22:13:20.5Z", "time '2023-11-14T22:13:20.5Z' is finer than the precision: pick a finer --precision")]
    public void Bad_times_say_why(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => TimeText.Parse(text, 1_000_000_000)).Message);
    }
}
