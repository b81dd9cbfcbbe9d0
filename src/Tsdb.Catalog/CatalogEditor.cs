using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>
/// A working copy of the catalog inside <see cref="Catalog.UpdateAsync{T}"/>: reads see earlier edits, limits are
/// checked as things are added, and nothing is visible to others until the update commits.
/// </summary>
public sealed class CatalogEditor
{
    private readonly Dictionary<string, DatabaseDefinition> _databases;
    private readonly List<TokenDefinition> _tokens;
    private readonly List<ParquetFileEntry> _files;
    private readonly List<PendingDelete> _pendingDeletes;
    private readonly List<Tombstone> _tombstones;
    private long _persistedSequence;
    private readonly Dictionary<string, long> _nodeSequences;
    private long _nextFileId;
    private long _nextTombstoneId;

    internal CatalogEditor(CatalogSnapshot snapshot, CatalogLimits limits)
    {
        Base = snapshot;
        Limits = limits;
        _databases = snapshot.Databases.ToDictionary(d => d.Name, StringComparer.Ordinal);
        _tokens = [.. snapshot.Tokens];
        _files = [.. snapshot.Files];
        _pendingDeletes = [.. snapshot.PendingDeletes];
        _persistedSequence = snapshot.PersistedSequence;
        _nodeSequences = new Dictionary<string, long>(snapshot.NodeSequences, StringComparer.Ordinal);
        _nextFileId = snapshot.NextFileId;
        _tombstones = [.. snapshot.Tombstones];
        _nextTombstoneId = snapshot.NextTombstoneId;
    }

    public IReadOnlyList<Tombstone> Tombstones => _tombstones;

    /// <summary>Records a row delete; returns it with its id.</summary>
    public Tombstone AddTombstone(Tombstone tombstone)
    {
        ArgumentNullException.ThrowIfNull(tombstone);
        var added = tombstone with { Id = _nextTombstoneId++ };
        _tombstones.Add(added);
        Changed = true;
        return added;
    }

    /// <summary>Forgets tombstones folded into everything they reach.</summary>
    public void RemoveTombstones(IEnumerable<long> ids)
    {
        var done = ids.ToHashSet();
        Changed |= _tombstones.RemoveAll(t => done.Contains(t.Id)) > 0;
    }

    public IReadOnlyList<ParquetFileEntry> Files => _files;

    public long PersistedSequence => _persistedSequence;

    /// <summary>Reserves an id for a file about to be written.</summary>
    public long NextFileId()
    {
        Changed = true;
        return _nextFileId++;
    }

    public void AddFile(ParquetFileEntry file)
    {
        _files.Add(file);
        Changed = true;
    }

    /// <summary>Drops files from the catalog; their objects are deleted later (see <see cref="CatalogSnapshot.PendingDeletes"/>).</summary>
    public void RemoveFiles(IEnumerable<long> ids, DateTimeOffset deleteAfter)
    {
        var doomed = ids.ToHashSet();
        foreach (var file in _files.Where(f => doomed.Contains(f.Id)))
        {
            _pendingDeletes.Add(new PendingDelete(file.Path, deleteAfter));
        }
        Changed |= _files.RemoveAll(f => doomed.Contains(f.Id)) > 0;
    }

    /// <summary>The sequence the WAL of <paramref name="node"/> (null: the single server's) is persisted through.</summary>
    public long PersistedSequenceOf(string? node) => node is null ? _persistedSequence : _nodeSequences.GetValueOrDefault(node);

    /// <summary>Records that the WAL of ingest node <paramref name="node"/> (null: the single server's) is persisted through <paramref name="sequence"/>.</summary>
    public void SetPersistedSequence(string? node, long sequence)
    {
        if (node is null)
        {
            SetPersistedSequence(sequence);
        }
        else if (sequence > _nodeSequences.GetValueOrDefault(node))
        {
            _nodeSequences[node] = sequence;
            Changed = true;
        }
    }

