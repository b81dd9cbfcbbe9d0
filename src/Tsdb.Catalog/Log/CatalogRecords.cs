using System.Text.Json;

namespace Tsdb.Catalog.Log;

/// <summary>
/// Makes a <see cref="CatalogRecord"/> by comparing two snapshots, and applies one to a snapshot. Diffing (rather
/// than a record type per editor operation) covers every <see cref="CatalogEditor"/> operation, present and future.
/// Snapshots are immutable and an edit keeps the objects it did not touch, so "unchanged" is mostly a reference
/// comparison and a persist's diff costs a walk over the file list.
/// </summary>
internal static class CatalogRecords
{
    public static CatalogRecord Diff(CatalogSnapshot previous, CatalogSnapshot next)
    {
        var record = new CatalogRecord
        {
            Version = next.Version,
            PersistedSequence = next.PersistedSequence,
            NextFileId = next.NextFileId,
            Schema = DiffSchema(previous, next),
            NodeSequences = SameSequences(previous.NodeSequences, next.NodeSequences) ? null : new Dictionary<string, long>(next.NodeSequences, StringComparer.Ordinal),
        };
        var (filesRemoved, filesAdded) = DiffList(previous.Files, next.Files, f => f.Id);
        record.FilesRemoved = NullIfEmpty(filesRemoved);
        record.FilesAdded = NullIfEmpty(filesAdded);
        var (forgotten, pendingAdded) = DiffList(previous.PendingDeletes, next.PendingDeletes, p => p.Path);
        record.PendingDeletesForgotten = NullIfEmpty(forgotten);
        record.PendingDeletesAdded = NullIfEmpty(pendingAdded);
        var (tombstonesRemoved, tombstonesAdded) = DiffList(previous.Tombstones, next.Tombstones, t => t.Id);
        record.TombstonesRemoved = NullIfEmpty(tombstonesRemoved);
        record.TombstonesAdded = NullIfEmpty(tombstonesAdded);
        record.NextTombstoneId = next.NextTombstoneId != previous.NextTombstoneId ? next.NextTombstoneId : null;
        return record;
    }

    /// <summary>The snapshot <paramref name="record"/> makes of <paramref name="previous"/>.</summary>
    public static CatalogSnapshot Apply(CatalogSnapshot previous, CatalogRecord record, string source) => ApplyAll(previous, [(record, source)]);

    /// <summary>
    /// The snapshot the records make of <paramref name="start"/>, applied in order on one working copy (a load
    /// applies up to a checkpoint interval of records; a snapshot per record would copy the file list each time).
    /// </summary>
    public static CatalogSnapshot ApplyAll(CatalogSnapshot start, IReadOnlyList<(CatalogRecord Record, string Source)> records)
    {
        if (records.Count == 0)
        {
            return start;
        }
        var databases = start.Databases.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var tokens = new List<TokenDefinition>(start.Tokens);
        var files = new List<ParquetFileEntry>(start.Files);
        var pending = new List<PendingDelete>(start.PendingDeletes);
        var tombstones = new List<Tombstone>(start.Tombstones);
        var nextTombstoneId = start.NextTombstoneId;
        var nodeSequences = start.NodeSequences;
        var version = start.Version;
        foreach (var (record, source) in records)
        {
            if (record.Version != version + 1)
            {
                throw new InvalidDataException($"the catalog record {source} is version {record.Version}, expected {version + 1}");
            }
            if (record.Schema is { } schema)
            {
                ApplyDatabases(databases, schema);
                ApplyTokens(tokens, schema, source);
            }
            Apply(files, record.FilesRemoved, record.FilesAdded, f => f.Id);
            Apply(pending, record.PendingDeletesForgotten, record.PendingDeletesAdded, p => p.Path);
            Apply(tombstones, record.TombstonesRemoved, record.TombstonesAdded, t => t.Id);
            nextTombstoneId = record.NextTombstoneId ?? nextTombstoneId;
            nodeSequences = record.NodeSequences is { } changed ? new Dictionary<string, long>(changed, StringComparer.Ordinal) : nodeSequences;
            version = record.Version;
        }
        var last = records[^1].Record;
        return new CatalogSnapshot(version, databases.Values, tokens, files, last.PersistedSequence, Math.Max(1, last.NextFileId), pending)
        {
            Tombstones = tombstones,
            NextTombstoneId = Math.Max(1, nextTombstoneId),
            NodeSequences = nodeSequences,
        };
    }

