using Tsdb.Cli.Client;
using Tsdb.Cli.Output;

namespace Tsdb.Cli.Tests;

public sealed class OutputTests
{
    private const string Matrix = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"cpu","host":"a"},"values":[[1700000000,"1.5"],[1700000001.5,"+Inf"]]},
          {"metric":{"zone":"z"},"values":[[1700000000,"2"]]}]}}
        """;

    [Fact]
    public void A_matrix_is_a_row_per_point_with_every_label_as_a_column()
    {
        var rows = PromQLRows.Parse(Matrix);
        Assert.Equal(["__name__", "host", "zone", "time", "value"], rows.Columns);
        Assert.Equal(3, rows.Rows.Count);
        Assert.Equal(["cpu", "a", null, "2023-11-14T22:13:20Z", 1.5], rows.Rows[0]);
        Assert.Equal(["cpu", "a", null, "2023-11-14T22:13:21.5Z", "+Inf"], rows.Rows[1]);
        Assert.Equal([null, null, "z", "2023-11-14T22:13:20Z", 2.0], rows.Rows[2]);
    }

    [Fact]
    public void Native_histogram_samples_are_rows_whose_value_is_the_histogram_object()
    {
        const string histogram = """{"count":"2","sum":"1.5","buckets":[[0,"0.5","1","2"]]}""";
        var vector = PromQLRows.Parse($$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"histogram":[1700000000,{{{histogram}}}]},{"metric":{"job":"b"},"value":[1700000000,"3"]}]}}""");
        Assert.Equal(["a", "2023-11-14T22:13:20Z", histogram], vector.Rows[0]);
        Assert.Equal(["b", "2023-11-14T22:13:20Z", 3.0], vector.Rows[1]);
        var matrix = PromQLRows.Parse($$$"""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"histograms":[[1700000000,{{{histogram}}}]]},{"metric":{"job":"b"},"values":[[1700000000,"1"]],"histograms":[[1700000001,{{{histogram}}}]]}]}}""");
        Assert.Equal(3, matrix.Rows.Count);
        Assert.Equal(["a", "2023-11-14T22:13:20Z", histogram], matrix.Rows[0]);
        Assert.Equal(["b", "2023-11-14T22:13:21Z", histogram], matrix.Rows[2]);
    }

    [Fact]
    public void A_scalar_is_one_row_and_an_error_answer_is_an_error()
    {
        var rows = PromQLRows.Parse("""{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}""");
        Assert.Equal(["time", "value"], rows.Columns);
        Assert.Equal(["1970-01-01T00:00:04Z", 2.0], Assert.Single(rows.Rows));
        Assert.Equal("the query failed: bad", Assert.Throws<CliException>(() => PromQLRows.Parse("""{"status":"error","error":"bad"}""")).Message);
    }

    [Fact]
    public void Csv_json_and_jsonl_of_rows()
    {
        var rows = PromQLRows.Parse(Matrix);
        Assert.Equal(
            "__name__,host,zone,time,value\ncpu,a,,2023-11-14T22:13:20Z,1.5\ncpu,a,,2023-11-14T22:13:21.5Z,+Inf\n,,z,2023-11-14T22:13:20Z,2\n",
            Render(rows, "csv"));
        Assert.Equal(
            """[{"__name__":"cpu","host":"a","time":"2023-11-14T22:13:20Z","value":1.5},{"__name__":"cpu","host":"a","time":"2023-11-14T22:13:21.5Z","value":"+Inf"},{"zone":"z","time":"2023-11-14T22:13:20Z","value":2}]""" + "\n",
            Render(rows, "json"));
        Assert.Equal(3, Render(rows, "jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Pretty_is_a_table_with_a_row_count_and_csv_read_back_keeps_quoted_values()
    {
        var rows = RowWriter.FromCsv("name,n\n\"a, b\",1\nc,\nd,100\n");
        Assert.Equal(["a, b", "1"], rows.Rows[0]);
        Assert.Equal(["c", null], rows.Rows[1]);
        var table = Render(rows, "pretty");
        Assert.Contains("│ a, b │", table, StringComparison.Ordinal);
        Assert.Contains("│ a, b │   1 │", table, StringComparison.Ordinal);   // numbers right-aligned
        Assert.Contains("3 rows", table, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", table, StringComparison.Ordinal); // no colour codes when not a terminal
    }

    [Theory]
    [InlineData("now", 0)]
    [InlineData("-1h", -3600)]
    [InlineData("now-1h30m", -5400)]
    [InlineData("-500ms", -0.5)]
    public void Relative_times_count_back_from_now(string text, double seconds)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.Equal(now.AddSeconds(seconds), PromQLTime.Parse(text, now));
    }

    [Theory]
    [InlineData("1700000000.5", 1_700_000_000_500)]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000_000)]
    [InlineData("2023-11-14T22:13:20.25Z", 1_700_000_000_250)]
    public void Absolute_times_are_unix_seconds_or_rfc3339(string text, long milliseconds)
    {
        Assert.Equal(milliseconds, PromQLTime.Parse(text, DateTimeOffset.UnixEpoch).ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_range_query_without_a_step_asks_for_about_250_points()
    {
        var path = QueryCommand.PromQLPath("up", "metrics", range: true, time: null, start: "1700000000", end: "1700003600", step: null);
        Assert.Equal("api/v1/query_range?query=up&db=metrics&start=1700000000&end=1700003600&step=15", path);
        Assert.Equal("api/v1/query?query=rate%28x%5B1m%5D%29&time=1700000000", QueryCommand.PromQLPath("rate(x[1m])", null, range: false, time: "1700000000", null, null, null));
    }

    private static string Render(RowSet rows, string format)
    {
        using var writer = new StringWriter();
        RowWriter.Write(rows, format, writer, terminal: false);
        return writer.ToString();
    }
}
