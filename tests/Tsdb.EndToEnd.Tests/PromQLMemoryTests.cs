using System.Net;
using System.Text;
using System.Text.Json;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// PromQL evaluations reserve memory as SQL queries do (docs/reliability.md): refused before they start when the
/// process's budget is short (503 <c>unavailable</c> with Retry-After, Prometheus' error envelope), and failed with 422
/// <c>execution</c> when the samples and series they read pass the query's own limit.
/// </summary>
public sealed class PromQLMemoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-promql-memory-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StringContent Series(int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append("m,host=h").Append(i).Append(" v=").Append(i).Append(' ').Append(1_700_000_000_000_000_000L).Append('\n');
        }
        return new StringContent(text.ToString(), Encoding.UTF8);
    }

    [Fact]
    public async Task A_query_is_refused_with_503_unavailable_when_the_process_budget_has_no_room_for_it()
    {
        // 4 MiB shared, and a query's baseline is 16 MiB: nothing fits, and nothing is evaluated.
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth", "--process-memory-limit", "4MiB", "--query-memory-limit", "64MiB");
        using var http = server.Client();
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=mem", Series(10))).StatusCode);
        using var response = await http.GetAsync("/api/v1/query?db=mem&query=m_v&time=1700000000");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("unavailable", json.RootElement.GetProperty("errorType").GetString());
        Assert.StartsWith("the server is short of memory: a new PromQL query needed 16 MiB; 0 bytes of the 4 MiB that queries, persists and compactions share is reserved",
            json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Range queries too.
        using var range = await http.GetAsync("/api/v1/query_range?db=mem&query=m_v&start=1700000000&end=1700000060&step=15");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, range.StatusCode);
    }

    [Fact]
    public async Task A_query_whose_series_pass_its_memory_limit_fails_with_422_execution_and_gives_its_memory_back()
    {
        // 20,000 series at a few hundred bytes each are more than a 2 MiB query may hold.
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth", "--query-memory-limit", "2MiB");
        using var http = server.Client();
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=mem", Series(20_000))).StatusCode);
        using var response = await http.GetAsync("/api/v1/query?db=mem&query=m_v&time=1700000000");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("execution", json.RootElement.GetProperty("errorType").GetString());
        Assert.StartsWith("the query exceeded its memory limit of 2 MiB: PromQL (the samples and series it read) needed ", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        // A query that fits answers.
        using var one = await http.GetAsync("/api/v1/query?db=mem&query=m_v%7Bhost%3D%22h7%22%7D&time=1700000000");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Contains("\"host\":\"h7\"", await one.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
