using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tsdb.Testing;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The DuckDB differential test (tests/interop/sql): the generated data set through line protocol, every corpus query
/// through /api/v3/query_sql, compared with DuckDB's answers. Queries in <see cref="Supported"/> must match; the rest
/// are reported (pass count and first error) without failing, until the engine grows to answer them.
/// </summary>
public sealed class SqlDifferentialTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Queries the engine answers exactly as DuckDB does today.</summary>
    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "tsbs_single_groupby_1_1_1",
        "tsbs_single_groupby_1_8_1",
        "tsbs_single_groupby_5_1_12",
        "tsbs_cpu_max_all_1",
        "tsbs_double_groupby_1",
        "tsbs_high_cpu_1",
        "tsbs_high_cpu_all",
        "tsbs_lastpoint",
        "tsbs_groupby_orderby_limit",
        "where_and_or_not",
        "where_in_not_in",
        "where_between",
        "where_like",
        "where_is_null",
        "where_is_not_null_rows",
        "where_regex",
        "where_regex_partial",
        "time_literal_ns_range",
        "time_between_literals",
        "time_interval_arithmetic",
        "arithmetic_float",
        "arithmetic_integer",
        "boolean_output",
        "group_by_ordinals",
        "group_by_expression",
        "group_by_date_trunc",
        "group_by_time_bucket",
        "date_bin_origin",
        "having_avg",
        "having_count_alias",
        "order_multi_nulls_last",
        "order_nulls_first_limit",
        "order_desc_default_nulls",
        "order_by_alias_expression",
        "limit_offset",
        "distinct",
        "distinct_on",
        "count_distinct",
        "aggregates_per_host",
        "aggregates_global",
        "aggregates_empty_input",
        "aggregates_mem_integers",
        "tsbs_lastpoint_join",
        "first_last_value_by_time",
        "case_expression",
        "cast_expressions",
        "cast_integer_to_double",
        "scalar_functions",
        "string_functions",
        "approx_percentile",
        "union_all",
        "cte",
        "subquery_in_from",
        "inner_join",
        "inner_join_aggregate",
        "left_join",
        "left_join_rows",
        "selector_last_first",
        "selector_min_max_value",
        "count_filter",
        "gapfill_count_avg",
        "gapfill_locf",
        "gapfill_interpolate_float",
        "gapfill_interpolate_int",
        "gapfill_origin_inclusive_end",
        "right_join_aggregate",
        "right_join_rows",
        "right_join_residual",
        "right_join_where_null_side",
        "full_join_aggregate",
        "full_join_rows",
        "full_join_residual",
        "full_join_where_unmatched",
        "cross_join_rows",
        "cross_join_comma_derived",
        "cross_join_where_equality",
        "cross_join_expression",
        "join_non_equi_inner",
        "join_non_equi_left_window",
        "join_no_equality_inner",
        "join_no_equality_left",
        "join_non_equi_right",
        "join_no_equality_full",
        "join_or_condition",
        "in_subquery",
        "not_in_subquery",
        "not_in_subquery_null_in_list",
        "in_subquery_null_in_list",
        "not_in_subquery_null_probe",
        "not_in_subquery_empty",
        "not_in_subquery_float_nulls",
        "in_subquery_aggregate",
        "exists_correlated",
        "not_exists_correlated",
        "exists_correlated_non_equi",
        "not_exists_null_key",
        "exists_uncorrelated",
        "exists_two_keys",
        "scalar_subquery_where",
        "scalar_subquery_select",
        "scalar_subquery_correlated_select",
        "scalar_subquery_correlated_count",
        "scalar_subquery_correlated_where",
        "in_subquery_as_value",
        "in_subquery_under_or",
        "scalar_subquery_empty",
        "scalar_subquery_no_from",
        "scalar_subquery_having",
        "scalar_subquery_time",
        "regex_functions",
        "string_split_and_search",
        "string_pad_and_slice",
        "string_trim_family",
        "string_initcap",
        "string_misc_functions",
        "string_functions_on_fields",
        "date_part_calendar",
        "date_part_fractions",
        "date_trunc_calendar",
        "date_trunc_week_month_group",
        "to_timestamp_variants",
        "to_timestamp_columns",
        "make_date_function",
        "greatest_least_nulls",
        "math_functions",
        "integer_math_functions",
        "date_bin_string_interval",
        "time_bucket_string_interval",
        "date_bin_string_origin",
        "date_bin_compound_interval",
        "count_distinct_global",
        "count_distinct_expression_nulls",
        "count_distinct_over_join",
        "median_variants",
        "median_integers",
        "approx_percentile_more",
        "or_chain_150_rows",
        "or_chain_120_values",
        "or_chain_mixed_columns",
        "full_join_null_keys",
        "right_join_null_keys",
        "exists_correlated_join_inner",
        "not_exists_no_equality",
        "window_ranking_ties_nulls",
        "window_lag_lead_defaults",
        "window_running_sum_peers",
        "window_moving_average",
        "window_whole_partition",
        "window_over_group_by",
        "window_mem_integers",
        "window_in_order_by",
        "extract_calendar_fields",
        "extract_at_time_zone_group",
        "at_time_zone_rows",
    };

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
        var broken = failures.Where(f => Supported.Contains(f[..f.IndexOf(':', StringComparison.Ordinal)])).ToList();
        Assert.True(broken.Count == 0, $"supported queries that no longer match DuckDB on {where}:\n" + string.Join('\n', broken));
        Assert.All(Supported, s => Assert.Contains(s, passed));
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
