using System.Net;
using System.Text.Json;

namespace Tsdb.EndToEnd.Tests;

/// <summary>The Prometheus HTTP API's envelope, parameters and errors, byte for byte where Prometheus fixes them.</summary>
public sealed class PrometheusApiTests() : ServerPerClass("promapi")
{
    // Go's encoding/json writes '"' as \" and leaves '+' alone, as the relaxed encoder does.
    private static readonly JsonSerializerOptions GoJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private async Task<(HttpStatusCode Status, string Body, string? ContentType)> Get(string path)
    {
        var response = await Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/v1/status/buildinfo", "{\"status\":\"success\",\"data\":{\"version\":\"0.1.0\",\"revision\":\"tsdb\",\"branch\":\"\",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"\"}}")]
    [InlineData("/api/v1/rules", "{\"status\":\"success\",\"data\":{\"groups\":[]}}")]
    // format_query prints as Prometheus' formatter: modifiers first, matchers sorted, durations normalised.
    [InlineData("/api/v1/format_query?query=sum(rate(x%7Bjob%3D%27a%27%2Cenv%3D%27p%27%7D%5B90m%5D))%20by%20(job)", "{\"status\":\"success\",\"data\":\"sum by (job) (rate(x{env=\\\"p\\\",job=\\\"a\\\"}[1h30m]))\"}")]
    // Grafana's "Save & test": an instant query 1+1 at time 4. It reads no series, so it needs no database (nothing
    // was written to this server's default database "prometheus").
    [InlineData("/api/v1/query?query=1%2B1&time=4", "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}")]
    [InlineData("/api/v1/query?query=1%2B1&time=4&db=nothing_here", "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}")]
    [InlineData("/api/v1/query_range?query=time()&start=0&end=2&step=1", "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[0,\"0\"],[1,\"1\"],[2,\"2\"]]}]}}")]
    [InlineData("/api/v1/query?query=vector(1e-7)%20%2F%200&time=1.5", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1.500,\"+Inf\"]}]}}")]
    [InlineData("/api/v1/query?query=%22text%22&time=2", "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[2,\"text\"]}}")]
    public async Task Answers_in_the_success_envelope(string path, string expected)
    {
        var (status, body, contentType) = await Get(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(expected, body);
    }

    [Theory]
    [InlineData("/api/v1/query_range?query=up&start=10&end=5&step=1", "invalid parameter \"end\": end timestamp must not be before start time")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100&step=0", "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=11001&step=1s", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")]
    [InlineData("/api/v1/query_range?query=up&start=yesterday&end=100&step=1", "invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100&step=1x", "invalid parameter \"step\": cannot parse \"1x\" to a valid duration")]
    [InlineData("/api/v1/query?query=up&time=abc", "invalid parameter \"time\": cannot parse \"abc\" to a valid timestamp")]
    [InlineData("/api/v1/series", "no match[] parameter provided")]
    [InlineData("/api/v1/query?query=%7Bjob%3D~%22%5Ba-%22%7D&time=4", "1:7: parse error: invalid regular expression \"[a-\": missing closing ] at offset 3")]
    [InlineData("/api/v1/series?match[]=%7Bjob%3D~%22%5Ba-%22%7D", "1:7: parse error: invalid regular expression \"[a-\": missing closing ] at offset 3")]
    [InlineData("/api/v1/labels?start=5&end=1", "invalid parameter \"end\": end timestamp must not be before start time")]
    [InlineData("/api/v1/format_query?query=sum(x", "invalid parameter \"query\": 1:6: parse error: unclosed left parenthesis")]
    // Experimental functions are off unless the server is started with --promql-experimental-functions, as in Prometheus.
    [InlineData("/api/v1/query?query=limitk(1,vector(1))&time=4", "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions (this server: start it with --promql-experimental-functions)")]
    [InlineData("/api/v1/query_range?query=step()&start=0&end=2&step=1", "1:1: parse error: function \"step\" is not enabled (this server: start it with --promql-experimental-functions)")]
    public async Task Bad_parameters_are_bad_data(string path, string message)
    {
        var (status, body, contentType) = await Get(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(JsonSerializer.Serialize(new { status = "error", errorType = "bad_data", error = message }, GoJson), body);
    }

    [Theory]
    [InlineData("/api/v1/query?query=up&time=4", "prometheus")]
    [InlineData("/api/v1/query?query=absent(up)&time=4", "prometheus")]
    [InlineData("/api/v1/query?query=1%2Bup&time=4&db=nothing_here", "nothing_here")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100&step=10", "prometheus")]
    [InlineData("/api/v1/series?match[]=up", "prometheus")]
    [InlineData("/api/v1/series?match[]=up&db=nothing_here", "nothing_here")]
    [InlineData("/api/v1/labels", "prometheus")]
    [InlineData("/api/v1/labels?match[]=up&db=nothing_here", "nothing_here")]
    [InlineData("/api/v1/label/__name__/values", "prometheus")]
    [InlineData("/api/v1/label/job/values?db=nothing_here", "nothing_here")]
    [InlineData("/api/v1/metadata", "prometheus")]
    [InlineData("/api/v1/metadata?metric=up&db=nothing_here", "nothing_here")]
    [InlineData("/api/v1/query_exemplars?query=up", "prometheus")]
    [InlineData("/api/v1/query_exemplars?query=rate(up%5B1m%5D)&db=nothing_here", "nothing_here")]
    public async Task Reading_a_database_that_does_not_exist_is_bad_data_naming_it(string path, string database)
    {
        // Answering "no data" left a Grafana user who forgot ?db= without a hint.
        var (status, body, contentType) = await Get(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", contentType);
        var message = $"database '{database}' not found: name one with ?db=NAME (Grafana: a custom query parameter db=NAME)";
        Assert.Equal(JsonSerializer.Serialize(new { status = "error", errorType = "bad_data", error = message }, GoJson), body);
    }

    [Fact]
    public async Task A_posted_form_names_the_database_too()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = "up", ["time"] = "4", ["db"] = "posted_db" });
        var response = await Http.PostAsync("/api/v1/query", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"database 'posted_db' not found: name one with ?db=NAME (Grafana: a custom query parameter db=NAME)\"}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_database_that_exists_without_data_answers_empty()
    {
        using var create = new StringContent("{\"db\":\"empty_db\"}", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync("/api/v3/configure/database", create)).StatusCode);
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"success\",\"data\":[]}"), Pair(await Get("/api/v1/labels?db=empty_db")));
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"success\",\"data\":[]}"), Pair(await Get("/api/v1/label/__name__/values?db=empty_db")));
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"success\",\"data\":[]}"), Pair(await Get("/api/v1/series?match[]=up&db=empty_db")));
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"success\",\"data\":{}}"), Pair(await Get("/api/v1/metadata?db=empty_db")));
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"), Pair(await Get("/api/v1/query?query=up&time=4&db=empty_db")));

        static (HttpStatusCode, string) Pair((HttpStatusCode Status, string Body, string? ContentType) answer) => (answer.Status, answer.Body);
    }

    [Fact]
    public async Task Experimental_functions_answer_when_the_server_enables_them()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-promexp-").FullName;
        try
        {
            await using var server = await InProcessTsdb.StartAsync(Path.Combine(dir, "data"), "--without-auth", "--promql-experimental-functions");
            using var http = server.Client();
            async Task<string> Body(string path)
            {
                var response = await http.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, body);
                return body;
            }
            Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[4,\"1\"]}]}}",
                await Body("/api/v1/query?query=limitk(1,vector(1))&time=4"));
            Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[10,\"2\"],[12,\"2\"]]}]}}",
                await Body("/api/v1/query_range?query=step()&start=10&end=12&step=2"));
            // sort_by_label keeps its order in an instant query's answer.
            var sorted = JsonDocument.Parse(await Body("/api/v1/query?time=4&query=" + Uri.EscapeDataString(
                "sort_by_label_desc(label_replace(vector(1), \"cpu\", \"2\", \"\", \"\") or label_replace(vector(2), \"cpu\", \"10\", \"\", \"\"), \"cpu\")")));
            var cpus = sorted.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.GetProperty("metric").GetProperty("cpu").GetString());
            Assert.Equal(["10", "2"], cpus);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Parse_errors_are_bad_data_with_a_position()
    {
        var (status, body, contentType) = await Get("/api/v1/query?query=sum(&time=1");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", contentType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("error", json.GetProperty("status").GetString());
        Assert.Equal("bad_data", json.GetProperty("errorType").GetString());
        Assert.StartsWith("1:5: parse error: ", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_too_deep_to_evaluate_is_bad_data_and_the_server_goes_on()
    {
        // 20,000 terms used to overflow the evaluator's stack, which ends the process.
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = string.Join("+", Enumerable.Repeat("1", 20_000)), ["time"] = "4" });
        var response = await Http.PostAsync("/api/v1/query", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("bad_data", json.GetProperty("errorType").GetString());
        Assert.Contains("expression is too deep", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/query?query=1%2B1&time=4")).StatusCode);
    }

    [Fact]
    public async Task Query_range_takes_a_posted_form_with_rfc3339_times_and_a_duration_step()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = "up",
            ["start"] = "2023-11-14T22:13:20Z",
            ["end"] = "2023-11-14T22:13:19.5Z",
            ["step"] = "1m",
        });
        var response = await Http.PostAsync("/api/v1/query_range", form);
        // end is before start by half a second: the RFC 3339 fraction was read.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("end timestamp must not be before start time", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_takes_a_posted_form()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = "1+1", ["time"] = "4" });
        var response = await Http.PostAsync("/api/v1/query", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_a_token_the_api_answers_401_in_its_envelope()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.Url };
        var response = await anonymous.GetAsync("/api/v1/labels");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"the request was not authenticated\"}", await response.Content.ReadAsStringAsync());
    }
}
