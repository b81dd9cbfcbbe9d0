using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Xunit;

namespace Tsdb.Testing;

/// <summary>
/// The behaviour every <see cref="ITableSource"/> must have, subclassed once per implementation (the tests' memory
/// source, storage's StorageTableSource). Each test gets a source holding exactly <see cref="Points"/> in database
/// "db". The rules, from the interface's documentation:
/// <list type="bullet">
/// <item><see cref="ITableSource.Tables"/> lists the database's tables; an unknown database has none.</item>
/// <item><see cref="ITableSource.GetSchema"/> is null for an unknown table or database, and otherwise has every column
/// written, with time as a nanosecond timestamp.</item>
/// <item>A scan returns at least every row that matches the request's time range (inclusive) and tag values (a row
/// whose tag is missing matches no value), and no row that was not stored; rows that do not match may come back (the
/// engine filters exactly), each stored row at most once.</item>
/// <item>Columns: a batch holds columns of the table only, under their names and with the schema's types (a
/// dictionary and its value type stand for each other). It may hold columns that were not asked for (whole rows), and
/// may leave out an asked column that has no values in that batch's data (the engine reads it as nulls), but never
/// drops values: every asked column's values are there. Without <see cref="ScanRequest.Columns"/>, every column is
/// asked for.</item>
/// </list>
/// Rows are compared as the tuple of the asked columns' values, so a source that returns fewer columns is checked
/// on what it does return.
/// </summary>
public abstract class TableSourceConformance
{
    protected const string Database = "db";

    private const long S = 1_000_000_000L;

    /// <summary>2024-01-01T00:00:00Z in ns; the data spans two days, so a source with daily partitions has several.</summary>
    protected const long T0 = 1_704_067_200L * S;

    private static readonly string[] AllColumns = ["time", "host", "region", "usage", "n"];

    /// <summary>The stored rows: table cpu over two days (one row without region, some without one of the fields), table mem.</summary>
    public static IReadOnlyList<TestPoint> Points { get; } =
    [
        new("cpu", "a", "eu", T0, 1.5, 1),
        new("cpu", "b", "eu", T0, 2.5, 2),
        new("cpu", "c", "us", T0 + S, 3.5, null),
        new("cpu", "a", "eu", T0 + (60 * S), null, 4),
        new("cpu", "d", null, T0 + (60 * S), 5.5, 5),
        new("cpu", "b", "eu", T0 + (3600 * S), 6.5, 6),
        new("cpu", "a", "eu", T0 + (86_400 * S), 7.5, 7),
        new("cpu", "c", "us", T0 + (86_400 * S) + 1, 8.5, 8),
        new("cpu", "b", "eu", T0 + (90_000 * S), 9.5, 9),
        new("mem", "a", "eu", T0, 10.5, 10),
        new("mem", "c", "us", T0 + (86_400 * S), 11.5, 11),
    ];

    /// <summary>The requests the scan test runs, by index (theory data cannot hold them).</summary>
    private static readonly ScanRequest[] Requests =
    [
        new(Database, "cpu"),
        new(Database, "cpu") { Columns = ["usage"] },
        new(Database, "cpu") { Columns = ["n", "time"] },
        new(Database, "cpu") { FromTime = T0 + S, ToTime = T0 + (3600 * S) },
        new(Database, "cpu") { FromTime = T0 + (86_400 * S) + 1 },
        new(Database, "cpu") { ToTime = T0 },
        new(Database, "cpu") { FromTime = T0 + (2 * 86_400 * S) },
        new(Database, "cpu") { TagValues = Tags("host", "a") },
        new(Database, "cpu") { TagValues = Tags("host", "b", "c", "zz") },
        new(Database, "cpu") { TagValues = Tags("region", "us") },
        new(Database, "cpu") { Columns = ["time", "usage"], FromTime = T0, ToTime = T0 + (86_400 * S), TagValues = Tags("host", "a", "b") },
        new(Database, "cpu") { Columns = ["host", "n"], TagValues = new Dictionary<string, IReadOnlyList<string>> { ["host"] = ["a", "d"], ["region"] = ["eu"] } },
        new(Database, "cpu") { TagValues = Tags("host", "nobody") },
        new(Database, "mem") { Columns = ["host", "usage"], FromTime = T0 + 1 },
    ];

    public static TheoryData<int> RequestIndexes() => [.. Enumerable.Range(0, Requests.Length)];

    /// <summary>A source holding exactly <paramref name="points"/> in database <see cref="Database"/>.</summary>
    protected abstract Task<ITableSource> CreateSourceAsync(IReadOnlyList<TestPoint> points);

