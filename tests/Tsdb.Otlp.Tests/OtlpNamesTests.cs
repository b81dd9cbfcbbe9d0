namespace Tsdb.Otlp.Tests;

/// <summary>Names as Prometheus' otlptranslator builds them (cases from its README and tests, and the rules they state).</summary>
public sealed class OtlpNamesTests
{
    [Theory]
    [InlineData("http.server.request.duration", "s", OtlpMetricKind.Histogram, "http_server_request_duration_seconds")]
    [InlineData("requests.count", "1", OtlpMetricKind.MonotonicCounter, "requests_count_total")]
    [InlineData("memory.usage", "By", OtlpMetricKind.Gauge, "memory_usage_bytes")]
    [InlineData("cpu.utilization", "1", OtlpMetricKind.Gauge, "cpu_utilization_ratio")]
    [InlineData("cpu.utilization", "1", OtlpMetricKind.NonMonotonicCounter, "cpu_utilization")]
    [InlineData("system.network.io", "By/s", OtlpMetricKind.Gauge, "system_network_io_bytes_per_second")]
    [InlineData("throughput", "{request}/min", OtlpMetricKind.Gauge, "throughput_per_min")]
    [InlineData("http.requests", "{request}", OtlpMetricKind.MonotonicCounter, "http_requests_total")]
    [InlineData("requests_total", "", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData("total.requests", "", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData("latency_seconds", "s", OtlpMetricKind.Histogram, "latency_seconds")]
    [InlineData("2xx.count", "", OtlpMetricKind.Gauge, "_2xx_count")]
    [InlineData("foo__bar..baz", "", OtlpMetricKind.Gauge, "foo_bar_baz")]
    [InlineData("queue:depth", "", OtlpMetricKind.Gauge, "queue:depth")]
    [InlineData("temp", "Cel", OtlpMetricKind.Gauge, "temp_celsius")]
    [InlineData("odd", "km/h", OtlpMetricKind.Gauge, "odd_km_per_hour")]
    public void Underscore_escaping_with_suffixes(string name, string unit, OtlpMetricKind kind, string expected) =>
        Assert.Equal(expected, OtlpNames.MetricName(name, unit, kind, OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes));

    [Theory]
    [InlineData("http.server.duration", "s", OtlpMetricKind.Histogram, "http_server_duration")]
    [InlineData("requests", "1", OtlpMetricKind.MonotonicCounter, "requests")]
    [InlineData("a..b", "", OtlpMetricKind.Gauge, "a_b")]
    [InlineData("a__b", "", OtlpMetricKind.Gauge, "a__b")]
    [InlineData("9lives", "", OtlpMetricKind.Gauge, "_9lives")]
    public void Underscore_escaping_without_suffixes(string name, string unit, OtlpMetricKind kind, string expected) =>
        Assert.Equal(expected, OtlpNames.MetricName(name, unit, kind, OtlpTranslationStrategy.UnderscoreEscapingWithoutSuffixes));

    [Theory]
    [InlineData("http.server.duration", "s", OtlpMetricKind.Histogram, "http.server.duration_seconds")]
    [InlineData("requests", "1", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData("requests_total", "", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData("cpu.utilization", "1", OtlpMetricKind.Gauge, "cpu.utilization_ratio")]
    [InlineData("io", "By/s", OtlpMetricKind.MonotonicCounter, "io_bytes_per_second_total")]
    public void No_utf8_escaping_with_suffixes(string name, string unit, OtlpMetricKind kind, string expected) =>
        Assert.Equal(expected, OtlpNames.MetricName(name, unit, kind, OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes));

    [Fact]
    public void No_translation_keeps_the_name()
    {
        Assert.Equal("http.server.duration", OtlpNames.MetricName("http.server.duration", "s", OtlpMetricKind.Histogram, OtlpTranslationStrategy.NoTranslation));
        Assert.Equal("http.method", OtlpNames.LabelName("http.method", OtlpTranslationStrategy.NoTranslation));
    }

    [Theory]
    [InlineData("...")]
    [InlineData("")]
    public void A_name_that_escapes_to_nothing_is_refused(string name) =>
        Assert.Null(OtlpNames.MetricName(name, "", OtlpMetricKind.Gauge, OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes));

    [Theory]
    [InlineData("http.method", "http_method")]
    [InlineData("2xx", "key_2xx")]
    [InlineData("_private", "key_private")]
    [InlineData("__reserved", "__reserved")]
    [InlineData("k8s.pod.name", "k8s_pod_name")]
    [InlineData("naïve", "na_ve")]
    public void Label_names_are_escaped(string key, string expected) =>
        Assert.Equal(expected, OtlpNames.LabelName(key, OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes));

    [Theory]
    [InlineData("s", "seconds")]
    [InlineData("By/s", "bytes_per_second")]
    [InlineData("{request}", "")]
    [InlineData("1", "")]
    [InlineData("ms", "milliseconds")]
    public void Units_for_metadata(string unit, string expected) =>
        Assert.Equal(expected, OtlpNames.UnitName(unit, OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes));

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-7, "0.0000001")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(-2.5e-3, "-0.0025")]
    [InlineData(1234.5678, "1234.5678")]
    [InlineData(5, "5")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Bucket_bounds_print_as_go_does(double value, string expected) =>
        Assert.Equal(expected, OtlpTranslator.FormatFloat(value));

    [Theory]
    [InlineData("UnderscoreEscapingWithSuffixes", OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes)]
    [InlineData("nutf8escapingwithsuffixes", null)]
    [InlineData("NoTranslation", OtlpTranslationStrategy.NoTranslation)]
    [InlineData("1", null)]
    public void Strategies_parse_by_prometheus_names(string text, OtlpTranslationStrategy? expected) =>
        Assert.Equal(expected, OtlpTranslationStrategies.Parse(text));
}
