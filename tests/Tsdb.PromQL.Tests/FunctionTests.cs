using Tsdb.PromQL.Engine;

namespace Tsdb.PromQL.Tests;

public sealed class FunctionTests
{
    [Theory]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.0, "-2")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Floats_format_like_Go_strconv_f_minus_one(double value, string expected) =>
        Assert.Equal(expected, MathUtil.FormatFloat(value));

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 2.5)]
    [InlineData(1.0, 4.0)]
    [InlineData(0.25, 1.75)]
    [InlineData(-0.1, double.NegativeInfinity)]
    [InlineData(1.1, double.PositiveInfinity)]
    public void Quantile_interpolates_linearly(double q, double expected) =>
        Assert.Equal(expected, MathUtil.Quantile(q, [4, 1, 3, 2]));

    [Fact]
    public void Kahan_summation_keeps_small_terms()
    {
        double sum = 0, c = 0;
        foreach (var v in new[] { 1e16, 1.0, -1e16, 1.0 })
        {
            (sum, c) = MathUtil.KahanSumInc(v, sum, c);
        }
        Assert.Equal(2.0, sum + c);
    }

    private static async Task<VectorValue> QueryAsync(string query)
    {
        var source = new MemorySeriesSource();
        source.Add(Labels.From(("__name__", "m"), ("src", "a-1"), ("other", "x")), 0, 1);
        var result = await new PromQLEngine(source).InstantQueryAsync(query, 0, CancellationToken.None);
        return Assert.IsType<VectorValue>(result.Value);
    }

    [Theory]
    [InlineData("label_replace(m, \"dst\", \"$1-$2\", \"src\", \"(.*)-(.*)\")", "a-1")]
    [InlineData("label_replace(m, \"dst\", \"${1}x\", \"src\", \"(.*)-.*\")", "ax")]
    [InlineData("label_replace(m, \"dst\", \"$1x\", \"src\", \"(.*)-.*\")", "")]
    [InlineData("label_replace(m, \"dst\", \"$name\", \"src\", \"(?P<name>.)-.*\")", "a")]
    [InlineData("label_replace(m, \"dst\", \"$$1\", \"src\", \".*\")", "$1")]
    [InlineData("label_replace(m, \"dst\", \"v\", \"src\", \"nomatch\")", "")]
    [InlineData("label_join(m, \"dst\", \"+\", \"src\", \"other\", \"missing\")", "a-1+x+")]
    public async Task Label_functions_expand_like_Go(string query, string expected)
    {
        var sample = Assert.Single((await QueryAsync(query)).Samples);
        Assert.Equal(expected, sample.Labels.Get("dst"));
        Assert.Equal("m", sample.Labels.Name);
    }

    [Theory]
    // Prometheus fails label_replace at evaluation (execution); the detail is about the pattern as written.
    [InlineData("label_replace(m, \"dst\", \"$1\", \"src\", \"(.*\")", "invalid regular expression in label_replace(): (.*: missing closing ) at offset 3")]
    [InlineData("label_replace(m, \"dst\", \"$1\", \"src\", \"[a-\")", "invalid regular expression in label_replace(): [a-: missing closing ] at offset 3")]
    public async Task Label_replace_with_an_invalid_regex_names_the_pattern(string query, string message)
    {
        var error = await Assert.ThrowsAsync<PromQLException>(() => QueryAsync(query));
        Assert.Equal(message, error.Message);
        Assert.Equal(PromQLErrorType.Execution, error.ErrorType);
    }

    [Fact]
    public async Task Count_values_labels_use_Go_float_formatting()
    {
        var sample = Assert.Single((await QueryAsync("count_values(\"v\", m * 1e21)")).Samples);
        Assert.Equal("1000000000000000000000", sample.Labels.Get("v"));
        Assert.Equal(1, sample.Value);
    }
}
