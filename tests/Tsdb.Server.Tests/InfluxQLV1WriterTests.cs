using System.Text;
using System.Text.Json;
using Tsdb.Query;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>
/// /query's writers when a statement fails after some of its rows were written (a query limit reached mid-way): the
/// answer stays well-formed, carries the statement's error after its rows, and the next statement still answers.
/// </summary>
public sealed class InfluxQLV1WriterTests
{
    private static readonly IReadOnlyList<string> Columns = ["time", "value"];

    private static InfluxQLSeries.Row Row(string host, long t, double v) =>
        new(new InfluxQLSeries.Header("cpu", [new("host", host)], Columns, null), [new InfluxQLSeries.TimeValue(t), v]);

    private static async IAsyncEnumerable<InfluxQLSeries.Row> Rows(bool failAtEnd)
    {
        await Task.Yield();
        yield return Row("a", 1, 1.5);
        yield return Row("a", 2, 2.5);
        yield return Row("b", 1, 3.5);
        if (failAtEnd)
        {
            throw new QueryLimitException(QueryLimit.Memory, "the query needs more than its 1 MiB of memory");
        }
    }

    private static async Task<string> Answer(Func<Stream, InfluxQLEndpoints.IV1Writer> create)
    {
        using var body = new MemoryStream();
        await using (var writer = create(body))
        {
            await writer.StartAsync();
            await writer.StatementAsync(0, Rows(failAtEnd: true), CancellationToken.None);
            await writer.StatementAsync(1, Rows(failAtEnd: false), CancellationToken.None);
            await writer.EndAsync();
        }
        return Encoding.UTF8.GetString(body.ToArray());
    }

    [Fact]
    public async Task Json_keeps_the_rows_sent_and_adds_the_error_to_the_statement()
    {
        var text = await Answer(body => new InfluxQLEndpoints.JsonV1Writer(body, "ns", pretty: false));
        using var doc = JsonDocument.Parse(text);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(2, results.Length);
        Assert.Equal(2, results[0].GetProperty("series").GetArrayLength());
        Assert.Equal("the query needs more than its 1 MiB of memory", results[0].GetProperty("error").GetString());
        Assert.Equal(2, results[1].GetProperty("series").GetArrayLength());
        Assert.False(results[1].TryGetProperty("error", out _));
    }

    [Fact]
    public async Task Chunked_json_sends_the_rows_then_the_error_as_the_statements_last_chunk()
    {
        var text = await Answer(body => new InfluxQLEndpoints.ChunkedJsonV1Writer(body, "ns", 10_000));
        var chunks = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("results")[0]).ToArray();
        // Statement 0: host a, host b, then its error; statement 1: host a, host b.
        Assert.Equal([0, 0, 0, 1, 1], chunks.Select(c => c.GetProperty("statement_id").GetInt32()));
        Assert.Equal("the query needs more than its 1 MiB of memory", chunks[2].GetProperty("error").GetString());
        Assert.Equal("b", chunks[1].GetProperty("series")[0].GetProperty("tags").GetProperty("host").GetString());
        Assert.False(chunks[4].TryGetProperty("partial", out _));
    }

    [Fact]
    public async Task Csv_sends_the_rows_then_the_error()
    {
        var text = await Answer(body => new InfluxQLEndpoints.CsvV1Writer(body, "ns"));
        Assert.Equal(
            "name,tags,time,value\ncpu,host=a,1,1.5\ncpu,host=a,2,2.5\ncpu,host=b,1,3.5\nerror\nthe query needs more than its 1 MiB of memory\n" +
            "name,tags,time,value\ncpu,host=a,1,1.5\ncpu,host=a,2,2.5\ncpu,host=b,1,3.5\n",
            text);
    }
}
