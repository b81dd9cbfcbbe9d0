using Tsdb.PromQL.Ast;
using Tsdb.PromQL.Parsing;
using Tsdb.PromQL.Tests.Conformance;

namespace Tsdb.PromQL.Tests;

/// <summary>
/// The printed forms of parsed expressions, against the inputs and outputs Prometheus' own printer and prettier tests
/// assert (promql/parser/printer_test.go and prettier_test.go, the latter with its line limit of 10), so
/// <c>/api/v1/format_query</c> answers what Prometheus answers.
/// </summary>
public sealed class PrinterTests
{
    [Theory]
    [InlineData("sum by() (task:errors:rate10s{job=\"s\"})", "sum(task:errors:rate10s{job=\"s\"})")]
    [InlineData("sum by(code) (task:errors:rate10s{job=\"s\"})", "sum by (code) (task:errors:rate10s{job=\"s\"})")]
    [InlineData("sum without() (task:errors:rate10s{job=\"s\"})", "sum without () (task:errors:rate10s{job=\"s\"})")]
    [InlineData("sum without(instance) (task:errors:rate10s{job=\"s\"})", "sum without (instance) (task:errors:rate10s{job=\"s\"})")]
    [InlineData("sum(x) by (b, a)", "sum by (b, a) (x)")]
    [InlineData("topk(5, task:errors:rate10s{job=\"s\"})", null)]
    [InlineData("count_values(\"value\", task:errors:rate10s{job=\"s\"})", null)]
    [InlineData("a - on() c", "a - on () c")]
    [InlineData("a - on(b) c", "a - on (b) c")]
    [InlineData("a - on(b) group_left(x) c", "a - on (b) group_left (x) c")]
    [InlineData("a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c")]
    [InlineData("a - on(b) group_left c", "a - on (b) group_left () c")]
    [InlineData("a - on(b) group_left() (c)", "a - on (b) group_left () (c)")]
    [InlineData("a - ignoring(b) c", "a - ignoring (b) c")]
    [InlineData("a - ignoring() c", "a - c")]
    [InlineData("up > bool 0", null)]
    [InlineData("a offset 1m", null)]
    [InlineData("a offset -7m", null)]
    [InlineData("a{c=\"d\"}[5m] offset 1m", null)]
    [InlineData("a[5m] offset 1m", null)]
    [InlineData("a[12m] offset -3m", null)]
    [InlineData("a[1h:5m] offset 1m", null)]
    [InlineData("a[1h:] @ end()", null)]
    [InlineData("{__name__=\"a\"}", null)]
    [InlineData("a{b!=\"c\"}[1m]", null)]
    [InlineData("a{b=~\"c\"}[1m]", null)]
    [InlineData("a{b!~\"c\"}[1m]", null)]
    [InlineData("a @ 10", "a @ 10.000")]
    [InlineData("a[1m] @ 10", "a[1m] @ 10.000")]
    [InlineData("a @ start()", null)]
    [InlineData("a @ end()", null)]
    [InlineData("a[1m] @ start()", null)]
    [InlineData("a[1m] @ end()", null)]
    // Matchers sorted and joined without spaces; durations normalised; numbers without exponents; Go string quoting.
    [InlineData("up{job=\"api\", a='x\\ny'}", "up{a=\"x\\ny\",job=\"api\"}")]
    [InlineData("rate(x[90m])", "rate(x[1h30m])")]
    [InlineData("rate(x[7d])", "rate(x[1w])")]
    [InlineData("rate(x[8d])", "rate(x[8d])")]
    [InlineData("rate(x[365d])", "rate(x[1y])")]
    [InlineData("rate(x[1500ms])", "rate(x[1s500ms])")]
    [InlineData("x * 1e6", "x * 1000000")]
    [InlineData("x * 0x10 + 1.5e-7", "x * 16 + 0.00000015")]
    [InlineData("x > Inf or x < -Inf", "x > +Inf or x < -Inf")]
    [InlineData("label_replace(x, \"a\", \"$1\", \"b\", `(.*)\\d`)", "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\\\\d\")")]
    public void Formats_as_Prometheus_prints(string input, string? expected)
    {
        Assert.Equal(expected ?? input, ExprPrinter.Format(Parser.ParseExpr(input)));
        // The printed form parses back to itself.
        Assert.Equal(expected ?? input, ExprPrinter.Format(Parser.ParseExpr(expected ?? input)));
    }