    public void SetPersistedSequence(long sequence)
    {
        if (sequence > _persistedSequence)
        {
            _persistedSequence = sequence;
            Changed = true;
        }
    }

    public void ForgetPendingDeletes(IEnumerable<string> paths)
    {
        var done = paths.ToHashSet(StringComparer.Ordinal);
        Changed |= _pendingDeletes.RemoveAll(p => done.Contains(p.Path)) > 0;
    }

    public void SetRetention(string database, TimeSpan? retention)
    {
        var db = _databases[database];
        _databases[database] = new DatabaseDefinition(db.Name, db.Tables, retention) { Metadata = db.Metadata };
        Changed = true;
    }

    /// <summary>Sets or clears (null: the database's applies) a table's own retention period; false when there is no such table.</summary>
    public bool SetTableRetention(string database, string table, TimeSpan? retention)
    {
        if (!_databases.TryGetValue(database, out var db) || db.FindTable(table) is not { } definition)
        {
            return false;
        }
        _databases[database] = db.WithTable(definition.WithRetention(retention));
        Changed = true;
        return true;
    }

    /// <summary>Removes a table and schedules its files for deletion.</summary>
    public bool DeleteTable(string database, string table, DateTimeOffset deleteAfter)
    {
        if (!_databases.TryGetValue(database, out var db) || db.FindTable(table) is null)
        {
            return false;
        }
        _databases[database] = new DatabaseDefinition(db.Name, db.Tables.Where(t => t.Name != table), db.RetentionPeriod) { Metadata = db.Metadata };
        RemoveFiles(_files.Where(f => f.Database == database && f.Table == table).Select(f => f.Id).ToList(), deleteAfter);
        Changed = true;
        return true;
    }

    /// <summary>
    /// Sets metric metadata of a database (created if missing), the latest entry of a family winning. Entries equal to
    /// what is stored change nothing, so a sender repeating its metadata writes no catalog record.
    /// </summary>
    public CatalogError? SetMetricMetadata(string database, IEnumerable<KeyValuePair<string, MetricMetadataEntry>> entries)
    {
        if (EnsureDatabase(database, out var db) is { } error)
        {
            return error;
        }
        Dictionary<string, MetricMetadataEntry>? changed = null;
        foreach (var (metric, entry) in entries)
        {
            if (metric.Length > 0 && !(db!.Metadata.TryGetValue(metric, out var old) && old == entry))
            {
                (changed ??= new Dictionary<string, MetricMetadataEntry>(db.Metadata, StringComparer.Ordinal))[metric] = entry;
            }
        }
        if (changed is not null)
        {
            _databases[database] = new DatabaseDefinition(db!.Name, db.Tables, db.RetentionPeriod) { Metadata = changed };
            Changed = true;
        }
        return null;
    }

    /// <summary>Removes a database and schedules its files for deletion.</summary>
    public bool DeleteDatabase(string database, DateTimeOffset deleteAfter)
    {
        if (!_databases.Remove(database))
        {
            return false;
        }
        RemoveFiles(_files.Where(f => f.Database == database).Select(f => f.Id).ToList(), deleteAfter);
        Changed = true;
        return true;
    }

    public CatalogSnapshot Base { get; }

    public CatalogLimits Limits { get; }

    public bool Changed { get; private set; }

    public DatabaseDefinition? FindDatabase(string name) => _databases.GetValueOrDefault(name);

    public IEnumerable<DatabaseDefinition> Databases => _databases.Values;

    /// <summary>The database, created if missing. Fails (returns an error) on a bad name or the database limit.</summary>
    public CatalogError? EnsureDatabase(string name, out DatabaseDefinition? database)
    {
        if (_databases.TryGetValue(name, out database))
        {
            return null;
        }
        if (Names.ValidateDatabaseName(name) is { } invalid)
        {
            return new CatalogError(CatalogErrorKind.InvalidName, invalid);
        }
        if (_databases.Count >= Limits.MaxDatabases)
        {
            return new CatalogError(CatalogErrorKind.LimitExceeded,
                $"database limit reached: {Limits.MaxDatabases} databases exist, cannot create database '{name}'");
        }
        database = new DatabaseDefinition(name, []);
        _databases[name] = database;
        Changed = true;
        return null;
    }

