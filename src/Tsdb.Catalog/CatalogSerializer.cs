using System.Text.Json;
using System.Text.Json.Serialization;
using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>The catalog as JSON: one self-contained document per version (format version 1).</summary>
public static class CatalogSerializer
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static byte[] Serialize(CatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var file = new CatalogFile
        {
            FormatVersion = 1,
            Version = snapshot.Version,
            PersistedSequence = snapshot.PersistedSequence,
            NextFileId = snapshot.NextFileId,
            Databases = [.. snapshot.Databases.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => new DatabaseFile
            {
                Name = d.Name,
                RetentionSeconds = d.RetentionPeriod is { } r ? (long)r.TotalSeconds : null,
                Tables = [.. d.Tables.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new TableFile
                {
                    Name = t.Name,
                    Columns = [.. t.Columns.Select(c => new ColumnFile { Name = c.Name, Kind = c.Kind })],
                })],
            })],
            Tokens = [.. snapshot.Tokens.Select(t => new TokenFile { Name = t.Name, Sha256 = t.Sha256Hex, Admin = t.IsAdmin, CreatedAt = t.CreatedAt })],
            Files = [.. snapshot.Files],
            PendingDeletes = [.. snapshot.PendingDeletes],
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
        if (file is null || file.FormatVersion != 1)
        {
            throw new InvalidDataException($"the catalog {source} has an unknown format version");
        }
        var databases = file.Databases.Select(d => new DatabaseDefinition(
            d.Name,
            d.Tables.Select(t => new TableDefinition(t.Name, [.. t.Columns.Select(c => new ColumnDefinition(c.Name, c.Kind))])),
            d.RetentionSeconds is { } s ? TimeSpan.FromSeconds(s) : null));
        var tokens = file.Tokens.Select(t => new TokenDefinition(t.Name, t.Sha256, t.Admin, t.CreatedAt));
        return new CatalogSnapshot(file.Version, databases, tokens, file.Files, file.PersistedSequence, Math.Max(1, file.NextFileId), file.PendingDeletes);
    }

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
    }

    private sealed class DatabaseFile
    {
        public string Name { get; set; } = "";

        public long? RetentionSeconds { get; set; }

        public List<TableFile> Tables { get; set; } = [];
    }

    private sealed class TableFile
    {
        public string Name { get; set; } = "";

        public List<ColumnFile> Columns { get; set; } = [];
    }

    private sealed class ColumnFile
    {
        public string Name { get; set; } = "";

        [JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))]
        public ColumnKind Kind { get; set; }
    }

    private sealed class TokenFile
    {
        public string Name { get; set; } = "";

        public string Sha256 { get; set; } = "";

        public bool Admin { get; set; }

        public DateTimeOffset CreatedAt { get; set; }
    }
}
