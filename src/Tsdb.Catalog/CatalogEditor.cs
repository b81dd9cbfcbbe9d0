using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>
/// A working copy of the catalog inside <see cref="Catalog.Update{T}"/>: reads see earlier edits, limits are
/// checked as things are added, and nothing is visible to others until the update commits.
/// </summary>
public sealed class CatalogEditor
{
    private readonly Dictionary<string, DatabaseDefinition> _databases;
    private readonly List<TokenDefinition> _tokens;

    internal CatalogEditor(CatalogSnapshot snapshot, CatalogLimits limits)
    {
        Base = snapshot;
        Limits = limits;
        _databases = snapshot.Databases.ToDictionary(d => d.Name, StringComparer.Ordinal);
        _tokens = [.. snapshot.Tokens];
    }

    public CatalogSnapshot Base { get; }

    public CatalogLimits Limits { get; }

    public bool Changed { get; private set; }

    public DatabaseDefinition? FindDatabase(string name) => _databases.GetValueOrDefault(name);

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

    internal CatalogSnapshot Build() => new(Base.Version + 1, _databases.Values, _tokens);
}