    /// <summary>The table, created (with its time column) if missing.</summary>
    public CatalogError? EnsureTable(string database, string table, out TableDefinition? definition)
    {
        definition = null;
        if (!_databases.TryGetValue(database, out var db))
        {
            return new CatalogError(CatalogErrorKind.NotFound, $"database '{database}' not found");
        }
        definition = db.FindTable(table);
        if (definition is not null)
        {
            return null;
        }
        if (Names.ValidateTableName(table) is { } invalid)
        {
            return new CatalogError(CatalogErrorKind.InvalidName, invalid);
        }
        if (db.TableCount >= Limits.MaxTablesPerDatabase)
        {
            return new CatalogError(CatalogErrorKind.LimitExceeded,
                $"table limit reached: database '{database}' already has {Limits.MaxTablesPerDatabase} tables, cannot create table '{table}'");
        }
        definition = TableDefinition.Create(table);
        _databases[database] = db.WithTable(definition);
        Changed = true;
        return null;
    }

    /// <summary>Adds a column to an existing table, or checks that an existing one has the same kind.</summary>
    public CatalogError? EnsureColumn(string database, string table, string column, ColumnKind kind)
    {
        var db = _databases[database];
        var definition = db.FindTable(table) ?? throw new InvalidOperationException($"table '{table}' must exist first");
        if (definition.FindColumn(column) is { } existing)
        {
            return existing.Kind == kind ? null : CatalogError.TypeConflict(table, column, existing.Kind, kind);
        }
        if (Names.ValidateColumnName(column) is { } invalid)
        {
            return new CatalogError(CatalogErrorKind.InvalidName, invalid);
        }
        if (definition.Columns.Count >= Limits.MaxColumnsPerTable)
        {
            return new CatalogError(CatalogErrorKind.LimitExceeded,
                $"column limit reached: table '{table}' in database '{database}' already has {Limits.MaxColumnsPerTable} columns, cannot add column '{column}'");
        }
        _databases[database] = db.WithTable(definition.WithColumn(new ColumnDefinition(column, kind)));
        Changed = true;
        return null;
    }

    public void AddToken(TokenDefinition token)
    {
        if (_tokens.Any(t => t.Name == token.Name))
        {
            throw new InvalidOperationException($"a token named '{token.Name}' already exists");
        }
        _tokens.Add(token);
        Changed = true;
    }

    /// <summary>Removes the token named <paramref name="name"/>; false when there is none.</summary>
    public bool RemoveToken(string name)
    {
        var removed = _tokens.RemoveAll(t => t.Name == name) > 0;
        Changed |= removed;
        return removed;
    }

    /// <summary>Puts <paramref name="token"/> in place of the token of the same name, or adds it.</summary>
    public void SetToken(TokenDefinition token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var index = _tokens.FindIndex(t => t.Name == token.Name);
        if (index >= 0)
        {
            _tokens[index] = token;
        }
        else
        {
            _tokens.Add(token);
        }
        Changed = true;
    }

    internal CatalogSnapshot Build() => new(Base.Version + 1, _databases.Values, _tokens, _files, _persistedSequence, _nextFileId, _pendingDeletes)
    {
        // A dropped table's or database's deletes go with it.
        Tombstones = [.. _tombstones.Where(t => _databases.TryGetValue(t.Database, out var d) && d.FindTable(t.Table) is not null)],
        NextTombstoneId = _nextTombstoneId,
        NodeSequences = _nodeSequences.Count == 0 && Base.NodeSequences.Count == 0 ? Base.NodeSequences : new Dictionary<string, long>(_nodeSequences, StringComparer.Ordinal),
    };
}
