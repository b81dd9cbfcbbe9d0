using System.Text;
using System.Text.Json;
using Tsdb.Core.Deletes;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;
using static Tsdb.Catalog.Tests.CatalogFixtures;

namespace Tsdb.Catalog.Tests;

public sealed class CatalogLogTests
{
    private readonly InMemoryObjectStore _store = new();

    /// <summary>A store over the shared objects; records may be cleaned up as soon as a checkpoint covers them.</summary>
    private ObjectStoreCatalogStore Store(int interval = 1000, int keep = 2) =>
        new(_store, new CatalogLogOptions { CheckpointInterval = interval, KeepCheckpoints = keep, RecordRetention = TimeSpan.Zero });

    private async Task<CatalogSnapshot> ReloadAsync() => (await Store().LoadAsync())!;

    [Fact]
    public async Task An_empty_store_loads_as_nothing()
    {
        Assert.Null(await Store().LoadAsync());
        var catalog = await Catalog.CreateAsync(Store());
        Assert.Equal(0, catalog.Current.Version);
    }

    [Fact]
    public async Task Every_kind_of_change_round_trips_through_the_log()
    {
        var catalog = await Catalog.CreateAsync(Store());
        var steps = new List<Func<CatalogEditor, object?>>
        {
            e => e.EnsureDatabase("db", out _),
            e => e.EnsureTable("db", "t", out _),
            e => e.EnsureColumn("db", "t", "host", ColumnKind.Tag),
            e => e.EnsureColumn("db", "t", "value", ColumnKind.Float),
            e => { e.SetRetention("db", TimeSpan.FromDays(7)); return null; },
            e => e.SetTableRetention("db", "t", TimeSpan.FromHours(6)),
            e => { AddTable(e, "other", "u"); AddTable(e, "other", "v"); return null; },
            e => { e.AddFile(FileEntry(e.NextFileId())); e.AddFile(FileEntry(e.NextFileId())); e.AddFile(FileEntry(e.NextFileId(), "other", "u")); return null; },
            e => { e.SetPersistedSequence(42); return null; },
            e => e.NextFileId(),
            e => { e.RemoveFiles([1], Now.AddMinutes(5)); return null; },
            e => { e.ForgetPendingDeletes([e.Base.PendingDeletes[0].Path]); return null; },
            e => { e.AddToken(new TokenDefinition("admin", new string('a', 64), true, Now)); return null; },
            e => { e.AddToken(new TokenDefinition("scoped", new string('b', 64), false, Now) { Permissions = [new TokenPermission("db", DatabaseActions.Read)], ExpiresAt = Now.AddDays(1) }); return null; },
            e => { e.AddToken(new TokenDefinition("legacy", new string('c', 64), false, Now) { Permissions = TokenDefinition.LegacyPermissions }); return null; },
            e => { e.SetToken(new TokenDefinition("admin", new string('d', 64), true, Now.AddHours(1))); return null; },
            e => e.RemoveToken("legacy"),
            e => e.AddTombstone(new Tombstone(0, "db", "t", 42, new DeletePredicate(0, 100, [new DeleteTerm("host", DeleteOperator.Equal) { String = "a" }]), Now)),
            e => e.AddTombstone(new Tombstone(0, "other", "v", 42, new DeletePredicate(null, 5, []), Now)),
            e => e.AddTombstone(new Tombstone(0, "db", "t", 43, new DeletePredicate(7, null, [new DeleteTerm("value", DeleteOperator.Greater) { Number = 2.5 }]), Now)),
            e => { e.RemoveTombstones([1]); return null; },
            e => e.SetTableRetention("db", "t", null),
            e => { e.SetRetention("db", null); return null; },
            e => e.DeleteTable("other", "v", Now.AddMinutes(5)),
            e => e.DeleteDatabase("other", Now.AddMinutes(5)),
            e => { e.DeleteDatabase("db", Now.AddMinutes(6)); AddTable(e, "db", "fresh"); e.AddFile(FileEntry(e.NextFileId(), "db", "fresh")); return null; },
        };
        foreach (var step in steps)
        {
            var before = catalog.Current.Version;
            await catalog.UpdateAsync(step);
            Assert.Equal(before + 1, catalog.Current.Version);
            Assert.Equal(Canonical(catalog.Current), Canonical(await ReloadAsync()));
            if (catalog.Current.Version == 6)
            {
                Assert.Equal(TimeSpan.FromHours(6), (await ReloadAsync()).FindDatabase("db")!.FindTable("t")!.RetentionPeriod);
            }
            if (catalog.Current.Version == 22)
            {
                // Tombstones 2 (other.v) and 3 (db.t) are live here, with their predicates.
                var live = (await ReloadAsync()).Tombstones;
                Assert.Equal([2L, 3L], live.Select(t => t.Id));
                Assert.Equal(DeleteOperator.Greater, live[1].Predicate.Terms.Single().Operator);
                Assert.Equal(2.5, live[1].Predicate.Terms.Single().Number);
            }
        }
        Assert.Equal(steps.Count, (await KeysAsync(_store, ObjectStoreCatalogStore.LogPrefix)).Count);
        Assert.Empty(await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));

