using System.Text.Json;
using System.Text.Json.Serialization;
using Tsdb.Core.Deletes;
using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>
/// The catalog as JSON, the checkpoint format before <see cref="CatalogCheckpoint"/>'s binary one: still read (through
/// <see cref="CatalogCheckpoint.Deserialize"/>) so that data directories of older servers start, and its parts
/// (<see cref="TableFile"/>, <see cref="TokenFile"/>, the options) are the vocabulary of the JSON log records. The
/// server writes no JSON checkpoint any more; <see cref="Serialize"/> stays for tests and tools that need an old
/// data directory or a canonical text of a catalog.
/// <para>One self-contained document per version. Format 1 knew only admin and non-admin tokens;
/// format 2 adds per-database permissions and expiry. A catalog is written as format 1 while no token needs more, so
/// that a rollback still reads it; once one does, format 2 stops an older server (which would read a scoped token as
/// one with full data access) from loading it at all. A format 1 non-admin token reads as
/// <see cref="TokenDefinition.LegacyPermissions"/>. Format 3 adds row-delete tombstones, written only while there are
/// any, so an older server (which would show deleted rows again) refuses the catalog instead. Format 4 adds the
/// persisted sequence of each ingest node of a cluster (written only when there are cluster nodes).</para>
/// </summary>
public static class CatalogSerializer
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter<DeleteOperator>() },
    };

    public static byte[] Serialize(CatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var file = new CatalogFile
        {
            // Format 3 when rows are deleted: an older server would ignore the tombstones and show the rows again.
            // Format 4 for a cluster's catalog: an older server would not know each ingest node's persisted sequence.
            FormatVersion = snapshot.NodeSequences.Count > 0 ? 4 : snapshot.Tombstones.Count > 0 ? 3 : snapshot.Tokens.All(IsFormat1) ? 1 : 2,
            Version = snapshot.Version,
            PersistedSequence = snapshot.PersistedSequence,
            NextFileId = snapshot.NextFileId,
            Databases = [.. snapshot.Databases.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => ToFile(d, d.Tables))],
            Tokens = [.. snapshot.Tokens.Select(ToFile)],
            Files = [.. snapshot.Files],
            PendingDeletes = [.. snapshot.PendingDeletes],
            Tombstones = snapshot.Tombstones.Count == 0 ? null : [.. snapshot.Tombstones],
            NextTombstoneId = snapshot.NextTombstoneId == 1 ? null : snapshot.NextTombstoneId,
            NodeSequences = snapshot.NodeSequences.Count == 0 ? null : new Dictionary<string, long>(snapshot.NodeSequences, StringComparer.Ordinal),
        };
        return JsonSerializer.SerializeToUtf8Bytes(file, Json);
    }

    public static CatalogSnapshot Deserialize(ReadOnlySpan<byte> bytes, string source)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogFile>(bytes, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the catalog {source} is not valid: {e.Message}", e);
        }
        if (file is null || file.FormatVersion is not (1 or 2 or 3 or 4))
        {
            throw new InvalidDataException($"the catalog {source} has an unknown format version");
        }
        var databases = file.Databases.Select(d => new DatabaseDefinition(d.Name, d.Tables.Select(FromFile), RetentionOf(d.RetentionSeconds))
        {
            Metadata = d.Metadata is { } metadata ? new Dictionary<string, MetricMetadataEntry>(metadata, StringComparer.Ordinal) : DatabaseDefinition.NoMetadata,
        });
        var tokens = file.Tokens.Select(t => FromFile(t, file.FormatVersion, source));
        return new CatalogSnapshot(file.Version, databases, tokens, file.Files, file.PersistedSequence, Math.Max(1, file.NextFileId), file.PendingDeletes)
        {
            Tombstones = file.Tombstones ?? [],
            NextTombstoneId = Math.Max(1, file.NextTombstoneId ?? 1),
            NodeSequences = file.NodeSequences is { } nodes ? new Dictionary<string, long>(nodes, StringComparer.Ordinal) : new Dictionary<string, long>(StringComparer.Ordinal),
        };
    }

    internal static DatabaseFile ToFile(DatabaseDefinition database, IEnumerable<TableDefinition> tables) => new()
    {
        Name = database.Name,
        RetentionSeconds = database.RetentionPeriod is { } r ? (long)r.TotalSeconds : null,
        Tables = [.. tables.OrderBy(t => t.Name, StringComparer.Ordinal).Select(ToFile)],
        Metadata = database.Metadata.Count > 0 ? new SortedDictionary<string, MetricMetadataEntry>(database.Metadata.ToDictionary(), StringComparer.Ordinal) : null,
    };

    internal static TableFile ToFile(TableDefinition table) => new()
    {
        Name = table.Name,
        RetentionSeconds = table.RetentionPeriod is { } r ? (long)r.TotalSeconds : null,
        Columns = [.. table.Columns.Select(c => new ColumnFile { Name = c.Name, Kind = c.Kind })],
    };

    internal static TokenFile ToFile(TokenDefinition token) => new()
    {
        Name = token.Name,
        Sha256 = token.Sha256Hex,
        Admin = token.IsAdmin,
        CreatedAt = token.CreatedAt,
        ExpiresAt = token.ExpiresAt,
        Permissions = token.IsAdmin ? null : [.. token.Permissions.Select(p => new PermissionFile { Database = p.Database, Actions = [.. TokenPermission.ActionNames(p.Actions)] })],
    };

    internal static TableDefinition FromFile(TableFile table) => new(table.Name, [.. table.Columns.Select(c => new ColumnDefinition(c.Name, c.Kind))], RetentionOf(table.RetentionSeconds));

    /// <summary>A token as read; <paramref name="formatVersion"/> 1 gives a non-admin token the legacy permissions.</summary>
    internal static TokenDefinition FromFile(TokenFile t, int formatVersion, string source) => new(t.Name, t.Sha256, t.Admin, t.CreatedAt)
    {
        Permissions = t.Admin ? [] : t.Permissions is null || formatVersion == 1 ? TokenDefinition.LegacyPermissions : [.. t.Permissions.Select(p => ReadPermission(p, source))],
        ExpiresAt = t.ExpiresAt,
    };

    internal static TimeSpan? RetentionOf(long? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    internal static JsonSerializerOptions Options => Json;

    /// <summary>True when a format 1 reader would read the token as it is: admin, or legacy read and write everywhere, no expiry.</summary>
    private static bool IsFormat1(TokenDefinition token) =>
        token.ExpiresAt is null && (token.IsAdmin || token.Permissions.SequenceEqual(TokenDefinition.LegacyPermissions));

    private static TokenPermission ReadPermission(PermissionFile p, string source) =>
        TokenPermission.TryParseActions(p.Actions, out var actions, out var error)
            ? new TokenPermission(p.Database, actions)
            : throw new InvalidDataException($"the catalog {source} has a token permission on '{p.Database}' that is not valid: {error}");

    private sealed class CatalogFile
    {
        public int FormatVersion { get; set; }

        public long Version { get; set; }

        public long PersistedSequence { get; set; }

        public long NextFileId { get; set; }

        public List<DatabaseFile> Databases { get; set; } = [];

        public List<TokenFile> Tokens { get; set; } = [];

        public List<ParquetFileEntry> Files { get; set; } = [];

        public List<PendingDelete> PendingDeletes { get; set; } = [];

        public List<Tombstone>? Tombstones { get; set; }

        public long? NextTombstoneId { get; set; }

        public Dictionary<string, long>? NodeSequences { get; set; }
    }

    internal sealed class DatabaseFile
    {
        public string Name { get; set; } = "";

        public long? RetentionSeconds { get; set; }

        public List<TableFile> Tables { get; set; } = [];

        /// <summary>Metric metadata by family (left out when none; older servers ignore it and lose only this).</summary>
        public SortedDictionary<string, MetricMetadataEntry>? Metadata { get; set; }
    }

    internal sealed class TableFile
    {
        public string Name { get; set; } = "";

        public long? RetentionSeconds { get; set; }

        public List<ColumnFile> Columns { get; set; } = [];
    }

    internal sealed class ColumnFile
    {
        public string Name { get; set; } = "";

        [JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))]
        public ColumnKind Kind { get; set; }
    }

    internal sealed class TokenFile
    {
        public string Name { get; set; } = "";

        public string Sha256 { get; set; } = "";

        public bool Admin { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }

        public List<PermissionFile>? Permissions { get; set; }
    }

    internal sealed class PermissionFile
    {
        public string Database { get; set; } = "";

        public List<string> Actions { get; set; } = [];
    }
}
