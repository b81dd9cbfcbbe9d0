using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A data directory written before the catalog became a log (one whole catalog per version, <c>catalog/{version}.json</c>)
/// still starts: the newest version is the starting checkpoint and changes continue as records in <c>catalog/log/</c>.
/// </summary>
public sealed class CatalogLayoutTests : IDisposable
{
    private const string Secret = "apiv3_old-layout-secret";

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-catalog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_data_directory_in_the_old_catalog_layout_loads_and_continues_as_a_log()
    {
        var catalog = Path.Combine(_dir, "catalog");
        Directory.CreateDirectory(catalog);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Secret)));
        // As the server before the log wrote it: format 1, one database with a table whose usage is an integer.
        await File.WriteAllTextAsync(Path.Combine(catalog, "00000000000000000003.json"),
            $$"""{"FormatVersion":1,"Version":3,"PersistedSequence":0,"NextFileId":1,"Databases":[{"Name":"old","Tables":[{"Name":"cpu","Columns":[{"Name":"time","Kind":"Time"},{"Name":"host","Kind":"Tag"},{"Name":"usage","Kind":"Integer"}]}]}],"Tokens":[{"Name":"_admin","Sha256":"{{hash}}","Admin":true,"CreatedAt":"2026-01-01T00:00:00+00:00"}],"Files":[],"PendingDeletes":[]}""");

        await using (var server = await InProcessTsdb.StartAsync(_dir))
        {
            Assert.Null(server.AdminToken); // the old catalog's token is there
            using var http = server.Client(Secret);
            var conflict = await http.PostAsync(new Uri("/api/v3/write_lp?db=old", UriKind.Relative), new StringContent("cpu,host=a usage=1.5 1"));
            Assert.Equal(HttpStatusCode.BadRequest, conflict.StatusCode);
            Assert.Contains("expected iox::column_type::field::integer", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(new Uri("/api/v3/write_lp?db=old", UriKind.Relative), new StringContent("mem,host=a free=2i 1"))).StatusCode);
            await server.StopAsync();
        }
        Assert.True(File.Exists(Path.Combine(catalog, "log", "00000000000000000004.json")));

        await using (var server = await InProcessTsdb.StartAsync(_dir))
        {
            using var http = server.Client(Secret);
            var databases = await http.GetStringAsync(new Uri("/api/v3/configure/database", UriKind.Relative));
            Assert.Contains("\"old\"", databases, StringComparison.Ordinal);
            // The table made through the log survived the restart: its column kind is enforced.
            var refused = await http.PostAsync(new Uri("/api/v3/write_lp?db=old", UriKind.Relative), new StringContent("mem,host=a free=\"x\" 2"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("column 'free' in table 'mem'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A data directory whose newest checkpoint is a JSON one (as servers before binary checkpoints wrote them) next to
    /// a torn binary one at the same version: the server starts from the JSON one, says which object it could not
    /// read, and carries on with the log across a restart.
    /// </summary>
    [Fact]
    public async Task A_json_checkpoint_beside_a_torn_binary_one_starts_with_a_warning()
    {
        var checkpoints = Path.Combine(_dir, "catalog", "checkpoints");
        Directory.CreateDirectory(checkpoints);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Secret)));
        await File.WriteAllTextAsync(Path.Combine(checkpoints, "00000000000000000003.json"),
            $$"""{"FormatVersion":2,"Version":3,"PersistedSequence":0,"NextFileId":1,"Databases":[{"Name":"old","Tables":[{"Name":"cpu","Columns":[{"Name":"time","Kind":"Time"},{"Name":"usage","Kind":"Integer"}]}]}],"Tokens":[{"Name":"_admin","Sha256":"{{hash}}","Admin":true,"CreatedAt":"2026-01-01T00:00:00+00:00"}],"Files":[],"PendingDeletes":[]}""");
        await File.WriteAllBytesAsync(Path.Combine(checkpoints, "00000000000000000003.bin"), [.. "TSDBCKPT"u8, 1, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        const string Warning = "warning: the catalog checkpoint catalog/checkpoints/00000000000000000003.bin is 34 bytes, its header says 228 bytes: it is truncated";

        await using (var server = await InProcessTsdb.StartAsync(_dir))
        {
            Assert.Contains(Warning, server.Output, StringComparison.Ordinal);
            using var http = server.Client(Secret);
            var conflict = await http.PostAsync(new Uri("/api/v3/write_lp?db=old", UriKind.Relative), new StringContent("cpu usage=1.5 1"));
            Assert.Equal(HttpStatusCode.BadRequest, conflict.StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(new Uri("/api/v3/write_lp?db=old", UriKind.Relative), new StringContent("mem free=2i 1"))).StatusCode);
            await server.StopAsync();
        }
        Assert.True(File.Exists(Path.Combine(_dir, "catalog", "log", "00000000000000000004.json")));

        await using (var server = await InProcessTsdb.StartAsync(_dir))
        {
            Assert.Contains(Warning, server.Output, StringComparison.Ordinal);
            using var http = server.Client(Secret);
            var refused = await http.PostAsync(new Uri("/api/v3/write_lp?db=old", UriKind.Relative), new StringContent("mem free=\"x\" 2"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("column 'free' in table 'mem'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
