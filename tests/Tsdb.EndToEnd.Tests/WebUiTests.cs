using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tsdb.Testing;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The web UI (webui/): served at / without a token, its committed bundle up to date with its sources, and driven in
/// Debian's headless Chromium by puppeteer-core (webui/test/browser-test.mjs) against a real server with auth:
/// sign-in, a SQL and a PromQL query with their table rows and charted series, an error at its position, EXPLAIN
/// ANALYZE as a tree, the schema and status pages, axe-core's accessibility rules, no horizontal overflow at 1280×800 and
/// 390×844. Screenshots are
/// kept in the test output directory under webui-screenshots/.
/// <para>
/// The status page reads /metrics, whose meters are the process's (docs/architecture.md): the catalog gauges follow
/// the server started last. So this class runs alone, after every parallel class (its collection is not parallel),
/// and its server is then the one they show.
/// </para>
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class WebUiTests : IAsyncLifetime
{
    private const string Db = "webui";
    private const int Hosts = 2;
    private const int PointsPerHost = 60;

    private static readonly Lazy<bool> NpmInstalled = new(InstallNpmPackages);

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-webui-").FullName;
    private InProcessServer _server = null!;

    private static string WebUi => Path.Combine(RepoPaths.Root, "webui");

    /// <summary>Where the screenshots stay after the run (the test assembly's output directory).</summary>
    public static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "webui-screenshots");

    public async Task InitializeAsync() => _server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_page_and_its_assets_need_no_token_and_the_APIs_still_do()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Url };
        using var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(WebUi, "dist", "index.html")), html);
        Assert.Contains("<script defer src=\"ui/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        foreach (var (path, type) in new[] { ("/ui/app.js", "text/javascript"), ("/ui/app.css", "text/css") })
        {
            using var asset = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
            var bytes = await asset.Content.ReadAsByteArrayAsync();
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(WebUi, "dist", Path.GetFileName(path))), bytes);
            // Revalidation: the same ETag answers 304 without a body.
            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.TryAddWithoutValidation("If-None-Match", asset.Headers.ETag!.Tag);
            using var notModified = await anonymous.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        // Nothing else is served from /ui/, and no file outside it (index.html has its own route).
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/ui/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/ui/nope.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/ui/..%2Ftsdb.dll")).StatusCode);
        // "/" takes GET and HEAD only.
        using var post = await anonymous.PostAsync("/", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("GET, HEAD", string.Join(", ", post.Content.Headers.Allow));
        // The APIs the page calls still need a token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v3/configure/database")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public void The_committed_bundle_is_up_to_date_with_its_sources()
    {
        _ = NpmInstalled.Value;
        var result = NodeRunner.RunProcess(WebUi, "node", ["build.mjs", "--check"], TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, $"{result.StandardError}\n{result.StandardOutput}");
    }

    [Fact]
    public void The_editor_tokenizers_cover_every_character_and_classify_known_queries()
    {
        var result = NodeRunner.RunProcess(WebUi, "node", ["test/highlight-test.mjs"], TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"{result.StandardError}\n{result.StandardOutput}");
    }

    [Fact]
    public async Task In_a_browser_sign_in_query_in_SQL_and_PromQL_chart_and_browse()
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            DebianPackages.Install(["chromium"], TimeSpan.FromMinutes(15));
        }
        _ = NpmInstalled.Value;
        using var http = _server.Client();
        // Two hosts, a point a minute over the last hour (PromQL's default range in the UI), then persisted so the
        // schema page has a Parquet file to list.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var lines = new StringBuilder();
        // Persisted files are per UTC day: an hour that spans midnight is two files on the schema page.
        var days = new HashSet<long>();
        for (var i = 0; i < PointsPerHost; i++)
        {
            var t = (now - 3540 + (i * 60)) * 1_000_000_000L;
            days.Add(t / 86_400_000_000_000L);
            for (var h = 0; h < Hosts; h++)
            {
                lines.Append(CultureInfo.InvariantCulture, $"cpu,host=h{h} usage={(i % 10) + (h * 20)}.5,count={i}i {t}\n");
            }
        }
        using (var write = await http.PostAsync($"/api/v3/write_lp?db={Db}", new StringContent(lines.ToString())))
        {
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }
        using (var persist = await http.PostAsync("/api/v3/persist", null))
        {
            Assert.Equal(HttpStatusCode.OK, persist.StatusCode);
        }

        if (Directory.Exists(ScreenshotDir))
        {
            Directory.Delete(ScreenshotDir, recursive: true);
        }
        var run = NodeRunner.RunProcess(WebUi, "node", ["test/browser-test.mjs", "--url", _server.Url.ToString(), "--token", _server.AdminToken!, "--db", Db, "--out", ScreenshotDir], TimeSpan.FromMinutes(5));
        var start = run.StandardOutput.IndexOf('{', StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0 && start >= 0, $"the browser test failed ({run.ExitCode}); screenshots in {ScreenshotDir}\n{run.StandardOutput}\n{run.StandardError}");
        using var doc = JsonDocument.Parse(run.StandardOutput[start..]);
        var f = doc.RootElement;

        // Sign-in: a wrong token is refused; the right one is kept in sessionStorage only, and gone after signing out.
        Assert.Equal("That token was not accepted.", f.GetProperty("wrongTokenMessage").GetString());
        Assert.True(f.GetProperty("tokenInSessionStorage").GetBoolean());
        Assert.False(f.GetProperty("tokenInLocalStorage").GetBoolean());
        Assert.Equal(JsonValueKind.Null, f.GetProperty("signedOutToken").ValueKind);
        Assert.Contains(Db, Strings(f.GetProperty("databases")));

        // SQL: every row, paged by 100; the chart draws one series per host.
        var sql = f.GetProperty("sql");
        Assert.StartsWith($"{Hosts * PointsPerHost} rows in ", sql.GetProperty("info").GetString(), StringComparison.Ordinal);
        Assert.Equal(["time", "host", "usage"], Strings(sql.GetProperty("columns")));
        Assert.Equal(100, sql.GetProperty("pageRows").GetInt32());
        Assert.Equal($"rows 1–100 of {Hosts * PointsPerHost}", sql.GetProperty("pager").GetString());
        Assert.Equal("h0", Strings(sql.GetProperty("firstRow"))[1]);
        AssertChart(f.GetProperty("sqlChart"), ["usage {host=h0}", "usage {host=h1}"]);
        Assert.Equal("time,host,usage", Strings(f.GetProperty("csvHead"))[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,h0,0\.5$", Strings(f.GetProperty("csvHead"))[1]);

        // PromQL range query: a series per host, shown as a chart first; a drag zooms in.
        // Highlighting: the coloured copy under the editor mirrors what was typed, token kinds by language, and lays
        // out as the textarea does (same height and scroll position for a text that wraps past the editor's height).
        var highlight = f.GetProperty("highlight");
        foreach (var language in highlight.EnumerateObject())
        {
            Assert.True(language.Value.GetProperty("mirrors").GetBoolean(), language.Name);
            Assert.True(language.Value.GetProperty("textTransparent").GetBoolean(), language.Name);
            Assert.Equal(language.Value.GetProperty("textareaHeight").GetInt32(), language.Value.GetProperty("layerHeight").GetInt32());
            Assert.Equal(language.Value.GetProperty("scrolled").GetDouble(), language.Value.GetProperty("layerScrolled").GetDouble());
        }
        Assert.Superset(new HashSet<string> { "keyword:SELECT", "function:date_bin", "string:'5 minutes'", "function:avg", "comment:-- per host", "number:0.5" },
            new HashSet<string>(Strings(highlight.GetProperty("sql").GetProperty("tokens"))));
        Assert.Superset(new HashSet<string> { "function:mean", "quoted:\"usage\"", "operator:=~", "regex:/h[01]/", "duration:1h", "keyword:fill" },
            new HashSet<string>(Strings(highlight.GetProperty("influxql").GetProperty("tokens"))));
        Assert.Superset(new HashSet<string> { "function:sum", "keyword:by", "label:host", "function:rate", "metric:cpu_usage", "string:\"h.*\"", "duration:5m", "comment:# per host" },
            new HashSet<string>(Strings(highlight.GetProperty("promql").GetProperty("tokens"))));
        var wrapped = highlight.GetProperty("sql-wrapped");
        Assert.True(wrapped.GetProperty("scrolled").GetDouble() > 0, "the long query should scroll the editor");

        var promql = f.GetProperty("promql");
        Assert.Equal(["series", "time", "value"], Strings(promql.GetProperty("columns")));
        Assert.StartsWith("cpu_usage{host=\"h0\"}", Strings(promql.GetProperty("firstRow"))[0], StringComparison.Ordinal);
        AssertChart(f.GetProperty("promqlChart"), ["cpu_usage{host=\"h0\"}", "cpu_usage{host=\"h1\"}"]);
        Assert.Equal("true", f.GetProperty("promqlTabSelected").GetString());
        Assert.InRange(f.GetProperty("zoomRatio").GetDouble(), 0.1, 0.6);
        AssertChart(f.GetProperty("darkChart"), ["cpu_usage{host=\"h0\"}", "cpu_usage{host=\"h1\"}"]);

        // Errors at their position: SQL's line 2, column 3 and PromQL's 1:19, selected in the editor.
        var sqlError = f.GetProperty("sqlError");
        Assert.Contains("line 2, column 3: unknown column 'nope'", sqlError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("15", sqlError.GetProperty("offset").GetString());
        Assert.Equal("nope", sqlError.GetProperty("selection").GetString());
        var promError = f.GetProperty("promqlError");
        Assert.Contains("1:19: parse error: unclosed left parenthesis", promError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("18", promError.GetProperty("offset").GetString());

        // EXPLAIN ANALYZE: the projection naming the output as DataFusion does (avg(cpu.usage)), the aggregate under
        // it and the scan under that, each a level deeper.
        var plan = f.GetProperty("plan");
        Assert.Equal(["Plan with Metrics", "Query"], Strings(plan.GetProperty("sections")));
        Assert.Equal(["ProjectionExec", "HashAggregateExec", "ScanExec"], Strings(plan.GetProperty("operators")));
        Assert.Equal(2, plan.GetProperty("nested").GetInt32());

        // History, newest first.
        var history = Strings(f.GetProperty("history"));
        Assert.StartsWith("SQL: EXPLAIN ANALYZE", history[0], StringComparison.Ordinal);
        Assert.Contains("PromQL: cpu_usage", history);

        // Schema: tags, fields with types, the row count and the persisted file.
        var schema = f.GetProperty("schema");
        Assert.Equal(["cpu"], Strings(schema.GetProperty("tables")));
        Assert.Equal(["time time Timestamp(Nanosecond, None)", "host tag Dictionary(Int32, Utf8)", "usage field float", "count field integer"], Strings(schema.GetProperty("columns")));
        Assert.Equal($"{Hosts * PointsPerHost} rows", schema.GetProperty("rows").GetString());
        Assert.Equal(days.Count, schema.GetProperty("files").GetInt32());

        // Status: read from /metrics with the token.
        var status = f.GetProperty("status");
        Assert.Equal("1 database", status.GetProperty("Catalog").GetString());
        // The object store's error counter is the process's: earlier in-process servers' failures (fault tests) count.
        using (var metricsClient = _server.Client())
        {
            var errors = (await metricsClient.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n')
                .Where(l => l.StartsWith("tsdb_object_store_errors_total", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(errors == 1 ? "1 error" : $"{errors} errors", status.GetProperty("Object store").GetString());
        }
        Assert.Matches(@"^(1 run|[1-9]\d* runs)$", status.GetProperty("Persist").GetString());

        // No horizontal overflow on any page at either size.
        foreach (var sizes in new[] { f.GetProperty("overflow"), f.GetProperty("mobileOverflow") })
        {
            foreach (var view in sizes.EnumerateObject())
            {
                Assert.True(view.Value.GetInt32() <= 0, $"{view.Name} overflows by {view.Value.GetInt32()} px");
            }
        }
        // axe-core's WCAG 2.1 A/AA rules find nothing on any page (contrast in both schemes, labels, roles, names).
        foreach (var page in f.GetProperty("accessibility").EnumerateObject())
        {
            Assert.True(page.Value.GetArrayLength() == 0, $"{page.Name}: {string.Join("; ", Strings(page.Value))}");
        }
        Assert.Equal(6, f.GetProperty("accessibility").EnumerateObject().Count());
        // The only console errors are the refused requests the test made on purpose (wrong token, bad queries).
        Assert.All(Strings(f.GetProperty("consoleErrors")), e => Assert.Matches(@"^Failed to load resource: the server responded with a status of (400|401)", e));
        Assert.Equal(13, f.GetProperty("screenshots").GetArrayLength());
        Assert.All(Strings(f.GetProperty("screenshots")), path => Assert.True(new FileInfo(path).Length > 5_000, path));
    }

    private static void AssertChart(JsonElement chart, string[] legendStarts)
    {
        Assert.Equal(legendStarts.Length, chart.GetProperty("series").GetInt32());
        var legend = Strings(chart.GetProperty("legend"));
        Assert.Equal(legendStarts.Length, legend.Length);
        for (var i = 0; i < legendStarts.Length; i++)
        {
            Assert.StartsWith(legendStarts[i], legend[i], StringComparison.Ordinal);
        }
        // The lines were drawn: hundreds of pixels in the series' colours, not an empty plot.
        Assert.True(chart.GetProperty("coloredPixels").GetInt32() > 500, $"only {chart.GetProperty("coloredPixels").GetInt32()} coloured pixels");
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString() ?? "")];

    /// <summary>npm install in webui/ (esbuild, uPlot, puppeteer-core, axe-core, pinned by its lock file), once, under a file lock.</summary>
    private static bool InstallNpmPackages()
    {
        using var lockFile = NodeRunner.AcquireLock(Path.Combine(Path.GetTempPath(), "tsdb-webui-npm.lock"));
        var marker = Path.Combine(WebUi, "node_modules", ".package-lock.json");
        if (!File.Exists(marker) || File.GetLastWriteTimeUtc(marker) < File.GetLastWriteTimeUtc(Path.Combine(WebUi, "package-lock.json")))
        {
            var install = NodeRunner.RunProcess(WebUi, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(10));
            Assert.True(install.ExitCode == 0, $"npm install in webui failed:\n{install.StandardError}\n{install.StandardOutput}");
        }
        return true;
    }
}

/// <summary>Test classes that assert the process-wide meters of an in-process server: run alone, not beside other servers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}
