namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>Where the Prometheus test scripts are and which evals they hold.</summary>
internal static class ConformanceData
{
    public static string Directory
    {
        get
        {
            var shared = Environment.GetEnvironmentVariable("TSDB_SHARED_DIR");
            if (string.IsNullOrEmpty(shared))
            {
                shared = Path.Combine(Tsdb.Testing.RepoPaths.Root, "..", "shared");
            }
            return Path.GetFullPath(Path.Combine(shared, "promql-testdata"));
        }
    }

    public static bool Present => System.IO.Directory.Exists(Directory);

    public static string MissingMessage =>
        $"PromQL conformance data not found at {Directory}; set TSDB_SHARED_DIR to the folder that holds promql-testdata/";

    /// <summary>Every eval block as <c>file.test:line</c>, in file order.</summary>
    public static List<string> CaseIds()
    {
        var ids = new List<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.test").OrderBy(f => f, StringComparer.Ordinal))
        {
            foreach (var command in ConformanceRunner.Load(file))
            {
                if (command is EvalCommand)
                {
                    ids.Add($"{Path.GetFileName(file)}:{command.Line}");
                }
            }
        }
        return ids;
    }

    public static (string File, int Line) Split(string id)
    {
        var colon = id.LastIndexOf(':');
        return (id[..colon], int.Parse(id.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    public static async Task<string?> RunAsync(string id)
    {
        var (file, line) = Split(id);
        var (eval, source, _) = ConformanceRunner.Prepare(Path.Combine(Directory, file), line);
        return await ConformanceRunner.RunAsync(eval, source);
    }

    private static readonly string[] ExperimentalFunctions =
    [
        "limitk", "limit_ratio", "mad_over_time", "sort_by_label", "histogram_quantiles", "double_exponential_smoothing",
        "info(", "ts_of_", "max_of", "min_of", "start_timestamp",
    ];

    /// <summary>A first-cut reason for a failing case, used to draft skip-list entries (each is reviewed by hand).</summary>
    public static string Classify(string id, string failure)
    {
        var (file, line) = Split(id);
        var (eval, _, histogramNames) = ConformanceRunner.Prepare(Path.Combine(Directory, file), line);
        foreach (var name in ExperimentalFunctions)
        {
            if (eval.Query.Contains(name, StringComparison.Ordinal))
            {
                return $"experimental function {name.TrimEnd('(')} (not supported)";
            }
        }
        foreach (var name in histogramNames.Order(StringComparer.Ordinal))
        {
            if (name.Length > 0 && System.Text.RegularExpressions.Regex.IsMatch(eval.Query, $@"\b{System.Text.RegularExpressions.Regex.Escape(name)}\b"))
            {
                return $"native histograms (series {name} has histogram samples)";
            }
        }
        var experimental = System.Text.RegularExpressions.Regex.Match(failure, "function \"([a-z_]+)\" is experimental");
        if (experimental.Success)
        {
            return $"experimental function {experimental.Groups[1].Value} (not supported)";
        }
        if (failure.Contains("unexpected <start>", StringComparison.Ordinal) || failure.Contains("unexpected <end>", StringComparison.Ordinal))
        {
            return "experimental functions start()/end() (not supported)";
        }
        if (histogramNames.Count > 0 && failure.Contains("_histogram", StringComparison.Ordinal))
        {
            return "native histograms (the selection includes histogram samples)";
        }
        if (histogramNames.Count > 0 && (failure.Contains("expected info", StringComparison.Ordinal) || failure.Contains("expected warn", StringComparison.Ordinal)))
        {
            return "native histograms (annotation about histogram samples in the selection)";
        }
        return "not implemented yet: " + failure.ReplaceLineEndings(" ");
    }
}
