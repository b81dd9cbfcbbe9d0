using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Query.Chunks;

namespace Tsdb.Query.Tests.Chunks;

public sealed class RowMergerTests
{
    private static readonly TableColumns Table = new([("time", ColumnKind.Time), ("host", ColumnKind.Tag), ("f1", ColumnKind.Float), ("f2", ColumnKind.Integer), ("region", ColumnKind.Tag)]);

    /// <summary>A batch with some of the table's columns: rows of (time, host, f1, f2).</summary>
    private static RecordBatch Batch(params (long Time, string? Host, double? F1, long? F2)[] rows)
    {
        var schema = new Schema([Table.Schema[0], Table.Schema[1], Table.Schema[2], Table.Schema[3]]);
        using var t = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var h = new DictionaryArrayBuilder();
        using var f1 = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var f2 = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        foreach (var r in rows)
        {
            t.Append(r.Time);
            h.Append(r.Host);
            f1.Append(r.F1);
            f2.Append(r.F2);
        }
        return new RecordBatch(schema, [t.Build(), h.Build(), f1.Build(), f2.Build()], rows.Length);
    }

    private static List<string> Rows(RecordBatch batch) =>
        [.. Enumerable.Range(0, batch.Length).Select(i => string.Join('|', batch.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null")))];

    [Fact]
    public void Rows_come_out_sorted_by_tags_then_time_with_every_column_of_the_table()
    {
        var merged = RowMerger.Merge(Table, [Batch((3, "b", 1, 1), (1, "b", 2, 2), (2, "a", 3, 3), (5, null, 4, 4))]);
        Assert.Equal(["time", "host", "f1", "f2", "region"], merged.Schema.Fields.Select(f => f.Name));
        Assert.Equal(["5|null|4|4|null", "2|a|3|3|null", "1|b|2|2|null", "3|b|1|1|null"], Rows(merged));
    }

    [Fact]
    public void Later_non_null_fields_win_field_by_field()
    {
        var older = Batch((10, "a", 1.0, 100), (20, "a", 2.0, null));
        var newer = Batch((10, "a", null, 111), (20, "a", 2.5, null), (10, "a", 1.5, null));
        var merged = RowMerger.Merge(Table, [older, newer]);
        // t=10: f1 from the last write that set it (1.5), f2 from the newer batch's first row (111).
        // t=20: f1 2.5 wins over 2.0; f2 was never set.
        Assert.Equal(["10|a|1.5|111|null", "20|a|2.5|null|null"], Rows(merged));
    }

    [Fact]
    public void Different_tags_at_one_time_are_different_points()
    {
        var merged = RowMerger.Merge(Table, [Batch((1, "a", 1, 1), (1, "b", 2, 2), (1, null, 3, 3))]);
        Assert.Equal(3, merged.Length);
    }

    [Fact]
    public void Tag_columns_read_back_as_strings_merge_with_dictionary_ones()
    {
        var stringSchema = new Schema([Table.Schema[0], new Field("host", ArrowType.Utf8), Table.Schema[2]]);
        using var t = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var h = new VariableWidthArrayBuilder(ArrowType.Utf8);
        using var f = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        t.Append(10);
        h.Append("a");
        f.Append(9.0);
        var fromFile = new RecordBatch(stringSchema, [t.Build(), h.Build(), f.Build()], 1);
        var merged = RowMerger.Merge(Table, [fromFile, Batch((10, "a", null, 7))]);
        Assert.Equal(["10|a|9|7|null"], Rows(merged));
    }

    [Fact]
    public void Large_random_input_matches_a_naive_model()
    {
        var random = new Random(3);
        var batches = new List<RecordBatch>();
        var model = new Dictionary<(string?, long), (double? F1, long? F2)>();
        for (var b = 0; b < 5; b++)
        {
            var rows = Enumerable.Range(0, 2000).Select(_ =>
            {
                var host = random.Next(5) == 0 ? null : $"h{random.Next(20)}";
                var time = (long)random.Next(500);
                double? f1 = random.Next(3) == 0 ? null : random.Next(1000);
                long? f2 = random.Next(3) == 0 ? null : random.Next(1000);
                return (time, host, f1, f2);
            }).ToArray();
            foreach (var (time, host, f1, f2) in rows)
            {
                model.TryGetValue((host, time), out var current);
                model[(host, time)] = (f1 ?? current.F1, f2 ?? current.F2);
            }
            batches.Add(Batch(rows));
        }
        var merged = RowMerger.Merge(Table, batches);
        Assert.Equal(model.Count, merged.Length);
        var expected = model.OrderBy(kv => kv.Key.Item1 is null ? "" : "~" + kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2)
            .Select(kv => $"{kv.Key.Item2}|{kv.Key.Item1 ?? "null"}|{kv.Value.F1?.ToString() ?? "null"}|{kv.Value.F2?.ToString() ?? "null"}|null").ToList();
        Assert.Equal(expected, Rows(merged));
    }
    /// <summary>A batch of (time, host, region, f1): both tags, for keys too wide to bucket.</summary>
    private static RecordBatch TwoTagBatch(params (long Time, string? Host, string? Region, double? F1)[] rows)
    {
        var schema = new Schema([Table.Schema[0], Table.Schema[1], Table.Schema[4], Table.Schema[2]]);
        using var t = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var h = new DictionaryArrayBuilder();
        using var r = new DictionaryArrayBuilder();
        using var f1 = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        foreach (var row in rows)
        {
            t.Append(row.Time);
            h.Append(row.Host);
            r.Append(row.Region);
            f1.Append(row.F1);
        }
        return new RecordBatch(schema, [t.Build(), h.Build(), r.Build(), f1.Build()], rows.Length);
    }

    /// <summary>
    /// Rows of (time, host, region, f1) from <paramref name="batches"/> merged by a model: one row per (host, region,
    /// time), the later non-null f1 winning, in (host, region, time) order with null first.
    /// </summary>
    private static List<string> ModelRows(IEnumerable<(long Time, string? Host, string? Region, double? F1)[]> batches)
    {
        var model = new Dictionary<(string?, string?, long), double?>();
        foreach (var batch in batches)
        {
            foreach (var (time, host, region, f1) in batch)
            {
                model.TryGetValue((host, region, time), out var current);
                model[(host, region, time)] = f1 ?? current;
            }
        }
        static string Key(string? s) => s is null ? "" : "~" + s;
        return [.. model.OrderBy(kv => Key(kv.Key.Item1), StringComparer.Ordinal).ThenBy(kv => Key(kv.Key.Item2), StringComparer.Ordinal).ThenBy(kv => kv.Key.Item3)
            .Select(kv => $"{kv.Key.Item3}|{kv.Key.Item1 ?? "null"}|{kv.Value?.ToString() ?? "null"}|null|{kv.Key.Item2 ?? "null"}")];
    }

    // Series × regions distinct keys over time-ordered or shuffled rows with repeated points: few keys are bucketed
    // (sorted by time only where a bucket is out of order), 5,000 × 5,000 possible keys are too wide and take the
    // comparison sort; both must give the model's rows.
    [Theory]
    [InlineData(1000, 1, true)]
    [InlineData(1000, 1, false)]
    [InlineData(30, 4, false)]
    [InlineData(5000, 5000, false)]
    public void Many_series_in_time_order_or_not_match_a_naive_model(int hosts, int regions, bool timeOrdered)
    {
        var random = new Random(hosts + regions);
        var batches = new List<(long, string?, string?, double?)[]>();
        var step = 0L;
        for (var b = 0; b < 4; b++)
        {
            var rows = new List<(long, string?, string?, double?)>();
            for (var i = 0; i < 3000; i++)
            {
                // A time-ordered stream writes each step for every series; some points are written twice.
                var time = timeOrdered ? step++ / 7 : random.Next(400);
                var host = random.Next(50) == 0 ? null : $"h{random.Next(hosts):D5}";
                var region = regions == 1 ? null : $"r{random.Next(regions)}";
                double? f1 = random.Next(4) == 0 ? null : random.Next(1000);
                rows.Add((time, host, region, f1));
            }
            batches.Add([.. rows]);
        }
        var merged = RowMerger.Merge(Table, [.. batches.Select(TwoTagBatch)]);
        Assert.Equal(ModelRows(batches), Rows(merged));
    }
}
