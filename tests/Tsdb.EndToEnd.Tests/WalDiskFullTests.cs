using System.Net;
using System.Text;
using System.Text.Json;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The data directory on a small tmpfs that fills up: every write API answers 507 with its dialect's message, the
/// probes report it, no acknowledged row is lost and no refused one appears, no temporary file stays behind, and
/// writes resume once space is freed, without a restart. Skipped where a tmpfs cannot be mounted.
/// </summary>
public sealed class WalDiskFullTests
{
    // Background persist off: the test decides when the full disk meets a Parquet write.
    private static readonly string[] Args = ["--persist-age", "1h", "--persist-buffer-size", "1GiB"];

    [TmpfsFact]
    public async Task A_full_disk_refuses_writes_with_507_until_space_is_freed_and_loses_nothing()
    {
        using var disk = Tmpfs.Mount(32L << 20);
        var dataDir = Path.Combine(disk.Path, "data");
        var acked = new HashSet<long>();
        long next = 0;
        string token;
        await using (var server = await TsdbProcess.StartAsync(dataDir, Args))
        {
            token = server.AdminToken!;
            using var http = server.Client();
            // Database, tables and columns exist before the disk fills (the catalog is on it too).
            Assert.Equal(HttpStatusCode.NoContent, (await WriteBatch(http, next, 10)).StatusCode);
            AddRange(acked, ref next, 10);
            Assert.Equal(HttpStatusCode.NoContent, (await RemoteWrite(http, 0)).StatusCode);

            var filler = disk.Fill(leaveBytes: 1L << 20);
            HttpResponseMessage? refused = null;
            for (var i = 0; i < 500 && refused is null; i++)
            {
                var response = await WriteBatch(http, next, 200);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    AddRange(acked, ref next, 200);
                }
                else
                {
                    refused = response;
                    next += 200; // these ids must never show up
                }
            }
            Assert.NotNull(refused);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Equal(507, (int)refused.StatusCode);
            Assert.Equal("10", refused.Headers.GetValues("Retry-After").Single());
            Assert.StartsWith("the write was not stored: the WAL's disk is full: No space left on device", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
            var rest = disk.FillUp();

            // Now nothing fits, however small. Each write API answers in its own dialect, and a write that needs a catalog change (a new table) too.
            // (More than a page: the last page of the segment may still have room for a few lines.)
            var v2 = await http.PostAsync("/api/v2/write?bucket=faults", Lines(next, 100));
            Assert.Equal(507, (int)v2.StatusCode);
            var v2Json = JsonDocument.Parse(await v2.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("unavailable", v2Json.GetProperty("code").GetString());
            Assert.Contains("disk is full", v2Json.GetProperty("message").GetString(), StringComparison.Ordinal);
            var v1 = await http.PostAsync("/write?db=faults", Lines(next + 100, 100));
            Assert.Equal(507, (int)v1.StatusCode);
            Assert.Contains("disk is full", JsonDocument.Parse(await v1.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            next += 200;
            var newTable = await http.PostAsync("/api/v3/write_lp?db=faults", new StringContent(string.Concat(Enumerable.Repeat($"brand_new_table,t={new string('x', 4000)} v=1i 1\n", 300))));
            Assert.Equal(507, (int)newTable.StatusCode);
            Assert.Contains("disk is full", await newTable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var rw = await RemoteWrite(http, 1);
            Assert.Equal(507, (int)rw.StatusCode);
            Assert.Contains("disk is full", await rw.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // The probes say so; liveness stays (a restart would not free space).
            var health = await http.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("the WAL's disk is full", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/-/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/-/healthy")).StatusCode);

            // A persist meets the full disk: it fails with 507, and its Parquet put leaves no temporary file.
            var persist = await http.PostAsync("/api/v3/persist", null);
            Assert.Equal(507, (int)persist.StatusCode);
            Assert.Empty(Directory.GetFiles(dataDir, "*.tmp", SearchOption.AllDirectories));

            // Space comes back: ready again without a write (the WAL checks by itself), then writes are taken.
            File.Delete(filler);
            File.Delete(rest);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await http.GetAsync("/-/ready")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, "/-/ready did not turn 200 within 20 s of freeing space");
                await Task.Delay(200);
            }
            Assert.Equal("OK", await http.GetStringAsync("/health"));
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await WriteBatch(http, next, 200)).StatusCode);
                AddRange(acked, ref next, 200);
            }
            Assert.Equal(HttpStatusCode.NoContent, (await RemoteWrite(http, 2)).StatusCode);
            Assert.Equal(acked.Order(), await Ids(http));
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);
            Assert.Equal(acked.Order(), await Ids(http));
            Assert.Empty(Directory.GetFiles(dataDir, "*.tmp", SearchOption.AllDirectories));

            // One log line per change of state, however many writes were refused.
            var log = server.Output.Split('\n');
            Assert.Single(log, l => l.Contains("tsdb.wal", StringComparison.Ordinal) && l.Contains("the WAL's disk is full since", StringComparison.Ordinal));
            Assert.Single(log, l => l.Contains("the WAL takes writes again (space was freed)", StringComparison.Ordinal));
            server.Kill();
        }

        // kill -9 and replay: exactly the acknowledged rows, none of the refused ones (their partial records were cut).
        await using (var server = await TsdbProcess.StartAsync(dataDir, Args))
        {
            using var http = server.Client(token);
            Assert.Equal(acked.Order(), await Ids(http));
            var samples = JsonDocument.Parse(await http.GetStringAsync("/api/v3/query_sql?db=faults&q=SELECT+id,+count(*)+AS+n+FROM+rw+GROUP+BY+id+ORDER+BY+id")).RootElement;
            Assert.Equal(["0:200", "2:200"], samples.EnumerateArray().Select(r => $"{r.GetProperty("id").GetString()}:{r.GetProperty("n").GetInt64()}"));
        }
    }

