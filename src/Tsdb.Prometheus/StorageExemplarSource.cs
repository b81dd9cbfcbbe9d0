using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.PromQL;
using Tsdb.Query;
using Tsdb.Query.Chunks;

namespace Tsdb.Prometheus;

/// <summary>
/// The exemplars of one database (<c>/api/v1/query_exemplars</c>): the rows of the exemplar tables
/// (<see cref="ExemplarColumns"/>) whose series match any of the selectors, through the engine's chunk scan (buffer ∪
/// Parquet files, duplicates merged) with the time range pushed down. Throws <see cref="DatabaseNotFoundException"/> when
/// the database does not exist, as <see cref="StorageSeriesSource"/> does.
/// </summary>
public sealed class StorageExemplarSource(Catalog.Catalog catalog, ITableSource tables, string database)
{
    private const long NanosPerMilli = 1_000_000;

    public string Database { get; } = database;

    /// <summary>
    /// Exemplars from <paramref name="startMs"/> to <paramref name="endMs"/> (both included) of the series any of
    /// <paramref name="selectors"/> matches, as Prometheus' exemplar querier selects them; series in label order.
    /// </summary>
    public async ValueTask<IReadOnlyList<SeriesExemplars>> SelectAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> selectors, long startMs, long endMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        var db = catalog.Current.FindDatabase(Database) ?? throw new DatabaseNotFoundException(Database);
        var minNs = startMs <= long.MinValue / NanosPerMilli ? long.MinValue : startMs * NanosPerMilli;
        var maxNs = endMs >= long.MaxValue / NanosPerMilli ? long.MaxValue : (endMs * NanosPerMilli) + NanosPerMilli - 1;
        var found = new Dictionary<Labels, List<StoredExemplar>>();
        foreach (var table in db.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (ExemplarColumns.MetricOf(table.Name) is not { } metric)
            {
                continue;
            }
            var sets = selectors.Where(set => set.All(m => m.Name != Labels.MetricName || m.Matches(metric)) && CanMatch(table, set)).ToList();
            if (sets.Count == 0)
            {
                continue;
            }
            // With one selector its equality matchers narrow the scan to the chunks and pages that can hold them.
            var required = sets.Count > 1 ? new Dictionary<string, IReadOnlyList<string>>()
                : sets[0].Where(m => m.Name != Labels.MetricName && m.Type == Tsdb.PromQL.MatchType.Equal && m.Value.Length > 0)
                    .GroupBy(m => PrometheusNames.TagOfLabel(m.Name))
                    .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(m => m.Value).Distinct()], StringComparer.Ordinal);
            var request = new ScanRequest(Database, table.Name) { FromTime = minNs, ToTime = maxNs, TagValues = required };
            await foreach (var batch in tables.ScanAsync(request, cancellationToken).ConfigureAwait(false))
            {
                using (batch)
                {
                    Read(batch, table, metric, sets, minNs, maxNs, found);
                }
            }
        }
        var result = new List<SeriesExemplars>(found.Count);
        foreach (var (labels, exemplars) in found)
        {
            exemplars.Sort(static (a, b) => a.TimestampMs.CompareTo(b.TimestampMs));
            result.Add(new SeriesExemplars(labels, exemplars));
        }
        result.Sort(static (a, b) => Labels.Compare(a.SeriesLabels, b.SeriesLabels));
        return result;
    }

    /// <summary>False when a matcher needs a label the table has no tag for (an absent label is "").</summary>
    private static bool CanMatch(TableDefinition table, IReadOnlyList<LabelMatcher> matchers)
    {
        foreach (var m in matchers)
        {
            if (m.Name == Labels.MetricName)
            {
                continue;
            }
            var column = table.FindColumn(PrometheusNames.TagOfLabel(m.Name));
            if ((column is null || column.Kind != ColumnKind.Tag) && !m.Matches(""))
            {
                return false;
            }
        }
        return true;
    }

    private static void Read(RecordBatch batch, TableDefinition table, string metric, List<IReadOnlyList<LabelMatcher>> sets, long minNs, long maxNs, Dictionary<Labels, List<StoredExemplar>> found)
    {
        if (batch.Column(TableDefinition.TimeColumn) is not TimestampArray times
            || batch.Column(PrometheusNames.ValueField) is not DoubleArray values
            || batch.Column(ExemplarColumns.Labels) is not { } exemplarLabels)
        {
            return;
        }
        var tags = new List<(string Label, ArrowArray Array)>();
        foreach (var column in table.Columns)
        {
            if (column.Kind == ColumnKind.Tag && batch.Column(column.Name) is { } array)
            {
                tags.Add((PrometheusNames.LabelOfTag(column.Name), array));
            }
        }
        var labels = new List<Label>(tags.Count + 1);
        for (var row = 0; row < batch.Length; row++)
        {
            var t = times.Values[row];
            if (t < minNs || t > maxNs || values.IsNull(row) || TextAt(exemplarLabels, row) is not { } text)
            {
                continue;
            }
            labels.Clear();
            labels.Add(new Label(Labels.MetricName, metric));
            foreach (var (label, array) in tags)
            {
                if (TextAt(array, row) is { Length: > 0 } value)
                {
                    labels.Add(new Label(label, value));
                }
            }
            Labels series;
            Labels own;
            try
            {
                series = Labels.From(labels);
                // A row another writer made, whose text is no JSON object of labels, is no exemplar.
                if (ExemplarColumns.Parse(text) is not { } parsed)
                {
                    continue;
                }
                own = Labels.From(parsed.Select(l => new Label(l.Name, l.Value)));
            }
            catch (ArgumentException)
            {
                continue;   // two tags (or JSON keys) that read as one label: no series Prometheus could have sent
            }
            if (!sets.Exists(set => LabelMatcher.MatchAll(set, series)))
            {
                continue;
            }
            if (!found.TryGetValue(series, out var list))
            {
                found[series] = list = [];
            }
            list.Add(new StoredExemplar(own, values.Values[row], FloorDiv(t, NanosPerMilli)));
        }
    }

    /// <summary>A string or dictionary-encoded string column's value at <paramref name="row"/>, null when null.</summary>
    private static string? TextAt(ArrowArray array, int row) => array.IsNull(row) ? null : array.GetObject(row) as string;

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;
}
