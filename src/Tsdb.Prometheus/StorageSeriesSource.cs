using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Parquet.Reading;
using Tsdb.PromQL;
using Tsdb.Storage.Persistence;

namespace Tsdb.Prometheus;

/// <summary>
/// PromQL's view of one database: every numeric field of every table is a metric (see <see cref="PrometheusNames"/>),
/// its tags are the labels. Reads through <see cref="TableReader"/> (buffer ∪ Parquet files, duplicates merged) with
/// the time range pushed down; tables whose metric names or tag columns cannot match are never read, and Parquet files
/// whose tag ranges exclude an equality matcher are skipped.
/// </summary>
public sealed class StorageSeriesSource(Catalog.Catalog catalog, TableReader reader, string database) : ISeriesSource
{
    private const long NanosPerMilli = 1_000_000;

    public string Database { get; } = database;

    public async ValueTask<IReadOnlyList<SeriesSamples>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var found = await ScanAsync(Compile(matchers), minTimeMs, maxTimeMs, withSamples: true, cancellationToken).ConfigureAwait(false);
        var result = new List<SeriesSamples>(found.Count);
        foreach (var (labels, samples) in found)
        {
            if (samples!.Times.Count > 0)
            {
                long[] times = [.. samples.Times];
                double[] values = [.. samples.Values];
                // Storage keeps time order within a file, not across the pieces of an overlapping partition.
                if (!IsAscending(times))
                {
                    Array.Sort(times, values);
                }
                result.Add(new SeriesSamples(labels, times, values));
            }
        }
        result.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }

    private static bool IsAscending(long[] times)
    {
        for (var i = 1; i < times.Length; i++)
        {
            if (times[i] < times[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    public async ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var all = new HashSet<Labels>();
        IReadOnlyList<IReadOnlyList<LabelMatcher>> sets = matcherSets.Count == 0 ? [[]] : matcherSets;
        foreach (var set in sets)
        {
            var found = await ScanAsync(Compile(set), minTimeMs, maxTimeMs, withSamples: false, cancellationToken).ConfigureAwait(false);
            all.UnionWith(found.Keys);
        }
        var list = all.ToList();
        list.Sort(Labels.Order);
        return list;
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var labels in await SeriesAsync(matcherSets, minTimeMs, maxTimeMs, cancellationToken).ConfigureAwait(false))
        {
            foreach (var label in labels)
            {
                names.Add(label.Name);
            }
        }
        return [.. names];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var labels in await SeriesAsync(matcherSets, minTimeMs, maxTimeMs, cancellationToken).ConfigureAwait(false))
        {
            if (labels.Get(name) is { Length: > 0 } value)
            {
                values.Add(value);
            }
        }
        return [.. values];
    }

    private static List<CompiledMatcher> Compile(IReadOnlyList<LabelMatcher> matchers) => [.. matchers.Select(m => new CompiledMatcher(m))];

    private sealed class SampleList
    {
        public List<long> Times { get; } = [];

        public List<double> Values { get; } = [];

        public void Add(long ms, double value)
        {
            // Sub-millisecond line-protocol timestamps can fall on one millisecond: the later row wins.
            if (Times.Count > 0 && Times[^1] == ms)
            {
                Values[^1] = value;
                return;
            }
            Times.Add(ms);
            Values.Add(value);
        }
    }

    private sealed record FieldCandidate(string Field, string Metric);

    private async Task<Dictionary<Labels, SampleList?>> ScanAsync(List<CompiledMatcher> matchers, long minTimeMs, long maxTimeMs, bool withSamples, CancellationToken cancellationToken)
    {
        var found = new Dictionary<Labels, SampleList?>();
        var db = catalog.Current.FindDatabase(Database);
        if (db is null)
        {
            return found;
        }
        var nameMatchers = matchers.Where(m => m.Name == Labels.MetricName).ToList();
        var labelMatchers = matchers.Where(m => m.Name != Labels.MetricName).ToList();
        var minNs = minTimeMs <= long.MinValue / NanosPerMilli ? long.MinValue : minTimeMs * NanosPerMilli;
        var maxNs = maxTimeMs >= long.MaxValue / NanosPerMilli ? long.MaxValue : (maxTimeMs * NanosPerMilli) + NanosPerMilli - 1;
        foreach (var table in db.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var candidates = new List<FieldCandidate>();
            foreach (var column in table.Columns)
            {
                if (column.Kind is ColumnKind.Float or ColumnKind.Integer or ColumnKind.UInteger)
                {
                    var metric = PrometheusNames.MetricOf(table.Name, column.Name);
                    if (nameMatchers.TrueForAll(m => m.Matches(metric)))
                    {
                        candidates.Add(new FieldCandidate(column.Name, metric));
                    }
                }
            }
            if (candidates.Count == 0 || !CanMatch(table, labelMatchers))
            {
                continue;
            }
            var required = labelMatchers.Where(m => m.IsRequiredEquality).Select(m => (Tag: PrometheusNames.TagOfLabel(m.Name), m.Matcher.Value)).ToList();
            Func<ParquetFileEntry, bool>? fileFilter = required.Count == 0 ? null : file => FileMayMatch(file, required);
            // Files are sorted by tags: an equality matcher on a tag lets the page index skip the other series' pages.
            List<ColumnRange>? predicates = required.Count == 0 ? null : [.. required.Select(r => new ColumnRange(r.Tag, r.Value, r.Value))];
            await foreach (var batch in reader.ReadAsync(Database, table.Name, minNs, maxNs, fileFilter, predicates, cancellationToken).ConfigureAwait(false))
            {
                using (batch)
                {
                    ScanBatch(batch, table, candidates, labelMatchers, minNs, maxNs, withSamples, found);
                }
            }
        }
        return found;
    }

    /// <summary>False when some matcher needs a label the table has no tag column for (an absent label is "").</summary>
    private static bool CanMatch(TableDefinition table, List<CompiledMatcher> labelMatchers)
    {
        foreach (var m in labelMatchers)
        {
            var column = table.FindColumn(PrometheusNames.TagOfLabel(m.Name));
            if ((column is null || column.Kind != ColumnKind.Tag) && !m.Matches(""))
            {
                return false;
            }
        }
        return true;
    }

    private static bool FileMayMatch(ParquetFileEntry file, List<(string Tag, string Value)> required)
    {
        foreach (var (tag, value) in required)
        {
            if (file.TagRanges.TryGetValue(tag, out var range))
            {
                if (range.Min is null || range.Max is null)
                {
                    return false;
                }
                if (string.CompareOrdinal(value, range.Min) < 0 || string.CompareOrdinal(value, range.Max) > 0)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static void ScanBatch(RecordBatch batch, TableDefinition table, List<FieldCandidate> candidates, List<CompiledMatcher> labelMatchers, long minNs, long maxNs, bool withSamples, Dictionary<Labels, SampleList?> found)
    {
        if (batch.Column(TableDefinition.TimeColumn) is not TimestampArray timeArray)
        {
            return;
        }
        var times = timeArray.Values;
        var tags = new List<(string Label, DictionaryArray Array, string?[] Decoded)>();
        foreach (var column in table.Columns)
        {
            if (column.Kind == ColumnKind.Tag && batch.Column(column.Name) is DictionaryArray array)
            {
                tags.Add((PrometheusNames.LabelOfTag(column.Name), array, new string?[array.Dictionary.Length]));
            }
        }
        var fields = candidates.Select(c => batch.Column(c.Field)).ToArray();
        var length = batch.Length;
        var start = 0;
        while (start < length)
        {
            var end = start + 1;
            while (end < length && SameTags(tags, start, end))
            {
                end++;
            }
            ScanRun(tags, start, end, times, fields, candidates, labelMatchers, minNs, maxNs, withSamples, found);
            start = end;
        }
    }

    private static bool SameTags(List<(string Label, DictionaryArray Array, string?[] Decoded)> tags, int a, int b)
    {
        foreach (var (_, array, _) in tags)
        {
            var nullA = array.IsNull(a);
            if (nullA != array.IsNull(b) || (!nullA && array.GetIndex(a) != array.GetIndex(b)))
            {
                return false;
            }
        }
        return true;
    }

    private static void ScanRun(List<(string Label, DictionaryArray Array, string?[] Decoded)> tags, int start, int end, ReadOnlySpan<long> times, ArrowArray?[] fields,
        List<FieldCandidate> candidates, List<CompiledMatcher> labelMatchers, long minNs, long maxNs, bool withSamples, Dictionary<Labels, SampleList?> found)
    {
        var labels = new List<Label>(tags.Count + 1);
        foreach (var (label, array, decoded) in tags)
        {
            if (array.IsNull(start))
            {
                continue;
            }
            var index = (int)array.GetIndex(start);
            var value = decoded[index] ??= ((StringArray)array.Dictionary).GetString(index) ?? "";
            labels.Add(new Label(label, value));
        }
        var baseLabels = Labels.From(labels);
        if (!CompiledMatcher.MatchesAll(labelMatchers, baseLabels))
        {
            return;
        }
        for (var f = 0; f < candidates.Count; f++)
        {
            var field = fields[f];
            if (field is null)
            {
                continue;
            }
            SampleList? samples = null;
            var any = false;
            for (var row = start; row < end; row++)
            {
                var t = times[row];
                if (t < minNs || t > maxNs || field.IsNull(row))
                {
                    continue;
                }
                if (!any)
                {
                    any = true;
                    var key = Labels.From([.. labels, new Label(Labels.MetricName, candidates[f].Metric)]);
                    if (!found.TryGetValue(key, out samples))
                    {
                        samples = withSamples ? new SampleList() : null;
                        found[key] = samples;
                    }
                    if (!withSamples)
                    {
                        break;
                    }
                }
                var value = field switch
                {
                    DoubleArray d => d.Values[row],
                    Int64Array i => i.Values[row],
                    UInt64Array u => u.Values[row],
                    _ => double.NaN,
                };
                samples!.Add(FloorDiv(t, NanosPerMilli), value);
            }
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;
}