    private static void AddRange(HashSet<long> acked, ref long next, int count)
    {
        for (var i = 0; i < count; i++)
        {
            acked.Add(next + i);
        }
        next += count;
    }

    /// <summary>Lines with ids first … first+count-1 and a random (incompressible) payload, so Parquet needs room too.</summary>
    private static StringContent Lines(long first, int count)
    {
        var text = new StringBuilder();
        for (var id = first; id < first + count; id++)
        {
            text.Append("m,host=h").Append(id % 10).Append(" id=").Append(id).Append("i,pad=\"").Append(Convert.ToHexString(Guid.NewGuid().ToByteArray())).Append(Convert.ToHexString(Guid.NewGuid().ToByteArray()))
                .Append("\" ").Append(1_700_000_000_000_000_000L + (id * 1_000_000L)).Append('\n');
        }
        return new StringContent(text.ToString(), Encoding.UTF8);
    }

    private static Task<HttpResponseMessage> WriteBatch(HttpClient http, long first, int count) =>
        http.PostAsync("/api/v3/write_lp?db=faults", Lines(first, count));

    private static Task<HttpResponseMessage> RemoteWrite(HttpClient http, int id)
    {
        // 200 series, so that the request needs more than the page the WAL's last record ends in.
        var text = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var series = Enumerable.Range(0, 200).Select(k => ("rw", (IReadOnlyList<(string, string)>)[("id", text), ("s", $"{k}-{Guid.NewGuid():N}")], 1_700_000_000_000L + id, (double)k));
        var body = new ByteArrayContent(RemoteWriteEncoder.Encode(series));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        body.Headers.ContentEncoding.Add("snappy");
        return http.PostAsync("/api/v1/write?db=faults", body);
    }

    private static async Task<List<long>> Ids(HttpClient http)
    {
        var rows = JsonDocument.Parse(await http.GetStringAsync("/api/v3/query_sql?db=faults&q=SELECT+id+FROM+m+ORDER+BY+id")).RootElement;
        return [.. rows.EnumerateArray().Select(r => r.GetProperty("id").GetInt64())];
    }
}
