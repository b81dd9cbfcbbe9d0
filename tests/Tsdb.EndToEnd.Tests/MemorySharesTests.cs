using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Tsdb.Host;
using Tsdb.Storage.Persistence;
using Tsdb.Testing.Host;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The process memory budget divided (docs/reliability.md): a part only queries may take, a part only persists and
/// compactions may take, the rest shared, and queries short of memory waiting in line rather than refused at once.
/// Request bodies are reserved from the shared part and refused with each API's 503 when it has no room.
/// </summary>
public sealed class MemorySharesTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-shares-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Queries_are_answered_while_a_sustained_write_load_keeps_the_buffer_at_its_limit()
    {
        // A 16 MiB buffer that persists only when full, so writes are refused (503) before every persist; each persist
        // slice of 8 MiB reserves about six times its size, more than the 64 MiB budget less a query's 8 MiB baseline.
        // Without parts kept for queries (main before this test) a persist took the whole budget and every query that
        // came meanwhile was refused at once with "a new query needed 8 MiB".
        await using var server = await InProcessServer.StartAsync(new TsdbHostOptions
        {
            DataDir = Path.Combine(_dir, "data"),
            HttpBind = "127.0.0.1:0",
            Auth = false,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            BufferLimit = 16L << 20,
            Storage = new StorageOptions { PersistBufferBytes = 16L << 20, PersistAge = TimeSpan.FromHours(1), CheckInterval = TimeSpan.FromMilliseconds(100) },
            QueryMemoryLimit = 32L << 20,
            ProcessMemoryLimit = 64L << 20,
            // The wait is part of the design; long here so that a slow machine does not turn it into a refusal.
            QueryMemoryWait = TimeSpan.FromMinutes(5),
        });
        Assert.Contains("queries, persists and compactions share 64 MiB (16 MiB kept for queries, 16 MiB for persists and compactions", server.Output, StringComparison.Ordinal);
        using var http = server.Client();
        http.Timeout = TimeSpan.FromMinutes(10);

        var writes = new ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource();
        var bufferFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Writer(int w)
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await Write(http, (w * 100_000_000L) + (i * 2_000), 2_000);
                writes.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    bufferFull.TrySetResult();
                }
                else
                {
                    Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                }
            }
        }
        var writers = new[] { Writer(1), Writer(2) };
        // The buffer reached its limit (writes refused); from here on the writers keep it there while persists drain it.
        await bufferFull.Task;

        var answered = 0;
        var refusals = new List<string>();
        for (var q = 0; q < 20; q++)
        {
            using var response = await http.GetAsync("/api/v3/query_sql?db=load&q=SELECT+count(*)+AS+n+FROM+m&format=json");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.True(JsonDocument.Parse(body).RootElement[0].GetProperty("n").GetInt64() > 0, body);
                answered++;
            }
            else
            {
                refusals.Add($"{(int)response.StatusCode} {body}");
            }
        }
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"queries answered {answered} of 20; writes: {string.Join(", ", writes.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}"))}");
        Assert.True(refusals.Count == 0, string.Join('\n', refusals.Take(5)));
        Assert.True(writes.GetValueOrDefault(204) > 0);
    }

    [Fact]
    public async Task A_request_body_the_shared_memory_has_no_room_for_is_refused_with_each_apis_503()
    {
        // 32 MiB of which 16 are kept for queries and 15 for persists and compactions: 1 MiB is shared, all that
        // request bodies may take.
        await using var server = await InProcessServer.StartAsync(new TsdbHostOptions
        {
            DataDir = Path.Combine(_dir, "data"),
            HttpBind = "127.0.0.1:0",
            Auth = false,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            QueryMemoryLimit = 16L << 20,
            ProcessMemoryLimit = 32L << 20,
            QueryMemoryReserve = 16L << 20,
            BackgroundMemoryReserve = 15L << 20,
        });
        using var http = server.Client();

        // A small body fits.
        using (var small = await http.PostAsync("/api/v3/write_lp?db=mem", new StringContent("m,host=a v=1i 1700000000000000000\n", Encoding.UTF8)))
        {
            Assert.Equal(HttpStatusCode.NoContent, small.StatusCode);
        }

        // Two MiB of line protocol: refused before it is read, in v3's JSON with Retry-After.
        var large = Lines(20_000);
        Assert.True(large.Length > 2 << 20);
        using (var refused = await http.PostAsync("/api/v3/write_lp?db=mem", new ByteArrayContent(large)))
        {
            await AssertRefused(refused, "application/json");
            var message = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
            Assert.StartsWith("the server is short of memory: the request's body needed ", message, StringComparison.Ordinal);
            Assert.EndsWith("; retry later", message, StringComparison.Ordinal);
        }

        // The same lines gzipped to a few hundred KiB: refused while they are decompressed.
        using (var gzipped = new ByteArrayContent(Gzip(large)))
        {
            gzipped.Headers.ContentEncoding.Add("gzip");
            Assert.True(gzipped.Headers.ContentLength is null || gzipped.Headers.ContentLength < 1 << 20);
            using var refused = await http.PostAsync("/api/v2/write?bucket=mem", gzipped);
            await AssertRefused(refused, "application/json");
        }

        // Remote write: Prometheus' dialect, plain text.
        var rows = Enumerable.Range(0, 20_000).Select(i => ("mem_metric", (IReadOnlyList<(string, string)>)[("job", $"job-{i}"), ("instance", new string('x', 64))], 1_700_000_000_000L + i, (double)i));
        using (var content = new ByteArrayContent(RemoteWriteEncoder.Encode(rows)))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            content.Headers.ContentEncoding.Add("snappy");
            using var refused = await http.PostAsync("/api/v1/write?db=mem", content);
            await AssertRefused(refused, "text/plain");
        }

        // Nothing was kept: the same small write and a query still go through.
        using (var again = await http.PostAsync("/api/v3/write_lp?db=mem", new StringContent("m,host=b v=2i 1700000000000000001\n", Encoding.UTF8)))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }
        Assert.Contains("\"n\":2", await http.GetStringAsync("/api/v3/query_sql?db=mem&q=SELECT+count(*)+AS+n+FROM+m&format=json"), StringComparison.Ordinal);

        static async Task AssertRefused(HttpResponseMessage response, string contentType)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("5", response.Headers.RetryAfter?.ToString());
            Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("the server is short of memory: the request's body needed ", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_remote_read_over_the_query_limit_gets_400_and_one_the_budget_has_no_room_for_gets_503()
    {
        // 20,000 samples: with 1 MiB per query, more than a read may hold (40 bytes a sample kept, 96 more for the answer).
        await using (var server = await InProcessServer.StartAsync(new TsdbHostOptions
        {
            DataDir = Path.Combine(_dir, "small-queries"),
            HttpBind = "127.0.0.1:0",
            Auth = false,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            QueryMemoryLimit = 1L << 20,
            ProcessMemoryLimit = 64L << 20,
        }))
        {
            using var http = server.Client();
            var rows = Enumerable.Range(0, 20_000).Select(i => ("read_metric", (IReadOnlyList<(string, string)>)[("job", "a")], 1_700_000_000_000L + (i * 1_000L), (double)i));
            using (var write = new ByteArrayContent(RemoteWriteEncoder.Encode(rows)))
            {
                write.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
                write.Headers.ContentEncoding.Add("snappy");
                using var written = await http.PostAsync("/api/v1/write?db=mem", write);
                Assert.Equal(HttpStatusCode.NoContent, written.StatusCode);
            }
            using var refused = await http.PostAsync("/api/v1/read?db=mem", ReadContent(1_700_000_000_000L, 1_700_000_000_000L + 20_000_000L));
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode}: {body}");
            Assert.StartsWith("the query exceeded its memory limit of 1 MiB: remote read (the samples and series it read, and its answer) needed ", body, StringComparison.Ordinal);
            // A read that fits answers.
            using var small = await http.PostAsync("/api/v1/read?db=mem", ReadContent(1_700_000_000_000L, 1_700_000_000_000L + 1_000_000L));
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);
            Assert.Equal("application/x-protobuf", small.Content.Headers.ContentType?.MediaType);
        }

        // Nothing kept for queries and all but 1 MiB kept for persists and compactions: a read's 16 MiB baseline can
        // never fit.
        await using (var server = await InProcessServer.StartAsync(new TsdbHostOptions
        {
            DataDir = Path.Combine(_dir, "no-room"),
            HttpBind = "127.0.0.1:0",
            Auth = false,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            QueryMemoryLimit = 64L << 20,
            ProcessMemoryLimit = 32L << 20,
            QueryMemoryReserve = 0,
            BackgroundMemoryReserve = 31L << 20,
        }))
        {
            using var http = server.Client();
            using (var created = await http.PostAsync("/api/v3/write_lp?db=mem", new StringContent("read_metric,job=a value=1 1700000000000000000\n", Encoding.UTF8)))
            {
                Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
            }
            using var refused = await http.PostAsync("/api/v1/read?db=mem", ReadContent(1_700_000_000_000L, 1_700_000_001_000L));
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {body}");
            Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
            Assert.StartsWith("the server is short of memory: a new remote read needed 16 MiB; ", body, StringComparison.Ordinal);
        }

        static ByteArrayContent ReadContent(long startMs, long endMs)
        {
            var content = new ByteArrayContent(RemoteWriteEncoder.EncodeRead("read_metric", startMs, endMs));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            content.Headers.ContentEncoding.Add("snappy");
            return content;
        }
    }

    private static byte[] Lines(int count)
    {
        var text = new StringBuilder();
        for (var id = 0; id < count; id++)
        {
            text.Append("m,host=h").Append(id).Append(" v=").Append(id).Append("i,pad=\"").Append('p', 80).Append("\" ")
                .Append(1_700_000_000_000_000_000L + id).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Gzip(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return compressed.ToArray();
    }

    private static Task<HttpResponseMessage> Write(HttpClient http, long first, int count)
    {
        var text = new StringBuilder();
        for (var id = first; id < first + count; id++)
        {
            text.Append("m,host=h").Append(id).Append(" v=").Append(id).Append("i,pad=\"").Append(Guid.NewGuid().ToString("N")).Append(Guid.NewGuid().ToString("N")).Append("\" ")
                .Append(1_700_000_000_000_000_000L + (id * 1_000_000L)).Append('\n');
        }
        return http.PostAsync("/api/v3/write_lp?db=load", new StringContent(text.ToString(), Encoding.UTF8));
    }
}
