using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsdb.EndToEnd.Tests.InfluxQL;

/// <summary>
/// Compares two InfluxDB 1.x <c>/query</c> JSON answers (<c>{"results":[{"statement_id":0,"series":[…]}]}</c>, or a
/// top-level <c>{"error":…}</c>) and describes the first differences readably, or returns null when they agree.
/// <list type="bullet">
/// <item>The same number of statement results, with the same statement_id.</item>
/// <item>Per statement, both an <c>error</c> or neither. Error texts may differ, except parse errors
/// (<c>error parsing query: …</c>), which must be identical. A top-level error must be matched by a top-level error.</item>
/// <item>Series matched by name and tags (a missing <c>tags</c> and <c>{}</c> are the same), compared as sets and
/// then in order (1.x sorts them by name, then tags; descending with ORDER BY time DESC) unless the caller knows
/// 1.x's order is random there.</item>
/// <item>Columns equal, names and order. Values row by row: numbers within 1e-9 relative (plus 1e-12 absolute, for
/// results that should be 0 but carry rounding), integers exactly when both are integers, JSON ints and floats
/// compared as numbers; strings, booleans and nulls exactly. Rows sharing one time may come in any order (1.x does
/// not define it when it merges series).</item>
/// </list>
/// </summary>
public static class InfluxQLAnswerComparer
{
    private const double RelativeTolerance = 1e-9;
    private const double AbsoluteTolerance = 1e-12;
    private const string ParseErrorPrefix = "error parsing query";

    /// <summary>Null when <paramref name="actual"/> answers like <paramref name="expected"/>; otherwise the differences.</summary>
    public static string? Diff(string expected, string actual, bool checkSeriesOrder = true)
    {
        JsonObject e;
        JsonObject a;
        try
        {
            e = JsonNode.Parse(expected)?.AsObject() ?? throw new JsonException("null");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return $"the expected answer is not a JSON object ({ex.Message}): {Clip(expected)}";
        }
        try
        {
            a = JsonNode.Parse(actual)?.AsObject() ?? throw new JsonException("null");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return $"the actual answer is not a JSON object ({ex.Message}): {Clip(actual)}";
        }

        var problems = new List<string>();
        var expectedError = Text(e["error"]);
        var actualError = Text(a["error"]);
        if (expectedError is not null || actualError is not null)
        {
            if (expectedError is null)
            {
                return $"unexpected top-level error: actual \"{actualError}\"; expected {Clip(expected)}";
            }
            if (actualError is null)
            {
                return $"expected a top-level error \"{expectedError}\"; actual {Clip(actual)}";
            }
            return ErrorsDiffer(expectedError, actualError) ? $"top-level error text differs:\n  expected: {expectedError}\n  actual:   {actualError}" : null;
        }

        var expectedResults = e["results"] as JsonArray ?? [];
        var actualResults = a["results"] as JsonArray ?? [];
        if (expectedResults.Count != actualResults.Count)
        {
            return $"expected {expectedResults.Count} statement result(s), actual {actualResults.Count}: {Clip(actual)}";
        }
        for (var i = 0; i < expectedResults.Count; i++)
        {
            CompareStatement(i, expectedResults[i]?.AsObject() ?? [], actualResults[i]?.AsObject() ?? [], checkSeriesOrder, problems);
        }
        return problems.Count == 0 ? null : string.Join('\n', problems);
    }