    public static TheoryData<string, string> PrettyCases => new()
    {
        { "sum(foo)", "sum(foo)" },
        { "sum by() (task:errors:rate10s{job=\"s\"})", "sum(\n  task:errors:rate10s{job=\"s\"}\n)" },
        { "sum(task:errors:rate10s{job=\"s\"}) without(job,foo)", "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)" },
        { "topk(10, ask:errors:rate10s{job=\"s\"})", "topk(\n  10,\n  ask:errors:rate10s{job=\"s\"}\n)" },
        { "sum by(job,foo) (sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job=\"s\"})))", "sum by (job, foo) (\n  sum by (job, foo) (\n    sum by (job, foo) (\n      task:errors:rate10s{job=\"s\"}\n    )\n  )\n)" },
        { "a+b", "a + b" },
        { "a == bool 1", "  a\n== bool\n  1" },
        { "a + ignoring(job) b", "  a\n+ ignoring (job)\n  b" },
        { "foo_1 + foo_2 + foo_3", "    foo_1\n  +\n    foo_2\n+\n  foo_3" },
        { "foo + baar + foo_3", "  foo + baar\n+\n  foo_3" },
        { "foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) group_right foo_4", "      foo_1\n    + ignoring (foo)\n      foo_2\n  + ignoring (job) group_left ()\n    foo_3\n+ on (instance) group_right ()\n  foo_4" },
        { "rate(foo[1m])", "rate(\n  foo[1m]\n)" },
        { "rate(long_vector_selector[10m:1m] @ start() offset 1m)", "rate(\n  long_vector_selector[10m:1m] @ start() offset 1m\n)" },
        { "histogram_quantile(0.9, rate(foo[1m]))", "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)" },
        { "max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m)", "max_over_time(\n  rate(\n    demo_api_request_duration_seconds_count[1m]\n  )[1m:] @ start() offset 1m\n)" },
        { "label_replace(up{job=\"api-server\",service=\"a:c\"}, \"foo\", \"$1\", \"service\", \"(.*):.*\")", "label_replace(\n  up{job=\"api-server\",service=\"a:c\"},\n  \"foo\",\n  \"$1\",\n  \"service\",\n  \"(.*):.*\"\n)" },
        { "(foo)", "(foo)" },
        { "((_foo_long_))", "(\n  (\n    _foo_long_\n  )\n)" },
        { "(((foo_long)))", "(\n  (\n    (foo_long)\n  )\n)" },
        { "a @ 1", "a @ 1.000" },
        { "(foo_long + bar_long + bar_2_long)", "(\n      foo_long\n    +\n      bar_long\n  +\n    bar_2_long\n)" },
        { "(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)", "  (\n        node_timex_offset_seconds\n      >\n        0.05\n    and\n        deriv(\n          node_timex_offset_seconds[5m]\n        )\n      >=\n        0\n  )\nor\n  (\n        node_timex_offset_seconds\n      <\n        -0.05\n    and\n        deriv(\n          node_timex_offset_seconds[5m]\n        )\n      <=\n        0\n  )" },
        { "(node_filesystem_avail_bytes{job=\"node\",fstype!=\"\"} / node_filesystem_size_bytes{job=\"node\",fstype!=\"\"} * 100 < 40 and predict_linear(node_filesystem_avail_bytes{job=\"node\",fstype!=\"\"}[6h], 24*60*60) < 0 and node_filesystem_readonly{job=\"node\",fstype!=\"\"} == 0)", "(\n            node_filesystem_avail_bytes{fstype!=\"\",job=\"node\"}\n          /\n            node_filesystem_size_bytes{fstype!=\"\",job=\"node\"}\n        *\n          100\n      <\n        40\n    and\n        predict_linear(\n          node_filesystem_avail_bytes{fstype!=\"\",job=\"node\"}[6h],\n            24 * 60\n          *\n            60\n        )\n      <\n        0\n  and\n      node_filesystem_readonly{fstype!=\"\",job=\"node\"}\n    ==\n      0\n)" },
        { "min by (job, integration) (rate(alertmanager_notifications_failed_total{job=\"alertmanager\", integration=~\".*\"}[5m]) / rate(alertmanager_notifications_total{job=\"alertmanager\", integration=\"~.*\"}[5m])) > 0.01", "  min by (job, integration) (\n      rate(\n        alertmanager_notifications_failed_total{integration=~\".*\",job=\"alertmanager\"}[5m]\n      )\n    /\n      rate(\n        alertmanager_notifications_total{integration=\"~.*\",job=\"alertmanager\"}[5m]\n      )\n  )\n>\n  0.01" },
        { "-1", "-1" },
        { "(-vector_selector)", "(\n  -vector_selector\n)" },
        { "-histogram_quantile(0.99, sum by (le) (rate(foo[1m])))", "-histogram_quantile(\n  0.99,\n  sum by (le) (\n    rate(\n      foo[1m]\n    )\n  )\n)" },
        { "(-histogram_quantile(0.9, -rate(foo[1m] @ start())))", "(\n  -histogram_quantile(\n    0.9,\n    -rate(\n      foo[1m] @ start()\n    )\n  )\n)" },
    };

