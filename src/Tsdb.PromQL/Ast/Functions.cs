namespace Tsdb.PromQL.Ast;

/// <summary>
/// The functions the parser accepts (Prometheus' list in promql/parser/functions.go). Those in
/// <see cref="Experimental"/> parse only when the engine enables experimental functions.
/// </summary>
internal static class Functions
{
    private const ExprType S = ExprType.Scalar;
    private const ExprType V = ExprType.Vector;
    private const ExprType M = ExprType.Matrix;
    private const ExprType Str = ExprType.String;

    private static readonly Dictionary<string, FunctionInfo> All = Build();

    /// <summary>Functions Prometheus marks experimental (refused unless enabled, as Prometheus does).</summary>
    private static readonly HashSet<string> Experimental = new(StringComparer.Ordinal)
    {
        "histogram_quantiles", "double_exponential_smoothing", "info", "max_of", "min_of", "mad_over_time",
        "ts_of_first_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "ts_of_last_over_time", "range",
        "sort_by_label", "sort_by_label_desc", "start", "end", "step",
    };

    public static bool TryGet(string name, out FunctionInfo function) => All.TryGetValue(name, out function!);

    public static bool IsExperimental(string name) => Experimental.Contains(name);

    /// <summary>The experimental functions' signatures, kept apart so the stable list reads as Prometheus' does.</summary>
    private static void AddExperimental(Action<string, ExprType, int, ExprType[]> add)
    {
        foreach (var name in new[] { "mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time" })
        {
            add(name, V, 0, [M]);
        }
        add("double_exponential_smoothing", V, 0, [M, S, S]);
        add("sort_by_label", V, -1, [V, Str]);
        add("sort_by_label_desc", V, -1, [V, Str]);
        // histogram_quantiles(v, "label", q1 [, … q10]): Prometheus allows 1 to 10 quantiles.
        add("histogram_quantiles", V, 9, [V, Str, S, S, S, S, S, S, S, S, S, S]);
        add("min_of", S, 0, [S, S]);
        add("max_of", S, 0, [S, S]);
        foreach (var name in new[] { "start", "end", "step", "range" })
        {
            add(name, S, 0, []);
        }
    }

    private static Dictionary<string, FunctionInfo> Build()
    {
        var map = new Dictionary<string, FunctionInfo>(StringComparer.Ordinal);
        void Add(string name, ExprType ret, int variadic, params ExprType[] args) => map[name] = new FunctionInfo(name, args, variadic, ret);

        foreach (var name in new[]
        {
            "abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "deg", "rad",
            "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
            "sort", "sort_desc", "absent", "timestamp",
            "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar",
        })
        {
            Add(name, V, 0, V);
        }
        foreach (var name in new[]
        {
            "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
            "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
            "stddev_over_time", "stdvar_over_time", "last_over_time", "first_over_time", "present_over_time",
            "absent_over_time",
        })
        {
            Add(name, V, 0, M);
        }
        foreach (var name in new[] { "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year" })
        {
            Add(name, V, 1, V);
        }
        Add("clamp", V, 0, V, S, S);
        Add("clamp_min", V, 0, V, S);
        Add("clamp_max", V, 0, V, S);
        Add("round", V, 1, V, S);
        Add("predict_linear", V, 0, M, S);
        Add("quantile_over_time", V, 0, S, M);
        Add("histogram_quantile", V, 0, S, V);
        Add("histogram_fraction", V, 0, S, S, V);
        Add("label_replace", V, 0, V, Str, Str, Str, Str);
        Add("label_join", V, -1, V, Str, Str, Str);
        Add("pi", S, 0);
        Add("time", S, 0);
        Add("scalar", S, 0, V);
        Add("vector", V, 0, S);
        AddExperimental(Add);
        return map;
    }
}