    private static void CompareStatement(int index, JsonObject expected, JsonObject actual, bool checkSeriesOrder, List<string> problems)
    {
        var where = $"statement {index}";
        var expectedId = expected["statement_id"]?.ToJsonString();
        var actualId = actual["statement_id"]?.ToJsonString();
        if (expectedId != actualId)
        {
            problems.Add($"{where}: statement_id expected {expectedId ?? "(none)"}, actual {actualId ?? "(none)"}");
        }
        var expectedError = Text(expected["error"]);
        var actualError = Text(actual["error"]);
        if (expectedError is not null || actualError is not null)
        {
            if (expectedError is null)
            {
                problems.Add($"{where}: unexpected error \"{actualError}\"");
            }
            else if (actualError is null)
            {
                problems.Add($"{where}: expected the error \"{expectedError}\", actual {Clip(actual.ToJsonString())}");
            }
            else if (ErrorsDiffer(expectedError, actualError))
            {
                problems.Add($"{where}: parse error text differs:\n  expected: {expectedError}\n  actual:   {actualError}");
            }
            return;
        }

        var expectedSeries = Series(expected);
        var actualSeries = Series(actual);
        var actualByKey = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var s in actualSeries)
        {
            if (!actualByKey.TryAdd(Key(s), s))
            {
                problems.Add($"{where}: series {Key(s)} appears twice in the actual answer");
            }
        }
        var expectedKeys = expectedSeries.Select(Key).ToList();
        var missing = expectedKeys.Where(k => !actualByKey.ContainsKey(k)).ToList();
        var expectedKeySet = expectedKeys.ToHashSet(StringComparer.Ordinal);
        var extra = actualSeries.Select(Key).Where(k => !expectedKeySet.Contains(k)).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"{where}: {missing.Count} series missing from the actual answer: {List(missing)}");
        }
        if (extra.Count > 0)
        {
            problems.Add($"{where}: {extra.Count} unexpected series in the actual answer: {List(extra)}");
        }
        if (checkSeriesOrder && missing.Count == 0 && extra.Count == 0)
        {
            var actualKeys = actualSeries.Select(Key).ToList();
            var firstOff = Enumerable.Range(0, expectedKeys.Count).FirstOrDefault(i => expectedKeys[i] != actualKeys[i], -1);
            if (firstOff >= 0)
            {
                problems.Add($"{where}: series order differs at position {firstOff}: expected {expectedKeys[firstOff]}, actual {actualKeys[firstOff]}\n"
                    + $"  expected order: {List(expectedKeys)}\n  actual order:   {List(actualKeys)}");
            }
        }
        foreach (var s in expectedSeries)
        {
            if (actualByKey.TryGetValue(Key(s), out var other))
            {
                CompareSeries($"{where}, series {Key(s)}", s, other, problems);
            }
        }
    }

    private static void CompareSeries(string where, JsonObject expected, JsonObject actual, List<string> problems)
    {
        var expectedColumns = (expected["columns"] as JsonArray ?? []).Select(c => Text(c) ?? "").ToList();
        var actualColumns = (actual["columns"] as JsonArray ?? []).Select(c => Text(c) ?? "").ToList();
        if (!expectedColumns.SequenceEqual(actualColumns))
        {
            problems.Add($"{where}: columns differ:\n  expected: [{string.Join(", ", expectedColumns)}]\n  actual:   [{string.Join(", ", actualColumns)}]");
            return;
        }
        var timed = expectedColumns.Count > 0 && expectedColumns[0] == "time";
        var expectedRows = Rows(expected, timed);
        var actualRows = Rows(actual, timed);
        var rows = Math.Min(expectedRows.Count, actualRows.Count);
        for (var r = 0; r < rows; r++)
        {
            var er = expectedRows[r] as JsonArray ?? [];
            var ar = actualRows[r] as JsonArray ?? [];
            var cells = Math.Max(er.Count, ar.Count);
            for (var c = 0; c < cells; c++)
            {
                var ev = c < er.Count ? er[c] : null;
                var av = c < ar.Count ? ar[c] : null;
                if (er.Count != ar.Count || !SameValue(ev, av))
                {
                    var column = c < expectedColumns.Count ? expectedColumns[c] : $"#{c}";
                    problems.Add($"{where}: row {r} differs in column '{column}' ({Show(ev)} vs {Show(av)}):\n"
                        + $"  expected: {er.ToJsonString()}\n  actual:   {ar.ToJsonString()}");
                    return;
                }
            }
        }
        if (expectedRows.Count != actualRows.Count)
        {
            var (longer, label) = expectedRows.Count > actualRows.Count ? (expectedRows, "missing") : (actualRows, "unexpected");
            problems.Add($"{where}: expected {expectedRows.Count} row(s), actual {actualRows.Count}; first {label} row {rows}: {longer[rows]?.ToJsonString()}");
        }
    }

    /// <summary>
    /// The rows of a series; with a time column, each run of rows sharing one time is sorted by its JSON text. 1.x
    /// merges series (a raw SELECT without GROUP BY) in an order that is not defined for equal times (it differs
    /// between queries), so only the order between different times is compared.
    /// </summary>
    private static List<JsonNode?> Rows(JsonObject series, bool timed)
    {
        var rows = (series["values"] as JsonArray ?? []).ToList();
        if (!timed)
        {
            return rows;
        }
        string TimeOf(JsonNode? row) => row is JsonArray { Count: > 0 } r ? r[0]?.ToJsonString() ?? "null" : "";
        var start = 0;
        while (start < rows.Count)
        {
            var end = start + 1;
            while (end < rows.Count && TimeOf(rows[end]) == TimeOf(rows[start]))
            {
                end++;
            }
            if (end - start > 1)
            {
                rows.Sort(start, end - start, Comparer<JsonNode?>.Create((x, y) => string.CompareOrdinal(SortKey(x), SortKey(y))));
            }
            start = end;
        }
        return rows;
    }

    /// <summary>A row's text with numbers normalised (2 and 2.0 sort alike).</summary>
    private static string SortKey(JsonNode? row) =>
        row is JsonArray cells
            ? string.Join('\u001f', cells.Select(c => c is not null && c.GetValueKind() == JsonValueKind.Number
                ? double.Parse(c.ToJsonString(), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)
                : c?.ToJsonString() ?? "null"))
            : row?.ToJsonString() ?? "null";

    /// <summary>Numbers numerically (exactly when both are integers), everything else by JSON kind and value.</summary>
    public static bool SameValue(JsonNode? expected, JsonNode? actual)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null;
        }
        var ek = expected.GetValueKind();
        var ak = actual.GetValueKind();
        if (ek == JsonValueKind.Number && ak == JsonValueKind.Number)
        {
            var et = expected.ToJsonString();
            var at = actual.ToJsonString();
            if (long.TryParse(et, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var el)
                && long.TryParse(at, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var al))
            {
                return el == al;
            }
            var ed = double.Parse(et, CultureInfo.InvariantCulture);
            var ad = double.Parse(at, CultureInfo.InvariantCulture);
            return ed.Equals(ad) || Math.Abs(ed - ad) <= Math.Max(AbsoluteTolerance, RelativeTolerance * Math.Max(Math.Abs(ed), Math.Abs(ad)));
        }
        if (ek != ak)
        {
            return false;
        }
        return ek switch
        {
            JsonValueKind.String => expected.GetValue<string>() == actual.GetValue<string>(),
            JsonValueKind.True or JsonValueKind.False => true,
            _ => JsonNode.DeepEquals(expected, actual),
        };
    }

    /// <summary>"name{k=v,…}" with tags sorted by key; a missing tags object is the same as an empty one.</summary>
    public static string Key(JsonObject series)
    {
        var text = new StringBuilder(Text(series["name"]) ?? "");
        if (series["tags"] is JsonObject tags && tags.Count > 0)
        {
            text.Append('{').AppendJoin(',', tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={Text(t.Value) ?? t.Value?.ToJsonString()}")).Append('}');
        }
        return text.ToString();
    }

    private static List<JsonObject> Series(JsonObject statement) =>
        (statement["series"] as JsonArray ?? []).Select(s => s?.AsObject() ?? []).ToList();

    private static bool ErrorsDiffer(string expected, string actual) =>
        expected.StartsWith(ParseErrorPrefix, StringComparison.Ordinal) && expected != actual;

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static string List(List<string> keys) =>
        keys.Count <= 8 ? string.Join(", ", keys) : string.Join(", ", keys.Take(8)) + $", … ({keys.Count - 8} more)";

    private static string Clip(string text) => text.Length <= 600 ? text : text[..600] + "…";
}
