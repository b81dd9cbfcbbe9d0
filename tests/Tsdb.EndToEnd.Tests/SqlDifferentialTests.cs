using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tsdb.Testing;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The DuckDB differential test (tests/interop/sql): the generated data set through line protocol, every corpus query
/// through /api/v3/query_sql, compared with DuckDB's answers. Every query must match except those in <see cref="NotYet"/>,
/// which are reported (pass count and first error) without failing.
/// </summary>
public sealed class SqlDifferentialTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// Corpus queries the engine does not answer as DuckDB does yet, reported without failing; every other query must
    /// match. Empty: every one of the corpus' queries matches (a new entry that does not must be listed here, with why,
    /// in tests/interop/sql/README.md).
    /// </summary>
    private static readonly HashSet<string> NotYet = new(StringComparer.Ordinal);

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-sql-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Corpus_queries_match_DuckDB()
    {
        NodeRunner.Run("sql/dataset.mjs", _dir).EnsureSuccess("dataset.mjs");
        var expectedPath = Path.Combine(_dir, "duckdb.json");
        NodeRunner.Run("sql/duckdb-run.mjs", expectedPath).EnsureSuccess("duckdb-run.mjs");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(expectedPath))!.AsObject();
        var corpus = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Interop, "sql", "corpus.json")))!.AsArray();

        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir, "dataset.lp"));
        await using (var server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"), "--without-auth"))
        {
            using var http = server.Client();
            await LoadAsync(lines, (_, _) => Task.FromResult(http));
            Check("a single server", await RunCorpusAsync(http, corpus, expected));
        }

        // The same corpus against a cluster's query node (docs/scale-out.md): the rows written to two ingest nodes in
        // turn, one of them persisted halfway, so every table is Parquet files plus two ingest nodes' buffers pulled
        // over Flight.
        string[] shared = ["--without-auth", "--object-store", "file", "--object-store-dir", Path.Combine(_dir, "store")];
        await using var i1 = await InProcessTsdb.StartAsync(Path.Combine(_dir, "i1"), [.. shared, "--mode", "ingest", "--node-id", "i1"]);
        await using var i2 = await InProcessTsdb.StartAsync(Path.Combine(_dir, "i2"), [.. shared, "--mode", "ingest", "--node-id", "i2"]);
        await using var q1 = await InProcessTsdb.StartAsync(Path.Combine(_dir, "q1"), [.. shared, "--mode", "query", "--node-id", "q1"]);
        using var w1 = i1.Client();
        using var w2 = i2.Client();
        using var query = q1.Client();
        await LoadAsync(lines, async (n, count) =>
        {
            if (n == count / 2)
            {
                Assert.Equal(HttpStatusCode.OK, (await w1.PostAsync("/api/v3/persist", null)).StatusCode);
            }
            return n % 2 == 0 ? w1 : w2;
        });
        Check("a cluster's query node", await RunCorpusAsync(query, corpus, expected));
    }

    private static async Task LoadAsync(string[] lines, Func<int, int, Task<HttpClient>> target)
    {
        var count = (lines.Length + 1999) / 2000;
        for (var n = 0; n < count; n++)
        {
            var chunk = string.Join('\n', lines.Skip(n * 2000).Take(2000));
            var response = await (await target(n, count)).PostAsync("/api/v3/write_lp?db=sqltest&precision=nanosecond", new StringContent(chunk, Encoding.UTF8, "text/plain"));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
    }

    private void Check(string where, (List<string> Passed, List<string> Failures) result)
    {
        var (passed, failures) = result;
        output.WriteLine($"{where}: {passed.Count} of {passed.Count + failures.Count} corpus queries match DuckDB");
        output.WriteLine($"passing: {string.Join(", ", passed)}");
        foreach (var f in failures)
        {
            output.WriteLine(f);
        }
        var broken = failures.Where(f => !NotYet.Contains(f[..f.IndexOf(':', StringComparison.Ordinal)])).ToList();
        Assert.True(broken.Count == 0, $"corpus queries that do not match DuckDB on {where}:\n" + string.Join('\n', broken));
        Assert.True(passed.Count > 0, "no corpus query ran");
    }

    private static async Task<(List<string> Passed, List<string> Failures)> RunCorpusAsync(HttpClient http, JsonArray corpus, JsonObject expected)
    {
        var passed = new List<string>();
        var failures = new List<string>();
        foreach (var entry in corpus)
        {
            var name = entry!["name"]!.GetValue<string>();
            var sql = entry["sql"]!.GetValue<string>();
            var ordered = entry["ordered"]!.GetValue<bool>();
            var approximate = entry["approximate"]?.GetValue<bool>() ?? false;
            var tolerance = entry["tolerance"]?.GetValue<double>();
            var response = await QueryAsync(http, sql, "json");
            var body = await response.Content.ReadAsStringAsync();
            string? error = response.StatusCode != HttpStatusCode.OK
                ? $"HTTP {(int)response.StatusCode}: {body}"
                : Compare(expected[name]!.AsObject(), await ColumnsAsync(http, sql), JsonNode.Parse(body)!.AsArray(), ordered, approximate, tolerance);
            if (error is null)
            {
                passed.Add(name);
            }
            else
            {
                failures.Add($"{name}: {error}");
            }
        }
        return (passed, failures);
    }

    private static Task<HttpResponseMessage> QueryAsync(HttpClient http, string sql, string format)
    {
        var url = $"/api/v3/query_sql?db=sqltest&format={format}&q={Uri.EscapeDataString(sql)}";
        // Long queries (the OR chains) go in a JSON body: a request line past Kestrel's 8 KB limit gets HTTP 414.
        return url.Length <= 4000
            ? http.GetAsync(url)
            : http.PostAsync("/api/v3/query_sql", new StringContent(new JsonObject { ["db"] = "sqltest", ["format"] = format, ["q"] = sql }.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    /// <summary>
    /// Our output columns in order, from the CSV answer's header: unaliased expressions are named as DataFusion names
    /// them (<c>avg(cpu.usage_user)</c>) where DuckDB prints them as written, so columns are matched by position.
    /// </summary>
    private static async Task<string[]> ColumnsAsync(HttpClient http, string sql)
    {
        using var response = await QueryAsync(http, sql, "csv");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var header = await reader.ReadLineAsync() ?? string.Empty;
        var names = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < header.Length; i++)
        {
            var ch = header[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < header.Length && header[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                names.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
        }
        names.Add(field.ToString());
        return [.. names];
    }

    /// <summary>Null when the rows match, else the first difference.</summary>
    private static string? Compare(JsonObject expected, string[] ours, JsonArray actual, bool ordered, bool approximate, double? tolerance)
    {
        var columns = expected["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
        if (ours.Length != columns.Length)
        {
            return $"expected {columns.Length} columns ({string.Join(", ", columns)}), got {ours.Length} ({string.Join(", ", ours)})";
        }
        var types = expected["types"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
        var want = expected["rows"]!.AsArray().Select(r => r!.AsArray().Select(v => v?.GetValue<string>()).ToArray()).ToList();
        var got = new List<string?[]>();
        foreach (var node in actual)
        {
            var row = node!.AsObject();
            foreach (var (key, _) in row)
            {
                if (Array.IndexOf(ours, key) < 0)
                {
                    return $"unexpected column '{key}' (expected {string.Join(", ", ours)})";
                }
            }
            got.Add([.. ours.Select((c, i) => row[c] is { } v ? Canonical(v, types[i]) : null)]);
        }
        for (var c = 0; c < columns.Length; c++)
        {
            if (want.Any(r => r[c] is not null) && got.Count > 0 && got.All(r => r[c] is null))
            {
                return $"column '{columns[c]}' is missing";
            }
        }
        if (want.Count != got.Count)
        {
            return $"expected {want.Count} rows, got {got.Count}";
        }
        if (!ordered)
        {
            want = [.. want.OrderBy(r => SortKey(r, types), StringComparer.Ordinal)];
            got = [.. got.OrderBy(r => SortKey(r, types), StringComparer.Ordinal)];
        }
        for (var r = 0; r < want.Count; r++)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                if (!ValueEquals(want[r][c], got[r][c], types[c], approximate, tolerance))
                {
                    return $"row {r}, column '{columns[c]}': expected {want[r][c] ?? "NULL"}, got {got[r][c] ?? "NULL"}";
                }
            }
        }
        return null;
    }

    private static string SortKey(string?[] row, string[] types) =>
        string.Join('\u0001', row.Select((v, i) => v is null ? "\u0000" : types[i] == "float" ? double.Parse(v, CultureInfo.InvariantCulture).ToString("G9", CultureInfo.InvariantCulture) : v));

    /// <summary>
    /// Floats match within 1e-9 (relative); approximate ones within 1 %, or within the entry's absolute
    /// <paramref name="tolerance"/> (a share of the column's value range) when it has one.
    /// </summary>
    private static bool ValueEquals(string? want, string? got, string type, bool approximate, double? tolerance)
    {
        if (want is null || got is null)
        {
            return want is null && got is null;
        }
        if (type != "float")
        {
            return want == got;
        }
        var a = double.Parse(want, CultureInfo.InvariantCulture);
        var b = double.Parse(got, CultureInfo.InvariantCulture);
        if (a.Equals(b) || (Math.Abs(a) < 1e-12 && Math.Abs(b) < 1e-12))
        {
            return true;
        }
        if (approximate && tolerance is { } absolute && Math.Abs(a - b) <= absolute)
        {
            return true;
        }
        var relative = approximate ? 1e-2 : 1e-9;
        return Math.Abs(a - b) <= relative * Math.Max(Math.Abs(a), Math.Abs(b));
    }

    /// <summary>Our JSON value in the oracle's string form (timestamps as ns since the epoch).</summary>
    private static string Canonical(JsonNode value, string type)
    {
        var element = value.GetValue<System.Text.Json.JsonElement>();
        return type switch
        {
            "timestamp" => ParseTimestamp(element.GetString()!).ToString(CultureInfo.InvariantCulture),
            "bool" => element.GetBoolean() ? "true" : "false",
            "string" => element.ValueKind == System.Text.Json.JsonValueKind.String ? element.GetString()! : element.GetRawText(),
            _ => element.ValueKind == System.Text.Json.JsonValueKind.String ? element.GetString()! : element.GetRawText(),
        };
    }

    /// <summary>"2016-01-01T00:00:10.005000005" (no zone: UTC) to nanoseconds since the epoch.</summary>
    private static long ParseTimestamp(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? text.TrimEnd('Z') : text[..dot];
        var seconds = DateTime.ParseExact(head, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        long fraction = 0;
        if (dot >= 0)
        {
            var digits = text[(dot + 1)..].TrimEnd('Z');
            fraction = long.Parse(digits.PadRight(9, '0')[..9], CultureInfo.InvariantCulture);
        }
        return ((seconds.Ticks - DateTime.UnixEpoch.Ticks) * 100) + fraction;
    }
}
