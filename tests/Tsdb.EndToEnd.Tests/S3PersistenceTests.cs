using System.Text;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>With the object store on a real S3 server (Ceph RGW), the server comes back from S3 alone.</summary>
public sealed class S3PersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-s3-").FullName;
    private readonly CephRgw _ceph = CephRgw.Start();

    public void Dispose()
    {
        _ceph.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_server_on_a_new_machine_restores_every_persisted_row_from_S3()
    {
        string[] s3 = ["--object-store", "s3", "--s3-endpoint", _ceph.Endpoint, "--s3-bucket", "tsdb-e2e", "--s3-access-key", CephRgw.AccessKey, "--s3-secret-key", CephRgw.SecretKey];
        List<string> expected;
        string token;
        await using (var server = await TsdbProcess.StartAsync(Path.Combine(_dir, "first"), s3))
        {
            token = server.AdminToken!;
            using var http = server.Client();
            var body = string.Join('\n', Enumerable.Range(0, 1000).Select(i => $"s3,host=h{i % 7} v={i}i,f={i * 0.5} {1_700_000_000_000_000_000L + (i * 60_000_000_000L)}"));
            await http.PostAsync("/api/v3/write_lp?db=s3db", new StringContent(body, Encoding.UTF8));
            await http.PostAsync("/api/v3/persist", null);
            await http.PostAsync("/api/v3/compact", null);
            expected = await PersistenceTests.ExportLines(http, "s3db", "s3");
            Assert.Equal(1000, expected.Count);
            await server.StopAsync();
        }
        // A fresh data directory: no WAL, no local state. Catalog, tokens and files come from S3.
        await using (var server = await TsdbProcess.StartAsync(Path.Combine(_dir, "second"), s3))
        {
            Assert.Null(server.AdminToken);
            using var http = server.Client(token);
            Assert.Equal(expected, await PersistenceTests.ExportLines(http, "s3db", "s3"));
        }
    }
}
