using Tsdb.EndToEnd.Tests.InfluxQL;

namespace Tsdb.EndToEnd.Tests;

/// <summary>The comparison logic of the InfluxQL differential test, on hand-made 1.x answers (no server).</summary>
public sealed class InfluxQLAnswerComparerTests
{
    private const string Base = """
        {"results":[{"statement_id":0,"series":[
          {"name":"cpu","tags":{"host":"a"},"columns":["time","max","status"],"values":[[10,1.5,"ok"],[20,2,null]]},
          {"name":"cpu","tags":{"host":"b"},"columns":["time","max","status"],"values":[[10,3,"ok"]]}]}]}
        """;

    [Fact]
    public void Identical_answers_agree() => Assert.Null(InfluxQLAnswerComparer.Diff(Base, Base));

    [Fact]
    public void Ints_and_floats_compare_as_numbers_and_tiny_float_noise_is_tolerated()
    {
        var other = Base.Replace("[20,2,null]", "[20,2.0000000000001,null]", StringComparison.Ordinal).Replace("[10,3,", "[10,3.0,", StringComparison.Ordinal);
        Assert.Null(InfluxQLAnswerComparer.Diff(Base, other));
    }

    [Fact]
    public void A_different_value_is_reported_with_its_series_row_and_column()
    {
        var diff = InfluxQLAnswerComparer.Diff(Base, Base.Replace("[10,1.5,\"ok\"]", "[10,1.50001,\"ok\"]", StringComparison.Ordinal));
        Assert.NotNull(diff);
        Assert.Contains("cpu{host=a}: row 0 differs in column 'max' (1.5 vs 1.50001)", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_versus_a_value_and_string_versus_number_are_reported()
    {
        Assert.Contains("column 'status' (null vs \"x\")", InfluxQLAnswerComparer.Diff(Base, Base.Replace("[20,2,null]", "[20,2,\"x\"]", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("column 'max' (3 vs \"3\")", InfluxQLAnswerComparer.Diff(Base, Base.Replace("[10,3,", "[10,\"3\",", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_time_is_reported()
    {
        var diff = InfluxQLAnswerComparer.Diff(Base, Base.Replace("[20,2,null]", "[21,2,null]", StringComparison.Ordinal));
        Assert.Contains("row 1 differs in column 'time' (20 vs 21)", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Big_integers_compare_exactly()
    {
        var a = """{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,9007199254740993]]}]}]}""";
        Assert.NotNull(InfluxQLAnswerComparer.Diff(a, a.Replace("9007199254740993", "9007199254740992", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_different_tag_is_a_missing_and_an_unexpected_series()
    {
        var diff = InfluxQLAnswerComparer.Diff(Base, Base.Replace("\"host\":\"b\"", "\"host\":\"c\"", StringComparison.Ordinal));
        Assert.Contains("1 series missing from the actual answer: cpu{host=b}", diff, StringComparison.Ordinal);
        Assert.Contains("1 unexpected series in the actual answer: cpu{host=c}", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_column_is_reported()
    {
        var diff = InfluxQLAnswerComparer.Diff(Base, Base.Replace("\"max\",\"status\"]", "\"max_1\",\"status\"]", StringComparison.Ordinal));
        Assert.Contains("cpu{host=a}: columns differ", diff, StringComparison.Ordinal);
        Assert.Contains("actual:   [time, max_1, status]", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_in_another_order_are_reported()
    {
        var a = """{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","a","b"],"values":[[1,1,2]]}]}]}""";
        var b = """{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","b","a"],"values":[[1,2,1]]}]}]}""";
        Assert.Contains("columns differ", InfluxQLAnswerComparer.Diff(a, b), StringComparison.Ordinal);
    }

    [Fact]
    public void Series_in_another_order_are_reported()
    {
        var a = """{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"h":"a"},"columns":["time"],"values":[[1]]},{"name":"m","tags":{"h":"b"},"columns":["time"],"values":[[1]]}]}]}""";
        var b = """{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"h":"b"},"columns":["time"],"values":[[1]]},{"name":"m","tags":{"h":"a"},"columns":["time"],"values":[[1]]}]}]}""";
        Assert.Contains("series order differs at position 0: expected m{h=a}, actual m{h=b}", InfluxQLAnswerComparer.Diff(a, b), StringComparison.Ordinal);
        Assert.Null(InfluxQLAnswerComparer.Diff(a, b, checkSeriesOrder: false));
    }

    [Fact]
    public void Rows_in_another_order_and_missing_rows_are_reported()
    {
        Assert.Contains("row 0 differs in column 'time' (10 vs 20)",
            InfluxQLAnswerComparer.Diff(Base, Base.Replace("[[10,1.5,\"ok\"],[20,2,null]]", "[[20,2,null],[10,1.5,\"ok\"]]", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("expected 2 row(s), actual 1; first missing row 1: [20,2,null]",
            InfluxQLAnswerComparer.Diff(Base, Base.Replace(",[20,2,null]", "", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_sharing_a_time_may_come_in_any_order()
    {
        var a = """{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,3],[1,2.0],[2,1]]}]}]}""";
        var b = """{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,2],[1,3],[2,1]]}]}]}""";
        Assert.Null(InfluxQLAnswerComparer.Diff(a, b));
        Assert.NotNull(InfluxQLAnswerComparer.Diff(a, b.Replace("[1,3]", "[1,4]", StringComparison.Ordinal)));
    }

    [Fact]
    public void Missing_tags_equal_empty_tags()
    {
        var a = """{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,1]]}]}]}""";
        var b = """{"results":[{"statement_id":0,"series":[{"name":"m","tags":{},"columns":["time","v"],"values":[[1,1]]}]}]}""";
        Assert.Null(InfluxQLAnswerComparer.Diff(a, b));
    }

    [Fact]
    public void Statement_count_and_errors_are_compared()
    {
        var two = """{"results":[{"statement_id":0},{"statement_id":1}]}""";
        Assert.Contains("expected 1 statement result(s), actual 2", InfluxQLAnswerComparer.Diff(Base, two), StringComparison.Ordinal);
        var error = """{"results":[{"statement_id":0,"error":"undefined function foo()"}]}""";
        Assert.Null(InfluxQLAnswerComparer.Diff(error, """{"results":[{"statement_id":0,"error":"unknown function foo"}]}"""));
        Assert.Contains("statement 0: expected the error \"undefined function foo()\"", InfluxQLAnswerComparer.Diff(error, Base), StringComparison.Ordinal);
        Assert.Contains("statement 0: unexpected error \"boom\"", InfluxQLAnswerComparer.Diff(Base, """{"results":[{"statement_id":0,"error":"boom"}]}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_errors_must_match_exactly_other_errors_need_not()
    {
        var parse = """{"error":"error parsing query: found EOF, expected FROM at line 1, char 9"}""";
        Assert.Null(InfluxQLAnswerComparer.Diff(parse, parse));
        Assert.Contains("top-level error text differs", InfluxQLAnswerComparer.Diff(parse, """{"error":"error parsing query: expected FROM"}"""), StringComparison.Ordinal);
        Assert.Contains("expected a top-level error", InfluxQLAnswerComparer.Diff(parse, Base), StringComparison.Ordinal);
        Assert.Null(InfluxQLAnswerComparer.Diff("""{"error":"database not found: x"}""", """{"error":"no such database"}"""));
    }

    [Fact]
    public void An_answer_that_is_not_json_is_reported()
    {
        Assert.Contains("the actual answer is not a JSON object", InfluxQLAnswerComparer.Diff(Base, "(HTTP 404, not JSON) "), StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_markers_and_groups_are_parsed()
    {
        var entries = InfluxQLCorpus.Parse(["## selectors", "# a note", "SELECT max(v) FROM m", "", "[error] SELECT foo(v) FROM m", "[empty] SELECT v FROM m WHERE v > 1000", "[any-series-order][empty] SELECT integral(v) FROM m GROUP BY h"]);
        Assert.Equal(4, entries.Count);
        Assert.Equal(new InfluxQLCorpusEntry("SELECT max(v) FROM m", "selectors", 3, false, false), entries[0]);
        Assert.True(entries[1].ExpectError);
        Assert.Equal("SELECT foo(v) FROM m", entries[1].Query);
        Assert.True(entries[2].ExpectEmpty);
        Assert.Equal(new InfluxQLCorpusEntry("SELECT integral(v) FROM m GROUP BY h", "selectors", 7, false, true, true), entries[3]);
        Assert.Throws<FormatException>(() => InfluxQLCorpus.Parse(["[bogus] SELECT 1"]));
        Assert.Null(InfluxQLCorpus.Parse(["[epoch=none] SELECT 1"])[0].Epoch);
        Assert.Equal("ms", InfluxQLCorpus.Parse(["[epoch=ms][empty] SELECT 1"])[0].Epoch);
        Assert.Equal("ns", entries[0].Epoch);
    }
}
