namespace Tsdb.PromQL.Tests;

/// <summary><see cref="PromQLEngine.ExtractSelectors"/>, what <c>/api/v1/query_exemplars</c> selects by (Prometheus' <c>parser.ExtractSelectors</c>).</summary>
public sealed class SelectorExtractionTests
{
    private static string Show(string query) =>
        string.Join(" | ", PromQLEngine.ExtractSelectors(query).Select(set => string.Join(",", set.Select(m => $"{m.Name}{m.Type switch { MatchType.Equal => "=", MatchType.NotEqual => "!=", MatchType.RegexMatch => "=~", _ => "!~" }}{m.Value}"))));

    [Theory]
    [InlineData("up", "__name__=up")]
    [InlineData("1 + 1", "")]
    [InlineData("time()", "")]
    [InlineData("{job=\"a\"}", "job=a")]
    [InlineData("rate(http_requests_total{code!~\"5..\"}[5m])", "__name__=http_requests_total,code!~5..")]
    [InlineData("sum by (job) (rate(a[1m])) / on(job) group_left count(b offset 1h) > bool 3", "__name__=a | __name__=b")]
    [InlineData("max_over_time(deriv(x[5m])[1h:1m])", "__name__=x")]
    [InlineData("-(topk(scalar(k), c))", "__name__=c | __name__=k")]
    [InlineData("label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")", "__name__=up")]
    [InlineData("histogram_quantile(0.9, sum by (le) (rate(h_bucket{job=\"api\"}[5m])))", "__name__=h_bucket,job=api")]
    public void Every_vector_selector_is_listed_in_order(string query, string expected) => Assert.Equal(expected, Show(query));

    [Fact]
    public void A_query_that_does_not_parse_is_bad_data()
    {
        var error = Assert.Throws<PromQLException>(() => PromQLEngine.ExtractSelectors("rate(up[5m]"));
        Assert.Equal(PromQLErrorType.BadData, error.ErrorType);
    }
}
