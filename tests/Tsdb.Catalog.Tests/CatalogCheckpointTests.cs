using System.Buffers.Binary;
using Tsdb.Core.Deletes;
using Tsdb.Core.Hashing;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;
using static Tsdb.Catalog.Tests.CatalogFixtures;

namespace Tsdb.Catalog.Tests;

/// <summary>
/// The binary checkpoint format: every field round-trips, checkpoints older servers wrote (JSON) still load, and
/// damaged bytes end in <see cref="InvalidDataException"/> with a message that says what is wrong, and at the store
/// in a fall-back to an older checkpoint or the log, never in an empty catalog.
/// </summary>
public sealed class CatalogCheckpointTests
{
    private static readonly string JsonFixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoint-json-format4.json");

    private readonly InMemoryObjectStore _store = new();

    private ObjectStoreCatalogStore Store(int interval = 1000, int keep = 2) =>
        new(_store, new CatalogLogOptions { CheckpointInterval = interval, KeepCheckpoints = keep, RecordRetention = TimeSpan.Zero });

    [Fact]
    public void Every_field_round_trips_and_writing_again_gives_the_same_bytes()
    {
        var snapshot = RichCatalog.Build();
        var bytes = CatalogCheckpoint.Serialize(snapshot);
        Assert.True(bytes.AsSpan().StartsWith("TSDBCKPT"u8));
        var back = CatalogCheckpoint.Deserialize(bytes, "test");

        Assert.Equal(Canonical(snapshot), Canonical(back));
        Assert.Equal(bytes, CatalogCheckpoint.Serialize(back));
        AssertRich(back);
    }

