using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// S3 (Ceph RGW) goes away for a while under a running server: writes go on into the WAL and the buffer until the
/// buffer limit, then 503 with Retry-After; a query over persisted data fails with a clear error instead of hanging;
/// once RGW is back the buffer drains, and every acknowledged row is there exactly once, also after a kill -9.
/// </summary>
public sealed class ObjectStoreOutageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-s3-outage-").FullName;
    private readonly CephRgw _ceph = CephRgw.Start();

    public void Dispose()
    {
        _ceph.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Writes_buffer_through_an_S3_outage_then_503_and_all_rows_arrive_once_S3_is_back()
    {
        var args = S3Args("tsdb-outage", "--buffer-memory-limit", "4MiB", "--persist-buffer-size", "1GiB");
        var dataDir = Path.Combine(_dir, "data");
        var acked = new HashSet<long>();
        long next = 0;
        string token;
        await using (var server = await TsdbProcess.StartAsync(dataDir, args))
        {
            token = server.AdminToken!;
            using var http = server.Client();
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await Write(http, next, 500)).StatusCode);
                Add(acked, ref next, 500);
            }
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);

            _ceph.StopGateway();

            // A query that reads the persisted files: a clear error, soon.
            var watch = Stopwatch.StartNew();
            var query = await http.GetAsync("/api/v3/query_sql?db=outage&q=SELECT+sum(id)+AS+s+FROM+m");
            var queryBody = await query.Content.ReadAsStringAsync();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the query took {watch.Elapsed}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, query.StatusCode);
            Assert.Contains("the object store is unavailable", queryBody, StringComparison.Ordinal);

            // Writes go on into the WAL and the buffer until it is full; then 503 with Retry-After.
            HttpResponseMessage? overloaded = null;
            for (var i = 0; i < 400 && overloaded is null; i++)
            {
                var response = await Write(http, next, 500);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    Add(acked, ref next, 500);
                }
                else
                {
                    overloaded = response;
                    next += 500;
                }
            }
            Assert.NotNull(overloaded);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, overloaded.StatusCode);
            Assert.NotNull(overloaded.Headers.RetryAfter);
            Assert.Contains("buffer is full", await overloaded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(acked.Count > 2500, "writes were refused as soon as the store went away");
            // The persist the full buffer asked for fails while the store is away: its request says why.
            var persist = await http.PostAsync("/api/v3/persist", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, persist.StatusCode);
            Assert.Contains("the object store is unavailable", await persist.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            await Task.Delay(TimeSpan.FromSeconds(5)); // the background persister keeps failing meanwhile
            _ceph.StartGateway();

            // The buffer drains by itself; writes are taken again.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                var response = await Write(http, next, 500);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    Add(acked, ref next, 500);
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"writes still refused 90 s after S3 came back: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                next += 500;
                await Task.Delay(1000);
            }
            Assert.Equal(acked.Order(), await Ids(http));
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);
            Assert.Equal(acked.Order(), await Ids(http));
            // Exactly once in the files too: a failed persist retried did not store rows twice.
            Assert.Equal(acked.Count, await FileRows(http));
            server.Kill();
        }
        await using (var server = await TsdbProcess.StartAsync(dataDir, args))
        {
            using var http = server.Client(token);
            Assert.Equal(acked.Order(), await Ids(http));
            Assert.Equal(acked.Count, await FileRows(http));
        }
    }

    [Fact]
    public async Task A_hung_S3_gateway_fails_queries_and_persists_within_the_retry_timeout_and_loses_nothing()
    {
        var args = S3Args("tsdb-hung", "--object-store-request-timeout", "2s", "--object-store-retry-timeout", "6s");
        var dataDir = Path.Combine(_dir, "data");
        var acked = new HashSet<long>();
        long next = 0;
        string token;
        await using (var server = await TsdbProcess.StartAsync(dataDir, args))
        {
            token = server.AdminToken!;
            using var http = server.Client();
            http.Timeout = TimeSpan.FromMinutes(5);
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await Write(http, next, 500)).StatusCode);
                Add(acked, ref next, 500);
            }
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);

            _ceph.PauseGateway();
            try
            {
                // Every attempt ends at the request timeout and the retries at the retry timeout: a 503 in seconds, where
                // attempts × the old 60 s timeout held the query for minutes.
                var watch = Stopwatch.StartNew();
                var query = await http.GetAsync("/api/v3/query_sql?db=outage&q=SELECT+sum(id)+AS+s+FROM+m");
                var queryBody = await query.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.ServiceUnavailable, query.StatusCode);
                Assert.Contains("the object store is unavailable", queryBody, StringComparison.Ordinal);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the query took {watch.Elapsed}");

                // Writes to a known table need no object store: acknowledged from the WAL while the gateway hangs.
                Assert.Equal(HttpStatusCode.NoContent, (await Write(http, next, 500)).StatusCode);
                Add(acked, ref next, 500);
                var persist = await http.PostAsync("/api/v3/persist", null);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, persist.StatusCode);
                Assert.Contains("the object store is unavailable", await persist.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            finally
            {
                _ceph.ResumeGateway();
            }

            // Once it answers again: a persist goes through and every acknowledged row is there once.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while ((await http.PostAsync("/api/v3/persist", null)).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, "persists still failing 90 s after the gateway was resumed");
                await Task.Delay(1000);
            }
            Assert.Equal(acked.Order(), await Ids(http));
            Assert.Equal(acked.Count, await FileRows(http));
            server.Kill();
        }
        await using (var server = await TsdbProcess.StartAsync(dataDir, args))
        {
            using var http = server.Client(token);
            Assert.Equal(acked.Order(), await Ids(http));
            Assert.Equal(acked.Count, await FileRows(http));
        }
    }

    /// <summary>A server on Ceph RGW that persists only when asked (or its buffer is full), checking every second.</summary>
    private string[] S3Args(string bucket, params string[] extra) =>
    [
        "--object-store", "s3", "--s3-endpoint", _ceph.Endpoint, "--s3-bucket", bucket, "--s3-access-key", CephRgw.AccessKey, "--s3-secret-key", CephRgw.SecretKey,
        "--persist-age", "1h", "--persist-check-interval", "1s", .. extra,
    ];

    private static void Add(HashSet<long> acked, ref long next, int count)
    {
        for (var i = 0; i < count; i++)
        {
            acked.Add(next + i);
        }
        next += count;
    }

    private static Task<HttpResponseMessage> Write(HttpClient http, long first, int count)
    {
        var text = new StringBuilder();
        for (var id = first; id < first + count; id++)
        {
            text.Append("m,host=h").Append(id % 10).Append(" id=").Append(id).Append("i,pad=\"").Append(Guid.NewGuid().ToString("N")).Append("\" ")
                .Append(1_700_000_000_000_000_000L + (id * 1_000_000L)).Append('\n');
        }
        return http.PostAsync("/api/v3/write_lp?db=outage", new StringContent(text.ToString(), Encoding.UTF8));
    }

    private static async Task<List<long>> Ids(HttpClient http)
    {
        var rows = JsonDocument.Parse(await http.GetStringAsync("/api/v3/query_sql?db=outage&q=SELECT+id+FROM+m+ORDER+BY+id")).RootElement;
        return [.. rows.EnumerateArray().Select(r => r.GetProperty("id").GetInt64())];
    }

    private static async Task<long> FileRows(HttpClient http)
    {
        var rows = JsonDocument.Parse(await http.GetStringAsync("/api/v3/query_sql?db=outage&q=SELECT+sum(row_count)+AS+n+FROM+system.parquet_files+WHERE+table_name+%3D+'m'")).RootElement;
        return rows[0].GetProperty("n").GetInt64();
    }
}