        var reloaded = await ReloadAsync();
        Assert.Equal(["db"], reloaded.Databases.Select(d => d.Name));
        Assert.Equal(["fresh"], reloaded.FindDatabase("db")!.Tables.Select(t => t.Name));
        Assert.Equal(["admin", "scoped"], reloaded.Tokens.Select(t => t.Name));
        Assert.Equal(new string('d', 64), reloaded.Tokens[0].Sha256Hex);
        Assert.Equal([new TokenPermission("db", DatabaseActions.Read)], reloaded.Tokens[1].Permissions);
        Assert.Equal(Now.AddDays(1), reloaded.Tokens[1].ExpiresAt);
        Assert.Single(reloaded.Files);
        Assert.Equal(42, reloaded.PersistedSequence);
        Assert.Equal(6, reloaded.NextFileId);
        Assert.Equal(2, reloaded.PendingDeletes.Count); // file 3 (database "other" dropped) and file 2 (database "db" dropped); file 1 was forgotten
        Assert.Empty(reloaded.Tombstones); // 1 forgotten, 2 and 3 went with their tables
        Assert.Equal(4, reloaded.NextTombstoneId);
    }

    [Fact]
    public async Task An_edit_that_changes_nothing_writes_nothing()
    {
        var catalog = await Catalog.CreateAsync(Store());
        await catalog.UpdateAsync(e => e.EnsureDatabase("db", out _));
        await catalog.UpdateAsync(e => e.EnsureDatabase("db", out _));
        Assert.Equal(1, catalog.Current.Version);
        Assert.Single(await KeysAsync(_store));
    }

    [Fact]
    public async Task Metric_metadata_survives_records_and_checkpoints_and_unchanged_metadata_writes_nothing()
    {
        var store = Store(interval: 3);
        var catalog = await Catalog.CreateAsync(store);
        var up = new MetricMetadataEntry("gauge", "1 if the target is up", "");
        var requests = new MetricMetadataEntry("counter", "requests served", "requests");
        Assert.Null(await catalog.UpdateAsync(e => e.SetMetricMetadata("db", [KeyValuePair.Create("up", up)])));
        Assert.Equal(1, catalog.Current.Version);
        Assert.Null(await catalog.UpdateAsync(e => e.SetMetricMetadata("db", [KeyValuePair.Create("up", up)])));
        Assert.Equal(1, catalog.Current.Version);   // the same again: no record
        await catalog.UpdateAsync(e => e.SetMetricMetadata("db", [KeyValuePair.Create("requests_total", requests), KeyValuePair.Create("up", up with { Help = "changed" })]));
        await catalog.UpdateAsync(e => { AddTable(e, "db", "t"); return true; });   // other edits keep the metadata
        await catalog.UpdateAsync(e => { e.SetRetention("db", TimeSpan.FromDays(1)); return true; });
        await store.FlushAsync();
        Assert.Equal(4, catalog.Current.Version);
        Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(3)], await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));
        var reloaded = (await ReloadAsync()).FindDatabase("db")!;
        Assert.Equal(["requests_total", "up"], reloaded.Metadata.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(requests, reloaded.Metadata["requests_total"]);
        Assert.Equal("changed", reloaded.Metadata["up"].Help);
        Assert.Equal(["t"], reloaded.Tables.Select(t => t.Name));
        Assert.Equal(CatalogErrorKind.InvalidName, (await catalog.UpdateAsync(e => e.SetMetricMetadata("", [KeyValuePair.Create("x", up)])))?.Kind);
    }

    [Fact]
    public async Task A_checkpoint_then_more_records_reload()
    {
        var store = Store(interval: 5);
        var catalog = await Catalog.CreateAsync(store);
        for (var i = 0; i < 12; i++)
        {
            await catalog.UpdateAsync(e => { AddTable(e, "db", $"t{i}"); return true; });
            await store.FlushAsync();
        }
        Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(5), ObjectStoreCatalogStore.CheckpointKey(10)], await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));
        Assert.Equal(Canonical(catalog.Current), Canonical(await ReloadAsync()));
        Assert.Equal(12, catalog.Current.FindDatabase("db")!.TableCount);
    }

    [Fact]
    public async Task A_record_only_tail_after_a_checkpoint_loads()
    {
        var store = Store(interval: 3, keep: 1);
        var catalog = await Catalog.CreateAsync(store);
        for (var i = 0; i < 8; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 1);
            await store.FlushAsync();
        }
        // Checkpoint 6 sums up everything before it; only records 7 and 8 follow it.
        Assert.Equal(
            [ObjectStoreCatalogStore.CheckpointKey(6), ObjectStoreCatalogStore.LogKey(7), ObjectStoreCatalogStore.LogKey(8)],
            (await KeysAsync(_store)).Order(StringComparer.Ordinal));
        var reloaded = await ReloadAsync();
        Assert.Equal(8, reloaded.Version);
        Assert.Equal(8, reloaded.Files.Count);
        Assert.Equal(Canonical(catalog.Current), Canonical(reloaded));
    }

    [Fact]
    public async Task Old_records_and_checkpoints_are_cleaned_up()
    {
        await WriteLegacyAsync(1, 2, 3);
        var store = Store(interval: 2, keep: 2);
        var catalog = await Catalog.CreateAsync(store);
        for (var i = 0; i < 8; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 1);
            await store.FlushAsync();
        }
        // Versions 4..11; checkpoints at 5, 7, 9, 11: the two newest stay, with the records after the older one.
        Assert.Equal(
            [ObjectStoreCatalogStore.CheckpointKey(9), ObjectStoreCatalogStore.CheckpointKey(11), ObjectStoreCatalogStore.LogKey(10), ObjectStoreCatalogStore.LogKey(11)],
            (await KeysAsync(_store)).Order(StringComparer.Ordinal));
        Assert.Equal(Canonical(catalog.Current), Canonical(await ReloadAsync()));
    }

    [Fact]
    public async Task Cleanup_leaves_records_younger_than_the_retention()
    {
        var time = new ManualTime(Now);
        var objects = new InMemoryObjectStore(time);
        var store = new ObjectStoreCatalogStore(objects, new CatalogLogOptions { CheckpointInterval = 2, KeepCheckpoints = 1, RecordRetention = TimeSpan.FromHours(1) }, time);
        var catalog = await Catalog.CreateAsync(store);
        for (var i = 0; i < 4; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 1);
            await store.FlushAsync();
        }
        Assert.Equal(4, (await KeysAsync(objects, ObjectStoreCatalogStore.LogPrefix)).Count);
        Assert.Equal(2, (await KeysAsync(objects, ObjectStoreCatalogStore.CheckpointPrefix)).Count);

        time.Now += TimeSpan.FromHours(2);
        for (var i = 0; i < 2; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 10);
            await store.FlushAsync();
        }
        // Checkpoint 6 is the one kept; what it covers goes if it is over an hour old: records 5 and 6 stay a while.
        Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(6)], await KeysAsync(objects, ObjectStoreCatalogStore.CheckpointPrefix));
        Assert.Equal([ObjectStoreCatalogStore.LogKey(5), ObjectStoreCatalogStore.LogKey(6)], await KeysAsync(objects, ObjectStoreCatalogStore.LogPrefix));
        Assert.Equal(Canonical(catalog.Current), Canonical((await new ObjectStoreCatalogStore(objects).LoadAsync())!));
    }

    [Fact]
    public async Task An_old_format_directory_loads_and_continues_with_the_log()
    {
        var newest = await WriteLegacyAsync(5, 6, 7);
        var catalog = await Catalog.CreateAsync(Store());
        Assert.Equal(Canonical(newest), Canonical(catalog.Current));

        await PersistAsync(catalog, "db", "t", 99);
        Assert.Contains(ObjectStoreCatalogStore.LogKey(8), await KeysAsync(_store));
        var reloaded = await ReloadAsync();
        Assert.Equal(8, reloaded.Version);
        Assert.Equal(99, reloaded.PersistedSequence);
        Assert.Equal(Canonical(catalog.Current), Canonical(reloaded));
        Assert.NotNull(reloaded.FindTokenByHash(new string('7', 64)));
    }

    [Fact]
    public async Task An_old_format_directory_on_the_local_file_store_loads()
    {
        var root = Directory.CreateTempSubdirectory("tsdb-catalog-").FullName;
        try
        {
            var local = new LocalFileObjectStore(root);
            var old = Legacy(3);
            await local.PutIfAbsentAsync(ObjectStoreCatalogStore.LegacyKey(3), CatalogSerializer.Serialize(old));
            var catalog = await Catalog.CreateAsync(new ObjectStoreCatalogStore(local));
            await catalog.UpdateAsync(e => { AddTable(e, "db", "new"); return true; });
            var reloaded = (await new ObjectStoreCatalogStore(new LocalFileObjectStore(root)).LoadAsync())!;
            Assert.Equal(4, reloaded.Version);
            Assert.NotNull(reloaded.FindDatabase("db")!.FindTable("new"));
            Assert.True(System.IO.File.Exists(Path.Combine(root, "catalog", "log", "00000000000000000004.json")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_crash_between_record_and_checkpoint_loads_from_the_records_and_checkpoints_later()
    {
        // A writer whose checkpoints never happened (it crashed first): five records, no checkpoint.
        var first = await Catalog.CreateAsync(Store());
        for (var i = 0; i < 5; i++)
        {
            await PersistAsync(first, "db", "t", i + 1);
        }
        Assert.Empty(await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));

        var store = Store(interval: 3);
        var second = await Catalog.CreateAsync(store);
        Assert.Equal(Canonical(first.Current), Canonical(second.Current));
        await PersistAsync(second, "db", "t", 6);
        await store.FlushAsync();
        Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(6)], await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));
        Assert.Equal(Canonical(second.Current), Canonical(await ReloadAsync()));
    }

    [Fact]
    public async Task A_failed_checkpoint_loses_nothing_and_is_tried_again()
    {
        var flaky = new FlakyObjectStore(_store) { FailingPrefix = ObjectStoreCatalogStore.CheckpointPrefix };
        var store = new ObjectStoreCatalogStore(flaky, new CatalogLogOptions { CheckpointInterval = 2, RecordRetention = TimeSpan.Zero });
        var catalog = await Catalog.CreateAsync(store);
        await PersistAsync(catalog, "db", "t", 1);
        await PersistAsync(catalog, "db", "t", 2);
        await Assert.ThrowsAsync<IOException>(store.FlushAsync);
        Assert.NotNull(store.LastCheckpointError);
        Assert.Empty(await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));
        Assert.Equal(Canonical(catalog.Current), Canonical(await ReloadAsync()));

        flaky.FailingPrefix = null;
        await PersistAsync(catalog, "db", "t", 3);
        await store.FlushAsync();
        Assert.Null(store.LastCheckpointError);
        Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(3)], await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));
    }

    [Fact]
    public async Task A_failed_record_write_publishes_nothing_and_the_next_update_takes_its_version()
    {
        var flaky = new FlakyObjectStore(_store);
        var catalog = await Catalog.CreateAsync(new ObjectStoreCatalogStore(flaky, new CatalogLogOptions { RecordRetention = TimeSpan.Zero }));
        await PersistAsync(catalog, "db", "t", 1);
        flaky.FailingPrefix = ObjectStoreCatalogStore.LogPrefix;
        await Assert.ThrowsAsync<ObjectStoreException>(() => PersistAsync(catalog, "db", "t", 2));
        Assert.Equal(1, catalog.Current.Version); // not visible: it is not durable
        flaky.FailingPrefix = null;
        await PersistAsync(catalog, "db", "t", 3);
        Assert.Equal(2, catalog.Current.Version);
        Assert.Equal(3, (await ReloadAsync()).PersistedSequence);
    }

    [Fact]
    public async Task An_unreadable_newest_checkpoint_gives_way_to_the_one_before()
    {
        var store = Store(interval: 3, keep: 2);
        var catalog = await Catalog.CreateAsync(store);
        for (var i = 0; i < 7; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 1);
            await store.FlushAsync();
        }
        await _store.DeleteAsync(ObjectStoreCatalogStore.CheckpointKey(6));
        await _store.PutAsync(ObjectStoreCatalogStore.CheckpointKey(6), "{ torn"u8.ToArray());
        Assert.Equal(Canonical(catalog.Current), Canonical(await ReloadAsync()));
    }

    [Fact]
    public async Task A_gap_in_the_log_refuses_to_load_rather_than_fork()
    {
        var catalog = await Catalog.CreateAsync(Store());
        for (var i = 0; i < 4; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 1);
        }
        await _store.DeleteAsync(ObjectStoreCatalogStore.LogKey(3));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store().LoadAsync());
        Assert.Contains("record 3 is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_persist_record_holds_only_its_files_and_a_schema_change_only_its_table()
    {
        var store = Store();
        var catalog = await Catalog.CreateAsync(store);
        await catalog.UpdateAsync(e =>
        {
            for (var t = 0; t < 200; t++)
            {
                AddTable(e, "db", $"table{t}");
            }
            for (var f = 0; f < 2000; f++)
            {
                e.AddFile(FileEntry(e.NextFileId(), "db", $"table{f % 200}"));
            }
            e.AddToken(new TokenDefinition("admin", new string('a', 64), true, Now));
            return true;
        });
        await store.WriteCheckpointAsync(catalog.Current);
        var checkpointSize = (await _store.GetAsync(ObjectStoreCatalogStore.CheckpointKey(1))).Length;

        await PersistAsync(catalog, "db", "table7", 77);
        var persist = await _store.GetAsync(ObjectStoreCatalogStore.LogKey(2));
        using (var json = JsonDocument.Parse(persist))
        {
            var root = json.RootElement;
            Assert.Equal(["FormatVersion", "Version", "PersistedSequence", "NextFileId", "FilesAdded"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, root.GetProperty("FilesAdded").GetArrayLength());
            Assert.Equal("table7", root.GetProperty("FilesAdded")[0].GetProperty("Table").GetString());
        }
        Assert.True(persist.Length < 1024, $"a persist record is {persist.Length} bytes");
        Assert.True(checkpointSize > 300 * persist.Length, $"checkpoint {checkpointSize} bytes, record {persist.Length}");

        await catalog.UpdateAsync(e => e.EnsureColumn("db", "table9", "extra", ColumnKind.Integer));
        var schema = await _store.GetAsync(ObjectStoreCatalogStore.LogKey(3));
        using (var json = JsonDocument.Parse(schema))
        {
            var root = json.RootElement;
            Assert.False(root.TryGetProperty("FilesAdded", out _));
            var databases = root.GetProperty("Schema").GetProperty("Databases");
            Assert.Equal(1, databases.GetArrayLength());
            Assert.Equal("table9", databases[0].GetProperty("Tables").EnumerateArray().Single().GetProperty("Name").GetString());
            Assert.False(root.GetProperty("Schema").TryGetProperty("Tokens", out _));
        }
        Assert.True(schema.Length < 1024, $"a schema-change record is {schema.Length} bytes: {Encoding.UTF8.GetString(schema)}");

        await catalog.UpdateAsync(e => { e.RemoveFiles([5, 6], Now); return true; });
        var removal = Encoding.UTF8.GetString(await _store.GetAsync(ObjectStoreCatalogStore.LogKey(4)));
        Assert.Contains("\"FilesRemoved\":[5,6]", removal, StringComparison.Ordinal);
        Assert.DoesNotContain("Schema", removal, StringComparison.Ordinal);
        Assert.Equal(Canonical(catalog.Current), Canonical(await ReloadAsync()));
    }

    /// <summary>Old-format whole catalogs at these versions; returns the newest.</summary>
    private async Task<CatalogSnapshot> WriteLegacyAsync(params long[] versions)
    {
        CatalogSnapshot? newest = null;
        foreach (var version in versions)
        {
            newest = Legacy(version);
            Assert.True(await _store.PutIfAbsentAsync(ObjectStoreCatalogStore.LegacyKey(version), CatalogSerializer.Serialize(newest)));
        }
        return newest!;
    }

    private static CatalogSnapshot Legacy(long version) => new(
        version,
        [new DatabaseDefinition("db", [TableDefinition.Create("t").WithColumn(new ColumnDefinition("host", ColumnKind.Tag))], TimeSpan.FromDays(30))],
        [new TokenDefinition("_admin", new string((char)('0' + version), 64), true, Now)],
        [FileEntry(1), FileEntry(2)],
        persistedSequence: version * 10,
        nextFileId: 3,
        [new PendingDelete("dbs/db/t/1/0.parquet", Now)]);
}