    [Fact]
    public void What_json_cannot_hold_round_trips_too()
    {
        // Sub-second retention (JSON keeps whole seconds), infinities in a delete literal (JSON refuses them), an empty catalog.
        var table = new TableDefinition("t", [new ColumnDefinition("time", ColumnKind.Time)], TimeSpan.FromMilliseconds(1500));
        var tombstone = new Tombstone(1, "db", "t", 5, new DeletePredicate(long.MinValue, long.MaxValue, [DeleteTerm.Of("v", DeleteOperator.Less, double.NegativeInfinity), DeleteTerm.Of("w", DeleteOperator.Equal, double.NaN)]), DateTimeOffset.MinValue);
        var file = FileEntry(9) with { MinTime = long.MinValue, MaxTime = long.MaxValue, Id = long.MaxValue, CreatedAt = DateTimeOffset.MaxValue };
        var snapshot = new CatalogSnapshot(long.MaxValue, [new DatabaseDefinition("db", [table], TimeSpan.MaxValue)], [], [file], long.MinValue, 1, []) { Tombstones = [tombstone], NextTombstoneId = 2 };

        var back = CatalogCheckpoint.Deserialize(CatalogCheckpoint.Serialize(snapshot), "test");
        Assert.Equal(TimeSpan.FromMilliseconds(1500), back.FindDatabase("db")!.FindTable("t")!.RetentionPeriod);
        Assert.Equal(TimeSpan.MaxValue, back.FindDatabase("db")!.RetentionPeriod);
        var terms = back.Tombstones.Single().Predicate.Terms;
        Assert.Equal(double.NegativeInfinity, terms[0].Number);
        Assert.True(double.IsNaN(terms[1].Number!.Value));
        Assert.Equal((long.MinValue, long.MaxValue), (back.Tombstones[0].Predicate.FromTime!.Value, back.Tombstones[0].Predicate.ToTime!.Value));
        Assert.Equal(DateTimeOffset.MinValue, back.Tombstones[0].CreatedAt);
        var entry = back.Files.Single();
        Assert.Equal((long.MaxValue, long.MinValue, long.MaxValue, DateTimeOffset.MaxValue), (entry.Id, entry.MinTime, entry.MaxTime, entry.CreatedAt));
        Assert.Equal((long.MaxValue, long.MinValue), (back.Version, back.PersistedSequence));

        var empty = CatalogCheckpoint.Deserialize(CatalogCheckpoint.Serialize(CatalogSnapshot.Empty), "test");
        Assert.Equal(Canonical(CatalogSnapshot.Empty), Canonical(empty));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Tag_ranges_read_back_as_a_dictionary_of_every_size(int tags)
    {
        var ranges = Enumerable.Range(0, tags).ToDictionary(i => $"tag{i}", i => new TagRange(i % 3 == 0 ? null : $"a{i % 4}", $"z{i % 4}"));
        var snapshot = new CatalogSnapshot(1, [], [], [FileEntry(1) with { TagRanges = ranges }], 0, 2, []);
        var back = CatalogCheckpoint.Deserialize(CatalogCheckpoint.Serialize(snapshot), "test").Files.Single().TagRanges;
        Assert.Equal(tags, back.Count);
        Assert.Equal(ranges.Keys, back.Keys);
        Assert.Equal(ranges.Values, back.Values);
        Assert.Equal(ranges, back.ToDictionary());
        foreach (var (tag, range) in ranges)
        {
            Assert.True(back.TryGetValue(tag, out var read));
            Assert.Equal(range, read);
            Assert.Equal(range, back[tag]);
            Assert.True(back.ContainsKey(tag));
        }
        Assert.False(back.TryGetValue("TAG0", out _));
        Assert.False(back.ContainsKey("missing"));
        Assert.Throws<KeyNotFoundException>(() => back["missing"]);
    }

    [Fact]
    public void Repeated_names_and_tag_values_are_stored_once()
    {
        var files = Enumerable.Range(1, 1000).Select(i => FileEntry(i, "db", "t") with
        {
            Node = "ingest-node-1",
            TagRanges = new Dictionary<string, TagRange> { ["hostname"] = new("host-0001", "host-0999"), ["region"] = new("eu-west-1", "us-east-2") },
        });
        var snapshot = new CatalogSnapshot(1, [], [], files, 0, 1001, []);
        var binary = CatalogCheckpoint.Serialize(snapshot);
        foreach (var repeated in new[] { "ingest-node-1", "hostname", "host-0999", "eu-west-1", "us-east-2" })
        {
            Assert.Equal(1, Occurrences(binary, System.Text.Encoding.UTF8.GetBytes(repeated)));
        }
        var json = CatalogSerializer.Serialize(snapshot).Length;
        Assert.True(binary.Length * 4 < json, $"binary {binary.Length} bytes, JSON {json}");
    }

    private static int Occurrences(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        for (var at = haystack.IndexOf(needle); at >= 0; at = haystack.IndexOf(needle))
        {
            count++;
            haystack = haystack[(at + needle.Length)..];
        }
        return count;
    }

    [Fact]
    public void A_checkpoint_written_by_an_older_server_as_json_reads()
    {
        var snapshot = CatalogCheckpoint.Deserialize(File.ReadAllBytes(JsonFixture), "fixture");
        AssertRich(snapshot);
        Assert.Equal(Canonical(RichCatalog.Build()), Canonical(snapshot));
    }

    [Fact]
    public async Task A_data_directory_with_an_old_json_checkpoint_starts_continues_and_checkpoints_in_binary()
    {
        var root = Directory.CreateTempSubdirectory("tsdb-catalog-checkpoint-").FullName;
        try
        {
            // As a server before binary checkpoints left it: a JSON checkpoint at 17 and two records after it.
            var old = new LocalFileObjectStore(root);
            await old.PutIfAbsentAsync(ObjectStoreCatalogStore.JsonCheckpointKey(17), await File.ReadAllBytesAsync(JsonFixture));
            var writer = await Catalog.CreateAsync(new ObjectStoreCatalogStore(old));
            Assert.Equal(17, writer.Current.Version);
            await PersistAsync(writer, "db", "cpu", 43);
            await writer.UpdateAsync(e => e.EnsureColumn("db", "mem", "used", ColumnKind.Integer));

            var store = new ObjectStoreCatalogStore(new LocalFileObjectStore(root), new CatalogLogOptions { CheckpointInterval = 2, KeepCheckpoints = 1, RecordRetention = TimeSpan.Zero });
            var catalog = await Catalog.CreateAsync(store);
            Assert.Equal(19, catalog.Current.Version);
            AssertRich(catalog.Current, files: 4);
            Assert.Equal(ColumnKind.Integer, catalog.Current.FindDatabase("db")!.FindTable("mem")!.FindColumn("used")!.Kind);

            // The next checkpoint is binary; once it is the one kept, the JSON one goes.
            await PersistAsync(catalog, "db", "cpu", 44);
            await store.FlushAsync();
            Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(20)], await KeysAsync(new LocalFileObjectStore(root), ObjectStoreCatalogStore.CheckpointPrefix));
            Assert.True(File.Exists(Path.Combine(root, "catalog", "checkpoints", "00000000000000000020.bin")));
            var reloaded = (await new ObjectStoreCatalogStore(new LocalFileObjectStore(root)).LoadAsync())!;
            Assert.Equal(Canonical(catalog.Current), Canonical(reloaded));
            Assert.Equal(44, reloaded.PersistedSequence);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task At_one_version_the_binary_checkpoint_is_read_before_json_and_a_torn_one_gives_way_to_json()
    {
        var rich = RichCatalog.Build();
        await _store.PutAsync(ObjectStoreCatalogStore.JsonCheckpointKey(17), await File.ReadAllBytesAsync(JsonFixture));
        // The binary one at the same version holds one more database, which shows which one was read.
        var marked = new CatalogSnapshot(17, [.. rich.Databases, new DatabaseDefinition("binary-only", [])], rich.Tokens, rich.Files, rich.PersistedSequence, rich.NextFileId, rich.PendingDeletes)
        {
            Tombstones = rich.Tombstones,
            NextTombstoneId = rich.NextTombstoneId,
            NodeSequences = rich.NodeSequences,
        };
        var binary = CatalogCheckpoint.Serialize(marked);
        await _store.PutAsync(ObjectStoreCatalogStore.CheckpointKey(17), binary);
        Assert.Equal(Canonical(marked), Canonical((await Store().LoadAsync())!));

        await _store.PutAsync(ObjectStoreCatalogStore.CheckpointKey(17), binary.AsMemory(0, binary.Length / 2));
        Assert.Equal(Canonical(rich), Canonical((await Store().LoadAsync())!));
    }

    [Fact]
    public void Every_truncation_is_an_error_that_says_so()
    {
        var bytes = CatalogCheckpoint.Serialize(RichCatalog.Build());
        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<InvalidDataException>(() => CatalogCheckpoint.Deserialize(bytes.AsSpan(0, length), "cut"));
            Assert.Contains("the catalog checkpoint cut ", error.Message, StringComparison.Ordinal);
            if (length >= 24)
            {
                Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
            }
        }
        var longer = Assert.Throws<InvalidDataException>(() => CatalogCheckpoint.Deserialize([.. bytes, 0], "long"));
        Assert.Contains("has bytes after its end", longer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_flipped_bit_is_caught_by_the_checksum_or_the_header()
    {
        var bytes = CatalogCheckpoint.Serialize(RichCatalog.Build());
        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= (byte)(1 << (i % 8));
            var error = Assert.Throws<InvalidDataException>(() => CatalogCheckpoint.Deserialize(damaged, "flipped"));
            Assert.Matches("checksum|format version|neither a binary checkpoint|truncated", error.Message);
        }
    }

    [Theory]
    [InlineData("", "neither a binary checkpoint")]
    [InlineData("PAR1", "neither a binary checkpoint")]
    [InlineData("{ torn", "is not valid")]
    [InlineData("TSDBCKPT", "truncated")]
    public void Bytes_that_are_no_checkpoint_are_refused_with_a_reason(string text, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => CatalogCheckpoint.Deserialize(System.Text.Encoding.UTF8.GetBytes(text), "x"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newer_format_version_is_refused_by_name()
    {
        var bytes = CatalogCheckpoint.Serialize(RichCatalog.Build());
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        var error = Assert.Throws<InvalidDataException>(() => CatalogCheckpoint.Deserialize(bytes, "next"));
        Assert.Contains("has format version 2; this server reads version 1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Corruption the checksum does not see (bytes changed and the checksum fixed up, as a buggy writer would leave
    /// them): the decoder itself must answer with <see cref="InvalidDataException"/> or a catalog, nothing else.
    /// </summary>
    [Fact]
    public void Mutated_bodies_with_a_valid_checksum_give_only_invalid_data_or_a_catalog()
    {
        var original = CatalogCheckpoint.Serialize(RichCatalog.Build());
        var random = new Random(1717);
        var refused = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var bytes = (byte[])original.Clone();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var at = random.Next(24, bytes.Length - 4);
                bytes[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                    _ => (byte)(random.Next(2) == 0 ? 0 : 0xFF),
                };
            }
            FixChecksum(bytes);
            try
            {
                var snapshot = CatalogCheckpoint.Deserialize(bytes, "mutated");
                _ = CatalogCheckpoint.Serialize(snapshot);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("the catalog checkpoint mutated is not valid", e.Message, StringComparison.Ordinal);
                refused++;
            }
        }
        Assert.True(refused > 1_000, $"only {refused} of 20,000 mutations were refused");
    }

    [Fact]
    public async Task A_truncated_newest_checkpoint_falls_back_to_the_one_before_and_its_records()
    {
        var store = Store(interval: 3, keep: 2);
        var catalog = await Catalog.CreateAsync(store);
        for (var i = 0; i < 7; i++)
        {
            await PersistAsync(catalog, "db", "t", i + 1);
            await store.FlushAsync();
        }
        Assert.Equal([ObjectStoreCatalogStore.CheckpointKey(3), ObjectStoreCatalogStore.CheckpointKey(6)], await KeysAsync(_store, ObjectStoreCatalogStore.CheckpointPrefix));
        var newest = await _store.GetAsync(ObjectStoreCatalogStore.CheckpointKey(6));
        await _store.PutAsync(ObjectStoreCatalogStore.CheckpointKey(6), newest.AsMemory(0, newest.Length - 10));
        var reloading = Store();
        Assert.Equal(Canonical(catalog.Current), Canonical((await reloading.LoadAsync())!));
        var problem = Assert.Single(reloading.UnreadableCheckpoints);
        Assert.StartsWith($"the catalog checkpoint {ObjectStoreCatalogStore.CheckpointKey(6)} is ", problem, StringComparison.Ordinal);
        Assert.Contains("truncated", problem, StringComparison.Ordinal);
        Assert.Empty(store.UnreadableCheckpoints); // its own load found nothing to read
    }

    [Fact]
    public async Task A_lone_damaged_checkpoint_without_the_log_refuses_to_load_rather_than_start_empty()
    {
        var bytes = CatalogCheckpoint.Serialize(RichCatalog.Build());
        bytes[100] ^= 1;
        await _store.PutAsync(ObjectStoreCatalogStore.CheckpointKey(17), bytes);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store().LoadAsync());
        Assert.Contains("no readable checkpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the newest: the catalog checkpoint {ObjectStoreCatalogStore.CheckpointKey(17)} has a wrong checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_store_writes_binary_checkpoints_and_reads_them_back()
    {
        var store = Store();
        var catalog = await Catalog.CreateAsync(store);
        await PersistAsync(catalog, "db", "t", 1);
        await store.WriteCheckpointAsync(catalog.Current);
        var bytes = await _store.GetAsync(ObjectStoreCatalogStore.CheckpointKey(1));
        Assert.True(bytes.AsSpan().StartsWith(CatalogCheckpoint.Magic));
        Assert.EndsWith(".bin", ObjectStoreCatalogStore.CheckpointKey(1), StringComparison.Ordinal);
        await _store.DeleteAsync(ObjectStoreCatalogStore.LogKey(1));
        Assert.Equal(Canonical(catalog.Current), Canonical((await Store().LoadAsync())!));
    }

    private static void FixChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));

    /// <summary>Every field of <see cref="RichCatalog"/>, one by one.</summary>
    private static void AssertRich(CatalogSnapshot s, int files = 3)
    {
        Assert.True(s.Version >= 17);
        Assert.Equal(4, s.NextTombstoneId);
        Assert.Equal(new Dictionary<string, long> { ["ingest-1"] = 12, ["ingest-2"] = 0 }, s.NodeSequences);

        var db = s.FindDatabase("db")!;
        Assert.Equal(TimeSpan.FromDays(30), db.RetentionPeriod);
        var cpu = db.FindTable("cpu")!;
        Assert.Equal(TimeSpan.FromHours(6), cpu.RetentionPeriod);
        Assert.Equal(["time", "host", "region", "usage", "count", "bytes", "message", "up"], cpu.Columns.Select(c => c.Name));
        Assert.Equal(Enum.GetValues<ColumnKind>().Order(), cpu.Columns.Select(c => c.Kind).Distinct().Order());
        Assert.Equal(2, cpu.TagCount);
        Assert.Null(db.FindTable("mem")!.RetentionPeriod);
        Assert.Equal(new MetricMetadataEntry("gauge", "Température", "celsius"), db.Metadata["temperature"]);
        Assert.Equal(new MetricMetadataEntry("counter", "Requests served, by \"code\".", ""), db.Metadata["http_requests_total"]);
        Assert.Equal(["empty"], s.FindDatabase("other")!.Tables.Select(t => t.Name));
        Assert.Empty(s.FindDatabase("other")!.Metadata);
        Assert.Null(s.FindDatabase("other")!.RetentionPeriod);

        Assert.Equal(["_admin", "scoped", "legacy"], s.Tokens.Select(t => t.Name));
        Assert.True(s.Tokens[0].IsAdmin);
        Assert.Empty(s.Tokens[0].Permissions);
        Assert.Equal(RichCatalog.Created, s.Tokens[0].CreatedAt);
        Assert.Null(s.Tokens[0].ExpiresAt);
        Assert.False(s.Tokens[1].IsAdmin);
        Assert.Equal([new TokenPermission("db", DatabaseActions.Read | DatabaseActions.Delete), new TokenPermission("other", DatabaseActions.Write)], s.Tokens[1].Permissions);
        Assert.Equal(RichCatalog.Created.AddDays(30), s.Tokens[1].ExpiresAt);
        Assert.Equal(TokenDefinition.LegacyPermissions, s.Tokens[2].Permissions);
        Assert.Same(s.Tokens[1], s.FindTokenByHash(new string('b', 64)));

        Assert.Equal(files, s.Files.Count);
        var f1 = s.Files[0];
        Assert.Equal((1L, "db", "cpu", 20_428, "dbs/db/cpu/20428/1.parquet"), (f1.Id, f1.Database, f1.Table, f1.Day, f1.Path));
        Assert.Equal((1_765_000_000_000_000_000L, 1_765_000_003_600_000_000L, 1_000L, 65_536L, 40L, 0), (f1.MinTime, f1.MaxTime, f1.RowCount, f1.SizeBytes, f1.MaxSequence, f1.Level));
        Assert.Equal(new TagRange("host-a", "host-z"), f1.TagRanges["host"]);
        Assert.Equal(new TagRange(null, null), f1.TagRanges["region"]);
        Assert.Equal((0L, (string?)null), (f1.TombstonesThrough, f1.Node));
        var f2 = s.Files[1];
        Assert.Equal((-1, -86_400_000_000_000L, -1L, 1, 1L), (f2.Day, f2.MinTime, f2.MaxTime, f2.Level, f2.TombstonesThrough));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 13, 30, 0, TimeSpan.FromHours(2)), f2.CreatedAt);
        Assert.Equal(TimeSpan.FromHours(2), f2.CreatedAt.Offset);
        Assert.Equal(new TagRange("eu", null), f2.TagRanges["region"]);
        var f3 = s.Files[2];
        Assert.Equal(("ingest-1", 2, 12L), (f3.Node, f3.Level, f3.MaxSequence));
        Assert.Empty(f3.TagRanges);

        Assert.Equal([new PendingDelete("dbs/db/cpu/20428/0.parquet", RichCatalog.Created.AddMinutes(5))], s.PendingDeletes);

        Assert.Equal([2L, 3L], s.Tombstones.Select(t => t.Id));
        var t2 = s.Tombstones[0];
        Assert.Equal(("db", "cpu", 41L, RichCatalog.Created.AddMinutes(3)), (t2.Database, t2.Table, t2.Sequence, t2.CreatedAt));
        Assert.Equal((1_765_000_000_000_000_000L, (long?)null), (t2.Predicate.FromTime!.Value, t2.Predicate.ToTime));
        Assert.Equal(
            ["host = 'host-''a'''", "usage > 2.5", "count <= -9223372036854775808", "up != true", "message >= ''", "usage < 0.1"],
            t2.Predicate.Terms.Select(t => t.ToString()));
        Assert.Equal((2.5, (long?)null), (t2.Predicate.Terms[1].Number!.Value, t2.Predicate.Terms[1].Integer));
        Assert.Equal(long.MinValue, t2.Predicate.Terms[2].Integer);
        Assert.Equal([DeleteOperator.Equal, DeleteOperator.Greater, DeleteOperator.LessOrEqual, DeleteOperator.NotEqual, DeleteOperator.GreaterOrEqual, DeleteOperator.Less], t2.Predicate.Terms.Select(t => t.Operator));
        var t3 = s.Tombstones[1];
        Assert.Equal(((long?)null, 5L, 0), (t3.Predicate.FromTime, t3.Predicate.ToTime!.Value, t3.Predicate.Terms.Count));
    }
}
