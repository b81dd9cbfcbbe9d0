using System.Text;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.LineProtocol;
using Tsdb.Storage;
using Tsdb.Wal;

namespace Tsdb.Ingest.Tests;

public sealed class IngesterTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-ingest-").FullName;
    private readonly FixedTime _time = new(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567));
    private readonly InMemoryCatalogStore _catalogStore = new();
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private LineProtocolIngester _ingester = null!;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public Task InitializeAsync() => Start(new CatalogLimits());

    private Task Start(CatalogLimits limits)
    {
        _catalog = new Catalog.Catalog(_catalogStore, limits);
        _buffer = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, _buffer);
        _ingester = new LineProtocolIngester(_catalog, _wal, _time, () => _buffer.IsOverBudget);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ValueTask<WriteOutcome> Write(string body, string db = "db", bool acceptPartial = true, Precision precision = Precision.Nanosecond) =>
        _ingester.WriteAsync(new WriteRequest(db, Encoding.UTF8.GetBytes(body)) { AcceptPartial = acceptPartial, Precision = precision });

    private List<Dictionary<string, object?>> Rows(string table, string db = "db")
    {
        var rows = new List<Dictionary<string, object?>>();
        foreach (var chunk in _buffer.Snapshot(db, table))
        {
            for (var i = 0; i < chunk.Batch.Length; i++)
            {
                var row = new Dictionary<string, object?>();
                for (var c = 0; c < chunk.Batch.ColumnCount; c++)
                {
                    row[chunk.Batch.Schema[c].Name] = chunk.Batch.Column(c).GetObject(i);
                }
                rows.Add(row);
            }
        }
        return rows;
    }

    [Fact]
    public async Task Lines_become_rows_with_their_types_and_nulls_for_missing_columns()
    {
        var outcome = await Write("""
            cpu,host=a,region=eu usage=1.5,count=3i,big=18446744073709551615u,ok=t,note="hi \"there\"" 1000
            # a comment
            cpu,host=b usage=2 2000
            mem,host=a free=10i 3000
            """);
        Assert.True(outcome.IsCompleteSuccess);
        Assert.Equal(3, outcome.LinesWritten);
        var cpu = Rows("cpu");
        Assert.Equal(2, cpu.Count);
        Assert.Equal(1000L, cpu[0]["time"]);
        Assert.Equal("a", cpu[0]["host"]);
        Assert.Equal(1.5, cpu[0]["usage"]);
        Assert.Equal(3L, cpu[0]["count"]);
        Assert.Equal(ulong.MaxValue, cpu[0]["big"]);
        Assert.Equal(true, cpu[0]["ok"]);
        Assert.Equal("hi \"there\"", cpu[0]["note"]);
        Assert.Null(cpu[1]["region"]);
        Assert.Null(cpu[1]["count"]);
        Assert.Single(Rows("mem"));

        var table = _catalog.Current.FindDatabase("db")!.FindTable("cpu")!;
        Assert.Equal(["time", "host", "region", "usage", "count", "big", "ok", "note"], table.Columns.Select(c => c.Name));
        Assert.Equal(ColumnKind.Tag, table.FindColumn("host")!.Kind);
        Assert.Equal(ColumnKind.UInteger, table.FindColumn("big")!.Kind);
    }

    [Fact]
    public async Task Type_conflicts_refuse_only_their_line()
    {
        await Write("weather,city=x temp=1.5 1");
        var outcome = await Write("""
            weather,city=y temp=2.5 2
            weather,city=z temp="hot" 3
            weather temp=4i 4
            weather,temp=x v=1 5
            weather,city=w temp=5.5 6
            """);
        Assert.Equal(2, outcome.LinesWritten);
        Assert.Equal([2, 3, 4], outcome.LineErrors.Select(e => e.LineNumber));
        Assert.Equal("invalid column type for column 'temp' in table 'weather', expected iox::column_type::field::float, got iox::column_type::field::string", outcome.LineErrors[0].Message);
        Assert.Equal("weather,city=z temp=\"hot\" 3", outcome.LineErrors[0].OriginalLine);
        Assert.Equal(16, outcome.LineErrors[0].Column);
        Assert.Equal("invalid column type for column 'temp' in table 'weather', expected iox::column_type::field::float, got iox::column_type::field::integer", outcome.LineErrors[1].Message);
        Assert.Equal("invalid column type for column 'temp' in table 'weather', expected iox::column_type::field::float, got iox::column_type::tag", outcome.LineErrors[2].Message);
        Assert.Equal([1L, 2, 6], Rows("weather").Select(r => (long)r["time"]!));
    }

    [Fact]
    public async Task Points_outside_the_retention_are_refused_per_line_and_their_neighbours_stored()
    {
        // Now is 2024-01-02T03:04:05.1234567Z; the database keeps 1 hour, table "short" 10 minutes of its own.
        await Write("t v=0 1704164645000000000\nshort v=0 1704164645000000000");
        await _catalog.UpdateAsync(e =>
        {
            e.SetRetention("db", TimeSpan.FromHours(1));
            return e.SetTableRetention("db", "short", TimeSpan.FromMinutes(10));
        });
        var outcome = await Write("""
            t v=1 1704157445000000000
            t v=2 1704164645000000000
            short v=3 1704163445000000000
            fresh v=4 1704150000000000000
            t v=5
            """);
        Assert.Equal(2, outcome.LinesWritten);
        Assert.Equal([1, 3, 4], outcome.LineErrors.Select(e => e.LineNumber));
        Assert.Equal("point time 2024-01-02T01:04:05Z is outside the retention period of database 'db' (1h): the oldest time accepted now is 2024-01-02T02:04:05.1234567Z", outcome.LineErrors[0].Message);
        Assert.Equal("t v=1 1704157445000000000", outcome.LineErrors[0].OriginalLine);
        Assert.Equal("point time 2024-01-02T02:44:05Z is outside the retention period of table 'short' (10m): the oldest time accepted now is 2024-01-02T02:54:05.1234567Z", outcome.LineErrors[1].Message);
        // A table the write creates has its database's retention.
        Assert.Contains("of database 'db' (1h)", outcome.LineErrors[2].Message, StringComparison.Ordinal);
        Assert.Equal([0.0, 2, 5], Rows("t").Select(r => (double)r["v"]!).Order());

        // Flight DoPut and other all-or-nothing writes refuse the whole request on such a line.
        var whole = await Write("t v=6 1704164645000000000\nt v=7 1\n", acceptPartial: false);
        Assert.True(whole.RejectedWhole);
        Assert.StartsWith("point time 1970-01-01T00:00:00.000000001Z is outside the retention period", Assert.Single(whole.LineErrors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_column_can_conflict_with_itself_within_one_write()
    {
        var outcome = await Write("t a=1 1\nt a=\"x\" 2\nt b=1i 3");
        Assert.Equal(2, outcome.LinesWritten);
        Assert.Equal(2, Assert.Single(outcome.LineErrors).LineNumber);
        Assert.Equal(ColumnKind.Float, _catalog.Current.FindDatabase("db")!.FindTable("t")!.FindColumn("a")!.Kind);
    }

    [Fact]
    public async Task Without_partial_writes_one_bad_line_stores_nothing()
    {
        var outcome = await Write("t a=1 1\nt a= 2\nt a=3 3", acceptPartial: false);
        Assert.True(outcome.RejectedWhole);
        Assert.Equal(0, outcome.LinesWritten);
        Assert.Equal(2, Assert.Single(outcome.LineErrors).LineNumber);
        Assert.Empty(Rows("t"));
        Assert.Null(outcome.Sequence);
    }

    [Fact]
    public async Task Limits_refuse_the_lines_that_pass_them()
    {
        await DisposeAsync();
        Directory.CreateDirectory(_dir);
        await Start(new CatalogLimits { MaxTablesPerDatabase = 1, MaxColumnsPerTable = 3 });
        var outcome = await Write("a x=1 1\nb x=1 2\na y=1 3\na z=1 4");
        Assert.Equal(2, outcome.LinesWritten);
        Assert.True(outcome.LimitExceeded);
        Assert.Equal("table limit reached: database 'db' already has 1 tables, cannot create table 'b'", outcome.LineErrors[0].Message);
        Assert.Equal("column limit reached: table 'a' in database 'db' already has 3 columns, cannot add column 'z'", outcome.LineErrors[1].Message);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("_x")]
    [InlineData("a/b/c")]
    public async Task Bad_database_names_refuse_the_whole_write(string db)
    {
        var outcome = await Write("t a=1 1", db);
        Assert.Equal(WriteRequestError.InvalidDatabaseName, outcome.RequestError);
        Assert.StartsWith("invalid database name", outcome.RequestErrorMessage, StringComparison.Ordinal);
        Assert.Null(_catalog.Current.FindDatabase(db));
    }

    [Fact]
    public async Task Empty_body_is_a_request_error()
    {
        Assert.Equal(WriteRequestError.EmptyBody, (await Write("\n# nothing\n")).RequestError);
    }

    [Fact]
    public async Task Missing_timestamps_take_the_server_time_cut_to_the_precision()
    {
        await Write("t a=1", precision: Precision.Millisecond);
        await Write("t a=2");
        await Write("t a=3 1704164645", precision: Precision.Auto);
        var times = Rows("t").Select(r => (long)r["time"]!).ToList();
        var now = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.Equal(now - (now % 1_000_000), times[0]);
        Assert.Equal(now, times[1]);
        Assert.Equal(1704164645L * 1_000_000_000, times[2]);
    }

    [Fact]
    public async Task Rows_are_split_by_day_and_survive_a_restart()
    {
        var outcome = await Write("t,h=a v=1 86399999999999\nt,h=b v=2 86400000000000\nt,h=c v=3 -1");
        Assert.Equal(3, outcome.LinesWritten);
        Assert.Equal([-1, 0, 1], _buffer.Snapshot("db", "t").Select(c => c.Day).Order());

        await _wal.DisposeAsync();
        var replayed = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, replayed);
        Assert.Equal(3, replayed.RowCount);
        Assert.Equal(["1969-12-31", "1970-01-01", "1970-01-02"], replayed.Snapshot("db", "t").Select(c => PartitionDay.Format(c.Day)).Order());
        Assert.Equal("c", replayed.Snapshot("db", "t").Single(c => c.Day == -1).Batch.Column("h")!.GetObject(0));
    }

    [Fact]
    public async Task A_write_whose_catalog_version_another_writer_took_is_staged_again_on_the_fresh_catalog()
    {
        // Another process on the same catalog store makes cpu.usage an integer first; this one still holds version 0.
        var other = new Catalog.Catalog(_catalogStore);
        await other.UpdateAsync(e =>
        {
            e.EnsureDatabase("db", out _);
            e.EnsureTable("db", "cpu", out _);
            return e.EnsureColumn("db", "cpu", "usage", ColumnKind.Integer);
        });
        var outcome = await Write("cpu usage=1.5 1\nmem free=2i 1");
        // Staged again on the fresh catalog: the float is a type conflict there, the new table is made on top.
        Assert.Equal(1, outcome.LinesWritten);
        Assert.Equal("invalid column type for column 'usage' in table 'cpu', expected iox::column_type::field::integer, got iox::column_type::field::float", Assert.Single(outcome.LineErrors).Message);
        Assert.Equal(2, _catalog.Current.Version);
        Assert.NotNull(_catalog.Current.FindDatabase("db")!.FindTable("mem"));
        Assert.Single(Rows("mem"));
    }
}