    [Theory]
    [MemberData(nameof(PrettyCases))]
    public void Prettifies_as_Prometheus_with_a_line_limit_of_10(string input, string expected) =>
        Assert.Equal(expected, ExprPrinter.Pretty(Parser.ParseExpr(input), maxCharactersPerLine: 10));

    [Fact]
    public void At_the_real_limit_a_query_that_fits_stays_on_one_line()
    {
        const string query = "sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))";
        Assert.Equal(query, PromQLEngine.Format("sum(rate(http_requests_total{job='api'}[5m])) by (job)"));
        var longer = PromQLEngine.Format("sum(rate(http_requests_total{job='api',handler=~'/api/v1/.*',code!~'5..'}[5m])) by (job) / sum(rate(http_requests_total[5m])) by (job)");
        // 134 characters: the division splits; each side (89 and 44 characters) fits on its own line.
        Assert.Equal("  sum by (job) (rate(http_requests_total{code!~\"5..\",handler=~\"/api/v1/.*\",job=\"api\"}[5m]))\n/\n  sum by (job) (rate(http_requests_total[5m]))", longer);
    }

    /// <summary>
    /// Every query of Prometheus' conformance scripts that parses prints to text that parses to the same printed form,
    /// both one-line and split (the split form at a limit of 10 characters, so nearly every node splits).
    /// </summary>
    [Fact]
    public void Every_conformance_query_round_trips_through_both_printed_forms()
    {
        Assert.True(ConformanceData.Present, ConformanceData.MissingMessage);
        var checkedQueries = 0;
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(ConformanceData.Directory, "*.test"))
        {
            foreach (var eval in ConformanceRunner.Load(file).OfType<EvalCommand>())
            {
                Expr parsed;
                try
                {
                    parsed = Parser.ParseExpr(eval.Query, experimental: true);
                }
                catch (PromQLException)
                {
                    continue; // a case that expects a parse error
                }
                var printed = ExprPrinter.Format(parsed);
                foreach (var text in new[] { printed, ExprPrinter.Pretty(parsed, maxCharactersPerLine: 10) })
                {
                    try
                    {
                        var again = ExprPrinter.Format(Parser.ParseExpr(text, experimental: true));
                        if (again != printed)
                        {
                            failures.Add($"{Path.GetFileName(file)}:{eval.Line} {eval.Query}\n  printed {printed}\n  then    {again}");
                        }
                    }
                    catch (PromQLException e)
                    {
                        failures.Add($"{Path.GetFileName(file)}:{eval.Line} {eval.Query}\n  printed {text}\n  fails   {e.Message}");
                    }
                }
                checkedQueries++;
            }
        }
        Assert.True(checkedQueries > 1000, $"only {checkedQueries} queries");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }
}