    private static bool SameSequences(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b) =>
        ReferenceEquals(a, b) || (a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value));

    public static byte[] Serialize(CatalogRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, CatalogSerializer.Options);

    public static CatalogRecord Deserialize(ReadOnlySpan<byte> bytes, string source)
    {
        CatalogRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<CatalogRecord>(bytes, CatalogSerializer.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the catalog record {source} is not valid: {e.Message}", e);
        }
        if (record is null || record.FormatVersion != CatalogRecord.CurrentFormat)
        {
            throw new InvalidDataException($"the catalog record {source} has an unknown format version");
        }
        return record;
    }

    /// <summary>
    /// Survivors keep their order and additions go at the end (as <see cref="CatalogEditor"/> does), so one walk pairs
    /// them up. Whatever the walk cannot pair is removed by key and added back, which is still exact: removing
    /// every unpaired old item and appending the unpaired new ones in order gives <paramref name="next"/>.
    /// </summary>
    private static (List<TKey> Removed, List<T> Added) DiffList<T, TKey>(IReadOnlyList<T> previous, IReadOnlyList<T> next, Func<T, TKey> key)
        where T : class
        where TKey : notnull
    {
        var removed = new List<TKey>();
        int i = 0, j = 0;
        while (i < previous.Count && j < next.Count)
        {
            if (ReferenceEquals(previous[i], next[j]) || previous[i].Equals(next[j]))
            {
                j++;
            }
            else
            {
                removed.Add(key(previous[i]));
            }
            i++;
        }
        for (; i < previous.Count; i++)
        {
            removed.Add(key(previous[i]));
        }
        var added = new List<T>(next.Count - j);
        for (; j < next.Count; j++)
        {
            added.Add(next[j]);
        }
        if (removed.Count > 0)
        {
            // Removal is by key: if a removed key is also the key of a survivor (a duplicate key), removing it would
            // take the survivor too. Then say "everything removed, everything added", which is exact.
            var gone = removed.ToHashSet();
            for (var s = 0; s < j; s++)
            {
                if (gone.Contains(key(next[s])))
                {
                    return ([.. previous.Select(key).Distinct()], [.. next]);
                }
            }
        }
        return (removed, added);
    }

    private static void Apply<T, TKey>(List<T> items, List<TKey>? removed, List<T>? added, Func<T, TKey> key)
        where TKey : notnull
    {
        if (removed is { Count: > 0 })
        {
            var gone = removed.ToHashSet();
            items.RemoveAll(item => gone.Contains(key(item)));
        }
        if (added is { Count: > 0 })
        {
            items.AddRange(added);
        }
    }

    private static SchemaChange? DiffSchema(CatalogSnapshot previous, CatalogSnapshot next)
    {
        List<DatabaseChange>? databases = null;
        List<string>? databasesRemoved = null;
        foreach (var db in next.Databases)
        {
            var before = previous.FindDatabase(db.Name);
            if (ReferenceEquals(before, db))
            {
                continue;
            }
            List<CatalogSerializer.TableFile>? tables = null;
            List<string>? tablesRemoved = null;
            foreach (var table in db.Tables)
            {
                if (before?.FindTable(table.Name) is not { } old || !SameTable(old, table))
                {
                    (tables ??= []).Add(CatalogSerializer.ToFile(table));
                }
            }
            if (before is not null)
            {
                foreach (var table in before.Tables)
                {
                    if (db.FindTable(table.Name) is null)
                    {
                        (tablesRemoved ??= []).Add(table.Name);
                    }
                }
            }
            SortedDictionary<string, MetricMetadataEntry>? metadata = null;
            if (!ReferenceEquals(before?.Metadata, db.Metadata))
            {
                foreach (var (metric, entry) in db.Metadata)
                {
                    if (before is null || !before.Metadata.TryGetValue(metric, out var old) || old != entry)
                    {
                        (metadata ??= new SortedDictionary<string, MetricMetadataEntry>(StringComparer.Ordinal))[metric] = entry;
                    }
                }
            }
            if (before is null || tables is not null || tablesRemoved is not null || metadata is not null || before.RetentionPeriod != db.RetentionPeriod)
            {
                var file = CatalogSerializer.ToFile(db, []);
                (databases ??= []).Add(new DatabaseChange { Name = db.Name, RetentionSeconds = file.RetentionSeconds, Tables = tables, TablesRemoved = tablesRemoved, MetadataSet = metadata });
            }
        }
        foreach (var db in previous.Databases)
        {
            if (next.FindDatabase(db.Name) is null)
            {
                (databasesRemoved ??= []).Add(db.Name);
            }
        }

        List<CatalogSerializer.TokenFile>? tokens = null;
        List<string>? tokensRemoved = null;
        if (!ReferenceEquals(previous.Tokens, next.Tokens))
        {
            var before = previous.Tokens.ToDictionary(t => t.Name, StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var token in next.Tokens)
            {
                names.Add(token.Name);
                if (!before.TryGetValue(token.Name, out var old) || !(ReferenceEquals(old, token) || old.Equals(token)))
                {
                    (tokens ??= []).Add(CatalogSerializer.ToFile(token));
                }
            }
            foreach (var token in previous.Tokens)
            {
                if (!names.Contains(token.Name))
                {
                    (tokensRemoved ??= []).Add(token.Name);
                }
            }
        }
        if (databases is null && databasesRemoved is null && tokens is null && tokensRemoved is null)
        {
            return null;
        }
        return new SchemaChange { Databases = databases, DatabasesRemoved = databasesRemoved, Tokens = tokens, TokensRemoved = tokensRemoved };
    }

    private static bool SameTable(TableDefinition a, TableDefinition b) =>
        ReferenceEquals(a, b) || (a.Name == b.Name && a.RetentionPeriod == b.RetentionPeriod && a.Columns.SequenceEqual(b.Columns));

    private static void ApplyDatabases(Dictionary<string, DatabaseDefinition> databases, SchemaChange schema)
    {
        foreach (var name in schema.DatabasesRemoved ?? [])
        {
            databases.Remove(name);
        }
        foreach (var change in schema.Databases ?? [])
        {
            var tables = databases.TryGetValue(change.Name, out var db)
                ? db.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal)
                : new Dictionary<string, TableDefinition>(StringComparer.Ordinal);
            var metadata = db?.Metadata ?? DatabaseDefinition.NoMetadata;
            if (change.MetadataSet is { Count: > 0 } set)
            {
                var merged = new Dictionary<string, MetricMetadataEntry>(metadata, StringComparer.Ordinal);
                foreach (var (metric, entry) in set)
                {
                    merged[metric] = entry;
                }
                metadata = merged;
            }
            foreach (var name in change.TablesRemoved ?? [])
            {
                tables.Remove(name);
            }
            foreach (var table in change.Tables ?? [])
            {
                tables[table.Name] = CatalogSerializer.FromFile(table);
            }
            databases[change.Name] = new DatabaseDefinition(change.Name, tables.Values, CatalogSerializer.RetentionOf(change.RetentionSeconds)) { Metadata = metadata };
        }
    }

    private static void ApplyTokens(List<TokenDefinition> tokens, SchemaChange schema, string source)
    {
        if (schema.TokensRemoved is { Count: > 0 } removed)
        {
            var gone = removed.ToHashSet(StringComparer.Ordinal);
            tokens.RemoveAll(t => gone.Contains(t.Name));
        }
        foreach (var file in schema.Tokens ?? [])
        {
            // Records always carry explicit permissions (format 2 semantics).
            var token = CatalogSerializer.FromFile(file, formatVersion: 2, source);
            var index = tokens.FindIndex(t => t.Name == token.Name);
            if (index >= 0)
            {
                tokens[index] = token;
            }
            else
            {
                tokens.Add(token);
            }
        }
    }

    private static List<T>? NullIfEmpty<T>(List<T> list) => list.Count == 0 ? null : list;
}
