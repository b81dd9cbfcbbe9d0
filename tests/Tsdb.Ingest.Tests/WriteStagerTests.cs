using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.Storage;
using Tsdb.Wal;

namespace Tsdb.Ingest.Tests;

/// <summary>
/// The stager every protocol feeds, driven directly (as a protocol's reader does) through <see cref="WritePath"/>:
/// against the catalog snapshot, then inside a catalog update when something is new; into a real WAL and buffer.
/// </summary>
public sealed class WriteStagerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly long NowNs = (Now - DateTimeOffset.UnixEpoch).Ticks * 100;
    private const long Day = 86_400_000_000_000;
    private static readonly string[] TagNames = ["a", "b", "c"];
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-stager-").FullName;
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private WritePath _path = null!;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public Task InitializeAsync()
    {
        _catalog = new Catalog.Catalog(new InMemoryCatalogStore(), new CatalogLimits { MaxTablesPerDatabase = 2, MaxColumnsPerTable = 4 });
        _buffer = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, _buffer);
        _path = new WritePath(_catalog, _wal, new FixedTime(Now), () => false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Stages with <paramref name="stage"/> and writes what was staged; the pass result and the stager's flags.</summary>
    private async Task<(T Pass, bool LimitExceeded, long Rows)> Write<T>(Func<WriteStager, T> stage, string db = "db")
    {
        var staged = await _path.StageAsync(db, stage, CancellationToken.None);
        Assert.Null(staged.DatabaseError);
        using var stager = staged.Stager!;
        await _path.AppendAsync(db, stager, sync: true, CancellationToken.None);
        return (staged.Pass!, stager.LimitExceeded, stager.RowsStaged);
    }

    private List<Dictionary<string, object?>> Rows(string table)
    {
        var rows = new List<Dictionary<string, object?>>();
        foreach (var chunk in _buffer.Snapshot("db", table))
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
        return [.. rows.OrderBy(r => (long)r["time"]!)];
    }

    [Fact]
    public async Task Each_column_kind_is_built_with_its_stored_type_and_kind_metadata()
    {
        List<Tsdb.Arrow.Arrays.RecordBatch>? batches = null;
        var staged = await _path.StageAsync("db", stager =>
        {
            var table = stager.Table("t", out _);
            if (table is null)
            {
                return 0;
            }
            int Slot(string name, ColumnKind kind) => stager.Column(table, name, kind, out _);
            var (tag, f, i) = (Slot("tag", ColumnKind.Tag), Slot("f", ColumnKind.Float), Slot("i", ColumnKind.Integer));
            // A fifth column would pass the limit of four: the other kinds go to a second table.
            var other = stager.Table("u", out _);
            if (stager.NeedsSchemaChange || other is null)
            {
                return 0;
            }
            var (u, s, b) = (stager.Column(other, "u", ColumnKind.UInteger, out _), stager.Column(other, "s", ColumnKind.String, out _), stager.Column(other, "b", ColumnKind.Boolean, out _));
            if (stager.NeedsSchemaChange)
            {
                return 0;
            }
            var p = table.Partition(PartitionDay.FromNanoseconds(NowNs));
            p.Column(StagedTable.TimeSlot).AppendLong(NowNs);
            p.Column(tag).AppendTag("x"u8);
            p.Column(f).AppendFloat(1.5);
            p.Column(i).AppendLong(-2);
            p.EndRow();
            var q = other.Partition(PartitionDay.FromNanoseconds(NowNs));
            q.Column(StagedTable.TimeSlot).AppendLong(NowNs);
            q.Column(u).AppendULong(ulong.MaxValue);
            q.Column(s).AppendString("hi"u8);
            q.Column(b).AppendBoolean(true);
            q.EndRow();
            batches = [.. stager.Build().Select(w => w.Batch)];
            return 2;
        }, CancellationToken.None);
        staged.Stager!.Dispose();

        Assert.Equal(2, staged.Pass);
        var fields = batches!.SelectMany(b => b.Schema.Fields).ToList();
        Assert.Equal(8, fields.Count);
        foreach (var field in fields)
        {
            var kind = ColumnKindNames.FromIoxType(field.GetMetadata(ColumnKindNames.IoxMetadataKey))!.Value;
            Assert.Equal(ColumnTypes.Of(kind), field.Type);
            Assert.Equal(kind != ColumnKind.Time, field.IsNullable);
        }
        Assert.Equal(
            ["b:Boolean", "f:Float", "i:Integer", "s:String", "tag:Tag", "time:Time", "time:Time", "u:UInteger"],
            fields.Select(f => $"{f.Name}:{ColumnKindNames.FromIoxType(f.GetMetadata(ColumnKindNames.IoxMetadataKey))}").Order(StringComparer.Ordinal));
        Assert.Equal([1.5, -2L, "x"], new object?[] { batches![0].Column(2).GetObject(0), batches[0].Column(3).GetObject(0), batches[0].Column(1).GetObject(0) });
    }

    [Fact]
    public async Task Against_the_snapshot_a_new_table_asks_for_a_catalog_update_which_then_creates_it()
    {
        var passes = new List<bool>();
        var (_, _, rows) = await Write(stager =>
        {
            var table = stager.Table("cpu", out var error);
            passes.Add(stager.NeedsSchemaChange);
            Assert.Null(error);
            if (table is null)
            {
                return 0;
            }
            var v = stager.Column(table, "v", ColumnKind.Float, out error);
            Assert.Null(error);
            var p = table.Partition(0);
            p.Column(StagedTable.TimeSlot).AppendLong(NowNs);
            p.Column(v).AppendFloat(1);
            p.EndRow();
            return 1;
        });

        Assert.Equal([true, false], passes);
        Assert.Equal(1, rows);
        Assert.Equal(ColumnKind.Float, _catalog.Current.FindDatabase("db")!.FindTable("cpu")!.FindColumn("v")!.Kind);
        // The second write finds everything in the snapshot: one pass.
        passes.Clear();
        await Write(stager =>
        {
            var table = stager.Table("cpu", out _)!;
            passes.Add(stager.NeedsSchemaChange);
            return stager.Column(table, "v", ColumnKind.Float, out _);
        });
        Assert.Equal([false], passes);
    }

    [Fact]
    public async Task A_kind_other_than_the_catalogs_is_a_type_conflict_and_limits_are_flagged()
    {
        await Write(stager => stager.Table("t", out _) is { } t ? stager.Column(t, "v", ColumnKind.Float, out _) : -1);

        var (errors, limitExceeded, _) = await Write(stager =>
        {
            var errors = new List<string?>();
            var t = stager.Table("t", out _)!;
            errors.Add(stager.Column(t, "v", ColumnKind.Integer, out var conflict) < 0 ? conflict : "stored");
            errors.Add(stager.Column(t, "time", ColumnKind.Tag, out var time) < 0 ? time : "stored");
            foreach (var name in TagNames)
            {
                var slot = stager.Column(t, name, ColumnKind.Tag, out var error);
                if (stager.NeedsSchemaChange)
                {
                    return errors;
                }
                errors.Add(slot < 0 ? error : "stored");
            }
            stager.Table("u", out _);
            var third = stager.Table("w", out var tableError);
            errors.Add(third is null ? tableError : "stored");
            return errors;
        });

        Assert.Equal(
        [
            "invalid column type for column 'v' in table 't', expected iox::column_type::field::float, got iox::column_type::field::integer",
            "invalid column type for column 'time' in table 't', expected iox::column_type::timestamp, got iox::column_type::tag",
            "stored",
            "stored",
            "column limit reached: table 't' in database 'db' already has 4 columns, cannot add column 'c'",
            "table limit reached: database 'db' already has 2 tables, cannot create table 'w'",
        ], errors);
        Assert.True(limitExceeded);
    }

    [Fact]
    public async Task Rows_are_split_by_day_padded_with_nulls_and_carry_their_tags_per_series()
    {
        var (_, _, rows) = await Write(stager =>
        {
            var t = stager.Table("t", out _);
            if (t is null)
            {
                return 0;
            }
            var (host, v, note) = (stager.Column(t, "host", ColumnKind.Tag, out _), stager.Column(t, "v", ColumnKind.Float, out _), stager.Column(t, "note", ColumnKind.String, out _));
            if (stager.NeedsSchemaChange)
            {
                return 0;
            }
            // A series of three samples, the last on the next day; tags as one string object for all of them.
            var hostA = "a";
            long[] times = [NowNs, NowNs + 1, NowNs + Day];
            var today = t.Partition(PartitionDay.FromNanoseconds(NowNs));
            today.Column(host).AppendTag(hostA, 2);
            today.Column(StagedTable.TimeSlot).AppendLongs(times.AsSpan(0, 2));
            today.Column(v).AppendFloats([1.0, 2.0]);
            today.EndRows(2);
            var tomorrow = t.Partition(PartitionDay.FromNanoseconds(NowNs + Day));
            tomorrow.Column(host).AppendTag(hostA, 1);
            tomorrow.Column(StagedTable.TimeSlot).AppendLongs(times.AsSpan(2));
            tomorrow.Column(v).AppendFloats([3.0]);
            tomorrow.EndRows(1);
            // A row without the tag and without v: nulls in both.
            today.Column(StagedTable.TimeSlot).AppendLong(NowNs + 2);
            today.Column(note).AppendString("n"u8);
            today.EndRow();
            return 1;
        });

        Assert.Equal(4, rows);
        Assert.Equal(2, _buffer.Snapshot("db", "t").Count);
        Assert.Equal(
            ["a|1|", "a|2|", "||n", "a|3|"],
            Rows("t").Select(r => $"{r.GetValueOrDefault("host")}|{r.GetValueOrDefault("v")}|{r.GetValueOrDefault("note")}"));
    }

    [Fact]
    public async Task A_table_has_the_retention_cutoff_of_its_database_and_names_it_when_a_point_is_older()
    {
        await _catalog.UpdateAsync(editor =>
        {
            editor.EnsureDatabase("db", out _);
            editor.SetRetention("db", TimeSpan.FromHours(1));
            return 0;
        });
        var (message, _, rows) = await Write(stager =>
        {
            var t = stager.Table("t", out _);
            if (t is null)
            {
                return null;
            }
            Assert.Equal(NowNs - 3_600_000_000_000, t.RetentionCutoff);
            return t.Expired(NowNs - 7_200_000_000_000);
        });
        Assert.Equal(0, rows);
        Assert.StartsWith("point time ", message, StringComparison.Ordinal);
        Assert.Contains("is outside the retention period of database 'db' (1h)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_staged_writes_no_wal_record()
    {
        var staged = await _path.StageAsync("db", _ => 0, CancellationToken.None);
        using var stager = staged.Stager!;
        Assert.Null(await _path.AppendAsync("db", stager, sync: true, CancellationToken.None));
        Assert.Null(_catalog.Current.FindDatabase("db"));
    }
}
