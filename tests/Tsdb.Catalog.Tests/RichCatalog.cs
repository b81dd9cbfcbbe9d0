using Tsdb.Core.Deletes;
using Tsdb.Core.Schema;

namespace Tsdb.Catalog.Tests;

/// <summary>
/// A catalog with something in every field a checkpoint keeps: retention on databases and tables, every column kind,
/// metric metadata, every kind of token, files with null and non-null tag ranges, a cluster node and applied
/// tombstones, pending deletes, tombstones with every kind of literal and open time ranges, and node sequences.
/// Fixtures/checkpoint-json-format4.json is this catalog as the JSON serializer wrote it before binary checkpoints.
/// </summary>
internal static class RichCatalog
{
    public static readonly DateTimeOffset Created = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    public static CatalogSnapshot Build()
    {
        var cpu = new TableDefinition("cpu", [
            new ColumnDefinition("time", ColumnKind.Time),
            new ColumnDefinition("host", ColumnKind.Tag),
            new ColumnDefinition("region", ColumnKind.Tag),
            new ColumnDefinition("usage", ColumnKind.Float),
            new ColumnDefinition("count", ColumnKind.Integer),
            new ColumnDefinition("bytes", ColumnKind.UInteger),
            new ColumnDefinition("message", ColumnKind.String),
            new ColumnDefinition("up", ColumnKind.Boolean),
        ], TimeSpan.FromHours(6));
        var mem = new TableDefinition("mem", [new ColumnDefinition("time", ColumnKind.Time), new ColumnDefinition("free", ColumnKind.Integer)]);
        var db = new DatabaseDefinition("db", [cpu, mem], TimeSpan.FromDays(30))
        {
            Metadata = new Dictionary<string, MetricMetadataEntry>(StringComparer.Ordinal)
            {
                ["http_requests_total"] = new("counter", "Requests served, by \"code\".", ""),
                ["temperature"] = new("gauge", "Température", "celsius"),
            },
        };
        var other = new DatabaseDefinition("other", [TableDefinition.Create("empty")]);
        var tokens = new[]
        {
            new TokenDefinition("_admin", new string('a', 64), true, Created),
            new TokenDefinition("scoped", new string('b', 64), false, Created.AddMinutes(1))
            {
                Permissions = [new TokenPermission("db", DatabaseActions.Read | DatabaseActions.Delete), new TokenPermission("other", DatabaseActions.Write)],
                ExpiresAt = Created.AddDays(30),
            },
            new TokenDefinition("legacy", new string('c', 64), false, Created.AddMinutes(2)) { Permissions = TokenDefinition.LegacyPermissions },
        };
        var files = new[]
        {
            new ParquetFileEntry(1, "db", "cpu", 20_428, "dbs/db/cpu/20428/1.parquet", 1_765_000_000_000_000_000, 1_765_000_003_600_000_000, 1_000, 65_536, 40, 0, Created)
            {
                TagRanges = new Dictionary<string, TagRange> { ["host"] = new("host-a", "host-z"), ["region"] = new(null, null) },
            },
            new ParquetFileEntry(2, "db", "cpu", -1, "dbs/db/cpu/-1/2.parquet", -86_400_000_000_000, -1, 7, 4_096, 41, 1, new DateTimeOffset(2026, 12, 6, 13, 30, 0, TimeSpan.FromHours(2)))
            {
                TagRanges = new Dictionary<string, TagRange> { ["host"] = new("host-a", "host-a"), ["region"] = new("eu", null) },
                TombstonesThrough = 1,
            },
            new ParquetFileEntry(3, "db", "mem", 20_428, "dbs/db/mem/20428/3.parquet", 1_765_000_000_000_000_000, 1_765_000_000_000_000_000, 1, 512, 12, 2, Created)
            {
                Node = "ingest-1",
            },
        };
        var pending = new[] { new PendingDelete("dbs/db/cpu/20428/0.parquet", Created.AddMinutes(5)) };
        var tombstones = new[]
        {
            new Tombstone(2, "db", "cpu", 41, new DeletePredicate(1_765_000_000_000_000_000, null, [
                DeleteTerm.Of("host", DeleteOperator.Equal, "host-'a'"),
                DeleteTerm.Of("usage", DeleteOperator.Greater, 2.5),
                DeleteTerm.Of("count", DeleteOperator.LessOrEqual, long.MinValue),
                DeleteTerm.Of("up", DeleteOperator.NotEqual, true),
                DeleteTerm.Of("message", DeleteOperator.GreaterOrEqual, ""),
                DeleteTerm.Of("usage", DeleteOperator.Less, 0.1),
            ]), Created.AddMinutes(3)),
            new Tombstone(3, "db", "mem", 42, new DeletePredicate(null, 5, []), Created.AddMinutes(4)),
        };
        return new CatalogSnapshot(17, [db, other], tokens, files, 42, 4, pending)
        {
            Tombstones = tombstones,
            NextTombstoneId = 4,
            NodeSequences = new Dictionary<string, long>(StringComparer.Ordinal) { ["ingest-1"] = 12, ["ingest-2"] = 0 },
        };
    }
}