    private static Dictionary<string, IReadOnlyList<string>> Tags(string tag, params string[] values) => new() { [tag] = values };

    private static bool Matches(TestPoint p, ScanRequest request) =>
        p.Table == request.Table
        && (request.FromTime is not { } from || p.Time >= from)
        && (request.ToTime is not { } to || p.Time <= to)
        && request.TagValues.All(t => p.Value(t.Key) is { } v && t.Value.Contains(v));

    private static string Tuple(IEnumerable<string?> values) => string.Join('|', values.Select(v => v ?? "NULL"));

    private static string? Text(ArrowArray column, int row) =>
        column.IsNull(row) ? null : column.GetObject(row) switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            var o => Convert.ToString(o, CultureInfo.InvariantCulture),
        };

    private static bool Compatible(ArrowType declared, ArrowType actual) =>
        declared == actual
        || (declared.Id == ArrowTypeId.Dictionary && declared.ValueType == actual)
        || (actual.Id == ArrowTypeId.Dictionary && actual.ValueType == declared);

    [Fact]
    public async Task Tables_lists_the_databases_tables()
    {
        var source = await CreateSourceAsync(Points);
        Assert.Equal(["cpu", "mem"], source.Tables(Database).Order(StringComparer.Ordinal));
        Assert.Empty(source.Tables("no_such_db"));
    }

    [Fact]
    public async Task GetSchema_is_null_for_an_unknown_table_or_database()
    {
        var source = await CreateSourceAsync(Points);
        Assert.Null(source.GetSchema(Database, "no_such_table"));
        Assert.Null(source.GetSchema("no_such_db", "cpu"));
    }

    [Fact]
    public async Task GetSchema_has_every_column_written()
    {
        var source = await CreateSourceAsync(Points);
        var schema = source.GetSchema(Database, "cpu");
        Assert.NotNull(schema);
        Assert.Equal(AllColumns.Order(StringComparer.Ordinal), schema.Fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(ArrowType.TimestampNanosecond, schema[schema.GetFieldIndex("time")].Type);
        Assert.Equal(ArrowTypeId.Float64, schema[schema.GetFieldIndex("usage")].Type.Id);
        Assert.Equal(ArrowTypeId.Int64, schema[schema.GetFieldIndex("n")].Type.Id);
    }

    [Theory]
    [MemberData(nameof(RequestIndexes))]
    public async Task A_scan_returns_every_matching_row_with_the_asked_columns(int index)
    {
        var request = Requests[index];
        var source = await CreateSourceAsync(Points);
        var schema = source.GetSchema(request.Database, request.Table);
        Assert.NotNull(schema);
        var asked = request.Columns ?? [.. schema.Fields.Select(f => f.Name)];
        var returned = new List<string>();
        await foreach (var batch in source.ScanAsync(request, CancellationToken.None))
        {
            Assert.Equal(batch.ColumnCount, batch.Schema.FieldCount);
            for (var c = 0; c < batch.ColumnCount; c++)
            {
                var name = batch.Schema[c].Name;
                var field = schema.GetFieldIndex(name);
                Assert.True(field >= 0, $"the scan returned column {name}, which the table does not have");
                Assert.True(Compatible(schema[field].Type, batch.Column(c).Type), $"column {name} is {batch.Column(c).Type}, the table's schema says {schema[field].Type}");
                Assert.Equal(batch.Length, batch.Column(c).Length);
            }
            var columns = asked.Select(name => batch.Column(name)).ToArray();
            for (var r = 0; r < batch.Length; r++)
            {
                returned.Add(Tuple(columns.Select(c => c is null ? null : Text(c, r))));
            }
        }
        var stored = Points.Where(p => p.Table == request.Table).Select(p => Tuple(asked.Select(p.Value))).ToList();
        var matching = Points.Where(p => Matches(p, request)).Select(p => Tuple(asked.Select(p.Value))).ToList();
        var got = returned.CountBy(t => t).ToDictionary();
        foreach (var (tuple, count) in matching.CountBy(t => t))
        {
            Assert.True(got.GetValueOrDefault(tuple) >= count, $"row {tuple} (asked: {string.Join(',', asked)}) came back {got.GetValueOrDefault(tuple)} times, {count} expected");
        }
        var possible = stored.CountBy(t => t).ToDictionary();
        foreach (var (tuple, count) in got)
        {
            Assert.True(possible.GetValueOrDefault(tuple) >= count, $"row {tuple} came back {count} times but was stored {possible.GetValueOrDefault(tuple)} times");
        }
    }
}
