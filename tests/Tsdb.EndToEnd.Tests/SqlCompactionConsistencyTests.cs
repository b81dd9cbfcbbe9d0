using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The tests/interop/sql data set split across the buffer and several overlapping Parquet files, with duplicate keys
/// (some fields changed, last write wins), answers every corpus query the same before and after POST /api/v3/compact.
/// </summary>
public sealed partial class SqlCompactionConsistencyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-sqlcompact-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"\b(usage_user|used)=(-?[0-9.]+)(i?)")]
    private static partial Regex FirstField();

    /// <summary>The same key with its first field changed (lines without that field are written again unchanged).</summary>
    private static string Changed(string line, int k) => FirstField().Replace(line, m =>
        m.Groups[3].Value == "i"
            ? $"{m.Groups[1].Value}={long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + k}i"
            : $"{m.Groups[1].Value}={(double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + k).ToString("R", CultureInfo.InvariantCulture)}", 1);

    [Fact]
    public async Task Corpus_answers_are_the_same_before_and_after_compaction()
    {
        NodeRunner.Run("sql/dataset.mjs", _dir).EnsureSuccess("dataset.mjs");
        var corpus = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Interop, "sql", "corpus.json")))!.AsArray();
        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir, "dataset.lp"));

        await using var server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"), "--without-auth");
        using var http = server.Client();
        async Task Write(IEnumerable<string> batch)
        {
            foreach (var chunk in batch.Chunk(2000))
            {
                var response = await http.PostAsync("/api/v3/write_lp?db=sqltest&precision=nanosecond", new StringContent(string.Join('\n', chunk), Encoding.UTF8, "text/plain"));
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
        }
        async Task Persist() => Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);

        var n = lines.Length;
        // File 1: the first half.
        await Write(lines[..(n / 2)]);
        await Persist();
        // File 2: duplicates of every 5th line of the first half (changed), and the third quarter.
        await Write(lines[..(n / 2)].Where((_, i) => i % 5 == 0).Select(l => Changed(l, 1)));
        await Write(lines[(n / 2)..(3 * n / 4)]);
        await Persist();
        // File 3: duplicates again (changed twice over some, unchanged copies of others) across the first three quarters.
        await Write(lines[..(3 * n / 4)].Where((_, i) => i % 10 == 0).Select(l => Changed(l, 2)));
        await Write(lines[..(3 * n / 4)].Where((_, i) => i % 7 == 3));
        await Persist();
        // Buffer only: the last quarter, and duplicates over persisted and buffered rows.
        await Write(lines[(3 * n / 4)..]);
        await Write(lines.Where((_, i) => i % 11 == 0).Select(l => Changed(l, 3)));

        async Task<JsonArray> Query(string sql)
        {
            var response = await http.GetAsync($"/api/v3/query_sql?db=sqltest&format=json&q={Uri.EscapeDataString(sql)}");
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(body)!.AsArray() : [new JsonObject { ["error"] = $"HTTP {(int)response.StatusCode}: {body}" }];
        }
        var files = await Query("SELECT count(*) AS n FROM system.parquet_files WHERE table_name = 'cpu'");
        Assert.True(files[0]!["n"]!.GetValue<long>() >= 3, files.ToJsonString());
        Assert.Equal(n, Count(await Query("SELECT count(*) AS n FROM cpu")) + Count(await Query("SELECT count(*) AS n FROM mem")));

        var before = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        foreach (var entry in corpus)
        {
            before[entry!["name"]!.GetValue<string>()] = await Query(entry["sql"]!.GetValue<string>());
        }

        var compacted = await http.PostAsync("/api/v3/compact", null);
        Assert.Equal(HttpStatusCode.OK, compacted.StatusCode);
        Assert.Equal(1, Count(await Query("SELECT count(*) AS n FROM system.parquet_files WHERE table_name = 'cpu'")));

        var differences = new List<string>();
        var answered = 0;
        foreach (var entry in corpus)
        {
            var name = entry!["name"]!.GetValue<string>();
            var after = await Query(entry["sql"]!.GetValue<string>());
            answered += before[name].Count == 1 && before[name][0]!["error"] is not null ? 0 : 1;
            if (Same(before[name], after, entry["ordered"]!.GetValue<bool>()) is { } why)
            {
                differences.Add($"{name}: {why}");
            }
        }
        Assert.True(answered >= 50, $"only {answered} corpus queries answered");
        Assert.True(differences.Count == 0, "answers changed by compaction:\n" + string.Join('\n', differences));
    }

    private static long Count(JsonArray rows) => rows[0]!["n"]!.GetValue<long>();

    /// <summary>Null when both answers hold the same rows (in order when <paramref name="ordered"/>; floats within 1e-9 relative).</summary>
    private static string? Same(JsonArray a, JsonArray b, bool ordered)
    {
        if (a.Count != b.Count)
        {
            return $"{a.Count} rows before, {b.Count} after";
        }
        var left = a.Select(r => r!.AsObject()).ToList();
        var right = b.Select(r => r!.AsObject()).ToList();
        if (!ordered)
        {
            left = [.. left.OrderBy(SortKey, StringComparer.Ordinal)];
            right = [.. right.OrderBy(SortKey, StringComparer.Ordinal)];
        }
        for (var i = 0; i < left.Count; i++)
        {
            var keys = left[i].Select(p => p.Key).Union(right[i].Select(p => p.Key)).ToList();
            foreach (var key in keys)
            {
                var x = left[i][key];
                var y = right[i][key];
                if (!ValueEquals(x, y))
                {
                    return $"row {i}, column '{key}': {x?.ToJsonString() ?? "NULL"} before, {y?.ToJsonString() ?? "NULL"} after";
                }
            }
        }
        return null;
    }

    private static string SortKey(JsonObject row) => string.Join('\u0001', row.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
        p.Key + "=" + (p.Value is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("G9", CultureInfo.InvariantCulture) : p.Value?.ToJsonString())));

    private static bool ValueEquals(JsonNode? x, JsonNode? y)
    {
        if (x is null || y is null)
        {
            return x is null && y is null;
        }
        if (x is JsonValue xv && y is JsonValue yv && xv.TryGetValue<double>(out var a) && yv.TryGetValue<double>(out var b))
        {
            return a.Equals(b) || Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));
        }
        return x.ToJsonString() == y.ToJsonString();
    }
}
