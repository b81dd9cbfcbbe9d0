using System.Net;
using System.Text;
using System.Text.Json;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A cluster on loopback over one real S3 store (Ceph RGW): two ingest nodes, two query nodes, two compact nodes (one
/// holds the lease). Every query node sees every acknowledged row at once, buffered or persisted, in SQL and PromQL;
/// an ingest node killed with -9 comes back with everything it acknowledged; the compactor's lease passes to the other
/// compact node when its holder dies; requests sent to the wrong role are answered 421 naming the right nodes.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private const long T0 = 1_700_000_000_000_000_000L;
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-cluster-").FullName;
    private readonly CephRgw _ceph = CephRgw.Start();
    private readonly List<TsdbProcess> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        _ceph.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<TsdbProcess> StartAsync(string id, string mode, params string[] extra)
    {
        string[] args =
        [
            "--mode", mode, "--node-id", id,
            "--object-store", "s3", "--s3-endpoint", _ceph.Endpoint, "--s3-bucket", "tsdb-cluster", "--s3-access-key", CephRgw.AccessKey, "--s3-secret-key", CephRgw.SecretKey,
            "--persist-check-interval", "1s", "--compaction-min-files", "2", "--deletion-grace", "2s",
            .. extra,
        ];
        var node = await TsdbProcess.StartAsync(Path.Combine(_dir, id), args);
        _nodes.Add(node);
        return node;
    }

    private static async Task WriteAsync(HttpClient http, string host, int from, int count, double offset = 0)
    {
        var body = string.Join('\n', Enumerable.Range(from, count).Select(i => $"cpu,host={host} usage={i + offset},n={i}i {T0 + (i * 10_000_000_000L)}"));
        var response = await http.PostAsync("/api/v3/write_lp?db=metrics&precision=ns", new StringContent(body, Encoding.UTF8));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement[]> SqlAsync(HttpClient http, string sql)
    {
        var response = await http.GetAsync($"/api/v3/query_sql?db=metrics&format=json&q={Uri.EscapeDataString(sql)}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{sql}: {(int)response.StatusCode} {text}");
        return [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static async Task<(long Rows, double Sum)> TotalsAsync(HttpClient http, string? host = null)
    {
        var where = host is null ? "" : $" WHERE host = '{host}'";
        var row = (await SqlAsync(http, $"SELECT count(*) AS c, sum(usage) AS s FROM cpu{where}"))[0];
        return (row.GetProperty("c").GetInt64(), row.TryGetProperty("s", out var s) ? s.GetDouble() : 0);
    }

    private static double Expected(int from, int count, double offset = 0) => Enumerable.Range(from, count).Sum(i => i + offset);

    [Fact]
    public async Task Every_query_node_sees_every_acknowledged_row_through_persists_crashes_and_compaction()
    {
        var i1 = await StartAsync("i1", "ingest");
        var token = i1.AdminToken!;
        var i2 = await StartAsync("i2", "ingest");
        var q1 = await StartAsync("q1", "query");
        var q2 = await StartAsync("q2", "query");
        var c1 = await StartAsync("c1", "compact");
        var c2 = await StartAsync("c2", "compact");
        Assert.Null(i2.AdminToken);
        using var w1 = i1.Client(token);
        using var w2 = i2.Client(token);
        using var r1 = q1.Client(token);
        using var r2 = q2.Client(token);

        // Buffered rows only, on two ingest nodes: both query nodes see all of them as soon as the writes are acknowledged.
        await WriteAsync(w1, "a", 0, 300);
        await WriteAsync(w2, "b", 0, 300);
        var all = (600L, Expected(0, 300) * 2);
        Assert.Equal(all, await TotalsAsync(r1));
        Assert.Equal(all, await TotalsAsync(r2));
        Assert.Equal((300L, Expected(0, 300)), await TotalsAsync(r2, "b"));

        // Persisted on one node, buffered on the other; then rows of one series rewritten (the later write wins).
        Assert.True((await w1.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        Assert.Equal(all, await TotalsAsync(r1));
        await WriteAsync(w2, "b", 0, 100, offset: 1000);
        all = (600L, Expected(0, 300) + Expected(0, 100, 1000) + Expected(100, 200));
        Assert.Equal(all, await TotalsAsync(r1));
        Assert.Equal(all, await TotalsAsync(r2));

        // PromQL on a query node over remote-written samples that sit in both ingest nodes' buffers.
        foreach (var (ingest, job) in new[] { (i1, "a"), (i2, "b") })
        {
            var sent = RemoteWriteClient.Send(ingest.Url, token, RemoteWriteClient.Request("1",
                RemoteWriteClient.Series(new Dictionary<string, string> { ["__name__"] = "up", ["job"] = job }, (1_700_000_000_000, 1), (1_700_000_015_000, 1))));
            Assert.True(sent.Status is 200 or 204, sent.Body);
        }
        var prom = await r2.GetStringAsync("/api/v1/query?db=prometheus&query=count(up)&time=1700000020");
        Assert.Contains("\"2\"", prom, StringComparison.Ordinal);

        // A table made on an ingest node a moment ago, in a database the query nodes know: the query node catches up with
        // the catalog instead of answering "table not found" until its follower's next read.
        using (var lp = new StringContent("fresh_table,host=h1 v=7i 1700000000000000000"))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await w1.PostAsync("/api/v3/write_lp?db=metrics&precision=ns", lp)).StatusCode);
        }
        var fresh = await r2.GetAsync($"/api/v3/query_sql?db=metrics&format=csv&q={Uri.EscapeDataString("SELECT v FROM fresh_table")}");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("v\n7\n", (await fresh.Content.ReadAsStringAsync()).ReplaceLineEndings("\n"));

        // kill -9 an ingest node with acknowledged rows only in its WAL: while it is down queries say so (503 naming
        // it), and after a restart every acknowledged row is back, once.
        await WriteAsync(w2, "b", 300, 50);
        all = (all.Item1 + 50, all.Item2 + Expected(300, 50));
        i2.Kill();
        var down = await r1.GetAsync($"/api/v3/query_sql?db=metrics&q={Uri.EscapeDataString("SELECT count(*) FROM cpu")}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains("i2", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        _nodes.Remove(i2);
        i2 = await StartAsync("i2", "ingest");
        using var w2b = i2.Client(token);
        Assert.Equal(all, await TotalsAsync(r1));
        Assert.Equal(all, await TotalsAsync(r2));

        // An ingest node down longer than the registry's 15 s timeout is still counted on (503), not silently left out;
        // once an operator removes it with `tsdb node remove`, queries go on without its unpersisted rows.
        var i3 = await StartAsync("i3", "ingest");
        using (var w3 = i3.Client(token))
        {
            await WriteAsync(w3, "c", 0, 5);
        }
        Assert.Equal((all.Item1 + 5, all.Item2 + Expected(0, 5)), await TotalsAsync(r1));
        i3.Kill();
        _nodes.Remove(i3);
        await Task.Delay(TimeSpan.FromSeconds(17));
        var stillDown = await r2.GetAsync($"/api/v3/query_sql?db=metrics&q={Uri.EscapeDataString("SELECT count(*) FROM cpu")}");
        var stillDownText = await stillDown.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillDown.StatusCode);
        Assert.Contains("tsdb node remove i3", stillDownText, StringComparison.Ordinal);
        var removed = WriteApiTests.RunCli("node", "remove", "i3", "--data-dir", Path.Combine(_dir, "i3"), "--object-store", "s3", "--s3-endpoint", _ceph.Endpoint,
            "--s3-bucket", "tsdb-cluster", "--s3-access-key", CephRgw.AccessKey, "--s3-secret-key", CephRgw.SecretKey);
        Assert.True(removed.ExitCode == 0, removed.Output);
        var refused = WriteApiTests.RunCli("node", "remove", "i1", "--data-dir", Path.Combine(_dir, "i1"), "--object-store", "s3", "--s3-endpoint", _ceph.Endpoint,
            "--s3-bucket", "tsdb-cluster", "--s3-access-key", CephRgw.AccessKey, "--s3-secret-key", CephRgw.SecretKey);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("looks alive", refused.Output, StringComparison.Ordinal);
        Assert.Equal(all, await TotalsAsync(r1));
        Assert.Equal(all, await TotalsAsync(r2));

        // Persist both several times so partitions have several files; the compact node holding the lease merges each
        // node's files (sequences count per node), and the answers do not change.
        await WriteAsync(w1, "a", 300, 10);
        Assert.True((await w1.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        Assert.True((await w2b.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        await WriteAsync(w2b, "b", 350, 10);
        Assert.True((await w2b.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        all = (all.Item1 + 20, all.Item2 + Expected(300, 10) + Expected(350, 10));
        var levels = await WaitForAsync(TimeSpan.FromSeconds(60), async () =>
        {
            var files = await FilesAsync(r1);
            return files.All(f => f.Level == 1) && files.Count > 0 ? files : null;
        });
        // One merged file per ingest node: their sequences do not compare.
        Assert.Equal(["i1", "i2"], levels.Select(f => f.Node).Order(StringComparer.Ordinal));
        Assert.Equal(all, await TotalsAsync(r1));

        // The lease: one of the two compact nodes holds it; kill it and the other takes over within the lease.
        var holder = c1.Output.Contains("holds the compactor lease now", StringComparison.Ordinal) ? c1 : c2;
        var other = holder == c1 ? c2 : c1;
        Assert.DoesNotContain("holds the compactor lease now", other.Output, StringComparison.Ordinal);
        holder.Kill();
        await WaitForAsync(TimeSpan.FromSeconds(40), () => Task.FromResult(other.Output.Contains("holds the compactor lease now", StringComparison.Ordinal) ? "" : null));
        await WriteAsync(w1, "a", 400, 5);
        Assert.True((await w1.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        await WriteAsync(w1, "a", 405, 5);
        Assert.True((await w1.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
        all = (all.Item1 + 10, all.Item2 + Expected(400, 10));
        await WaitForAsync(TimeSpan.FromSeconds(60), async () => (await FilesAsync(r1)).All(f => f.Level == 1) ? "" : null);
        Assert.Equal(all, await TotalsAsync(r2));

        // A query node restarted: invisible to clients (nothing of it was local).
        await q1.StopAsync();
        _nodes.Remove(q1);
        q1 = await StartAsync("q1", "query");
        using var r1b = q1.Client(token);
        Assert.Equal(all, await TotalsAsync(r1b));

        // Misdirected requests: 421 with the nodes to use.
        var write = await r1b.PostAsync("/api/v3/write_lp?db=metrics", new StringContent("cpu,host=x usage=1", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, write.StatusCode);
        var writeError = await write.Content.ReadAsStringAsync();
        Assert.Contains("i1 (", writeError, StringComparison.Ordinal);
        Assert.Contains("--mode query", writeError, StringComparison.Ordinal);
        var query = await w1.GetAsync($"/api/v3/query_sql?db=metrics&q={Uri.EscapeDataString("SELECT 1")}");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, query.StatusCode);
        // A query node the ingest node's registry view holds now (q1 or q2: one may be between heartbeats after its restart).
        Assert.Matches(@"send them to .*q[12] \(", await query.Content.ReadAsStringAsync());
        var promOnIngest = await w1.GetAsync("/api/v1/query?query=up");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, promOnIngest.StatusCode);
        Assert.Contains("\"status\":\"error\"", await promOnIngest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private sealed record FileRow(string Node, int Level);

    private static async Task<List<FileRow>> FilesAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/api/v3/system/files?db=metrics"));
        // The cpu table's: fresh_table's single file never reaches --compaction-min-files.
        return [.. document.RootElement.EnumerateArray().Where(f => f.GetProperty("table").GetString() == "cpu")
            .Select(f => new FileRow(f.GetProperty("node").GetString()!, f.GetProperty("level").GetInt32()))];
    }

    private static async Task<T> WaitForAsync<T>(TimeSpan timeout, Func<Task<T?>> probe)
        where T : class
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } done)
            {
                return done;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"not reached within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(250);
        }
    }
}
