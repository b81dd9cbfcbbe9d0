using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A self-join over 600,000 rows (the query that once grew the server to 21 GB and died with a bare 500): the join's
/// output streams into the count, so the server's memory stays bounded; a build side over the limit is a 413 that
/// names the operator.
/// </summary>
public sealed class QueryMemoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-querymem-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task Load(HttpClient http, int rows, int keys)
    {
        const long t0 = 1_700_000_000_000_000_000L;
        for (var start = 0; start < rows; start += 50_000)
        {
            var sb = new StringBuilder();
            for (var i = start; i < Math.Min(rows, start + 50_000); i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"t,s=s{i % keys} v={i}i {t0 + i}\n");
            }
            var response = await http.PostAsync(new Uri("/api/v3/write_lp?db=j&precision=nanosecond", UriKind.Relative), new StringContent(sb.ToString()));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
    }

    private static long StatusKib(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no {field} in /proc/{pid}/status");
    }

    [Fact]
    public async Task A_self_join_of_600k_rows_streams_its_pairs_into_the_count_with_bounded_memory()
    {
        await using var server = await TsdbProcess.StartAsync(Path.Combine(_dir, "a"), "--without-auth", "--query-memory-limit", "64MiB");
        using var http = server.Client();
        http.Timeout = TimeSpan.FromMinutes(5);
        await Load(http, 600_000, 6_000);
        // Settle, then measure from here: the peak resident size is reset so the ingest's does not count.
        using (await http.GetAsync(new Uri("/api/v3/query_sql?db=j&q=SELECT%20count(*)%20FROM%20t", UriKind.Relative)))
        {
        }
        File.WriteAllText($"/proc/{server.Pid}/clear_refs", "5");
        var before = StatusKib(server.Pid, "VmRSS");
        var q = Uri.EscapeDataString("SELECT count(*) AS pairs FROM t a JOIN t b ON a.s = b.s");
        var response = await http.GetAsync(new Uri($"/api/v3/query_sql?db=j&q={q}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(600_000L * 100, JsonNode.Parse(body)![0]!["pairs"]!.GetValue<long>());   // 6,000 keys of 100 rows: 100² pairs each
        var peak = StatusKib(server.Pid, "VmHWM");
        // 60 M joined rows went through; what stayed is the build side and the batches in flight (limit 64 MiB).
        Assert.True(peak - before < 2 * 64 * 1024, $"peak RSS grew by {(peak - before) / 1024} MiB during the join (from {before / 1024} MiB)");
    }

    [Fact]
    public async Task A_join_whose_build_side_is_over_the_limit_is_a_413_naming_the_operator()
    {
        await using var server = await TsdbProcess.StartAsync(Path.Combine(_dir, "b"), "--without-auth", "--query-memory-limit", "1MiB");
        using var http = server.Client();
        await Load(http, 200_000, 100);
        var q = Uri.EscapeDataString("SELECT count(*) FROM t a JOIN t b ON a.s = b.s");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var response = await http.GetAsync(new Uri($"/api/v3/query_sql?db=j&q={q}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("the query exceeded its memory limit of 1 MiB: HashJoin(build side)", body, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"the refusal took {started.Elapsed}");
    }

    [Fact]
    public async Task A_large_sorted_answer_under_a_small_memory_limit_streams_in_every_format()
    {
        const int Rows = 300_000;
        await using var server = await TsdbProcess.StartAsync(Path.Combine(_dir, "c"), "--without-auth", "--query-memory-limit", "4MiB");
        using var http = server.Client();
        http.Timeout = TimeSpan.FromMinutes(5);
        await Load(http, Rows, 1_000);
        // The sort spills; the answer (about 7 MiB of rows) is larger than the limit in every format.
        var q = Uri.EscapeDataString("SELECT s, v, time FROM t ORDER BY v");
        async Task<string> Text(string format)
        {
            var response = await http.GetAsync(new Uri($"/api/v3/query_sql?db=j&format={format}&q={q}", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{format}: {body[..Math.Min(500, body.Length)]}");
            return body;
        }

        var json = JsonNode.Parse(await Text("json"))!.AsArray();
        Assert.Equal(Rows, json.Count);
        Assert.Equal(Rows - 1, json[^1]!["v"]!.GetValue<long>());
        Assert.Equal(Rows, (await Text("jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var csv = (await Text("csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["s,v,time", "s0,0,2023-11-14T22:13:20"], csv[..2]);
        Assert.Equal(Rows + 1, csv.Length);

        // pretty: tables of 1,000 rows, each with its header and rules.
        var lines = (await Text("pretty")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Count(l => l.StartsWith("| s ", StringComparison.Ordinal));
        Assert.Equal(Rows / 1_000, headers);
        Assert.Equal(Rows, lines.Count(l => l.StartsWith('|')) - headers);
        Assert.Equal(Rows / 1_000 * 3, lines.Count(l => l.StartsWith('+')));
        Assert.StartsWith("| s999 | 299999 |", lines[^2], StringComparison.Ordinal);

        // parquet, read by DuckDB: every row in order, in several row groups (written as the batches came).
        var response = await http.GetAsync(new Uri($"/api/v3/query_sql?db=j&format=parquet&q={q}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var path = Path.Combine(_dir, "answer.parquet");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        var duck = JsonNode.Parse(NodeRunner.Run("parquet/read.mjs", "duckdb", path).EnsureSuccess("DuckDB").StandardOutput)!;
        var values = duck["columns"]!["v"]!.AsArray().Select(v => long.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), values);
        Assert.Equal("s7", duck["columns"]!["s"]![1_007]!.GetValue<string>());
        var rowGroups = duck["metadata"]!.AsArray().Select(m => m!["row_group_id"]!.ToString()).Distinct().Count();
        Assert.True(rowGroups > 1, $"{rowGroups} row group(s)");

        // The InfluxQL endpoint writes through the same writers.
        var influxql = await http.GetAsync(new Uri($"/api/v3/query_influxql?db=j&format=parquet&q={Uri.EscapeDataString("SELECT v FROM t")}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, influxql.StatusCode);
        await File.WriteAllBytesAsync(path, await influxql.Content.ReadAsByteArrayAsync());
        var fromInfluxQL = JsonNode.Parse(NodeRunner.Run("parquet/read.mjs", "duckdb", path).EnsureSuccess("DuckDB").StandardOutput)!;
        Assert.Equal(Rows, fromInfluxQL["columns"]!["v"]!.AsArray().Count);
        var prettyInfluxQL = await http.GetAsync(new Uri($"/api/v3/query_influxql?db=j&format=pretty&q={Uri.EscapeDataString("SELECT v FROM t")}", UriKind.Relative));
        Assert.Equal(Rows + (Rows / 1_000), (await prettyInfluxQL.Content.ReadAsStringAsync()).Split('\n').Count(l => l.StartsWith('|')));
    }
}
