using System.Text;
using System.Text.Json;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>Retention periods and JSON bodies as the endpoints read them, at the edges the fuzzer found.</summary>
public sealed class RequestParsingTests
{
    [Theory]
    [InlineData("30d", 30L * 86400)]
    [InlineData("2w", 14L * 86400)]
    [InlineData("90s", 90L)]
    [InlineData("10675199d", 10675199L * 86400)]
    public void A_retention_period_in_range_is_read(string text, long seconds)
    {
        Assert.True(AdminEndpoints.TryRetention(text, out var period, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), period);
    }

    [Theory]
    [InlineData("99999999999d")]
    [InlineData("9999999999999999m")]
    [InlineData("2635249153387078802w")]
    [InlineData("9223372036854775807s")]
    public void A_retention_period_too_long_for_TimeSpan_is_refused(string text)
    {
        Assert.False(AdminEndpoints.TryRetention(text, out var period, out var error));
        Assert.Null(period);
        Assert.Equal($"invalid retention_period '{text}': longer than the longest period supported (10675199 days)", error);
    }

    [Fact]
    public void A_body_that_is_not_UTF8_is_a_JsonException()
    {
        var body = Encoding.UTF8.GetBytes("{\"name\":\"ops\",\"a?\":true}");
        body[16] = 0x8c;
        var ex = Assert.Throws<JsonException>(() => JsonBody.Parse(body));
        Assert.Equal("the body is not valid UTF-8", ex.Message);
    }

    [Theory]
    [InlineData("""{"db":"d","table":"t","fields":[null]}""", "invalid field {\"name\": \"\", \"type\": \"\"}: a field needs a name and a type of utf8, int64, uint64, float64 or bool")]
    [InlineData("""{"db":"d","table":"t","tags":["host",null]}""", "invalid tag: every entry of \"tags\" must be a name, not null")]
    public void A_null_tag_or_field_of_a_new_table_is_refused(string body, string expected)
    {
        var request = JsonSerializer.Deserialize(body, JsonContext.Relaxed.TableRequest)!;
        Assert.False(AdminEndpoints.TryColumns(request, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_columns_of_a_new_table_are_read_in_order()
    {
        var request = JsonSerializer.Deserialize("""{"db":"d","table":"t","tags":["host"],"fields":[{"name":"v","type":"float64"},{"name":"s","type":"utf8"}]}""", JsonContext.Relaxed.TableRequest)!;
        Assert.True(AdminEndpoints.TryColumns(request, out var columns, out var error), error);
        Assert.Equal([("host", Core.Schema.ColumnKind.Tag), ("v", Core.Schema.ColumnKind.Float), ("s", Core.Schema.ColumnKind.String)], columns);
    }
}
