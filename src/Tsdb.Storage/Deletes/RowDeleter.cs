using System.Globalization;
using Tsdb.Catalog;
using Tsdb.Core.Deletes;
using Tsdb.Core.Schema;
using Tsdb.Query;
using Tsdb.Wal;

namespace Tsdb.Storage.Deletes;

/// <summary>
/// Deletes rows by predicate: a <see cref="Tombstone"/> in the catalog, durable before the call returns, covering every
/// row written (acknowledged) before it — the WAL's last sequence — and none written after. Queries apply it at once
/// to buffered rows and files; persist and compaction fold it into the files they write, and it is forgotten once
/// nothing it reaches is left.
/// </summary>
public sealed class RowDeleter(Catalog.Catalog catalog, WriteAheadLog wal, TimeProvider time) : IRowDeleter
{
    async ValueTask IRowDeleter.DeleteAsync(string database, string table, DeletePredicate predicate, CancellationToken cancellationToken) =>
        await DeleteAsync(database, table, predicate, cancellationToken).ConfigureAwait(false);

    async ValueTask<int> IRowDeleter.DeleteEverywhereAsync(string database, DeletePredicate predicate, CancellationToken cancellationToken) =>
        await DeleteEverywhereAsync(database, predicate, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes in one table; returns the tombstone once durable. Throws <see cref="QueryException"/> for what does not exist or fit.</summary>
    public async Task<Tombstone> DeleteAsync(string database, string table, DeletePredicate predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var definition = Table(database, table);
        var checkedPredicate = predicate with { Terms = [.. predicate.Terms.Select(t => Fit(t, definition))] };
        // The sequence is read before the update: every write acknowledged before this call is at or below it.
        var sequence = wal.LastSequence;
        return await catalog.UpdateAsync(e => e.AddTombstone(new Tombstone(0, database, table, sequence, checkedPredicate, time.GetUtcNow())), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes in every table of the database whose columns the predicate names (a table without one of them holds no
    /// row it matches), as InfluxDB 2's delete without <c>_measurement</c> does; returns how many tables it reached.
    /// </summary>
    public async Task<int> DeleteEverywhereAsync(string database, DeletePredicate predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var db = catalog.Current.FindDatabase(database) ?? throw new QueryException($"database '{database}' not found");
        var sequence = wal.LastSequence;
        var now = time.GetUtcNow();
        var targets = db.Tables.Where(t => predicate.Columns.All(c => t.FindColumn(c) is not null))
            .Select(t => (t.Name, Predicate: predicate with { Terms = [.. predicate.Terms.Select(term => Fit(term, t))] }))
            .ToList();
        if (targets.Count > 0)
        {
            await catalog.UpdateAsync(e =>
            {
                foreach (var (name, p) in targets)
                {
                    e.AddTombstone(new Tombstone(0, database, name, sequence, p, now));
                }
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        return targets.Count;
    }

    private TableDefinition Table(string database, string table)
    {
        var db = catalog.Current.FindDatabase(database) ?? throw new QueryException($"database '{database}' not found");
        return db.FindTable(table) ?? throw new QueryException($"table '{table}' not found in database '{database}'");
    }

    /// <summary>The term with a literal of the column's type (a number given as text becomes a number), or a clear error.</summary>
    private static DeleteTerm Fit(DeleteTerm term, TableDefinition table)
    {
        var column = table.FindColumn(term.Column) ?? throw new QueryException($"column '{term.Column}' not found in table '{table.Name}'");
        switch (column.Kind)
        {
            case ColumnKind.Time:
                throw new QueryException("time bounds a delete through its time range, not a condition");
            case ColumnKind.Tag or ColumnKind.String when term.String is not null:
            case ColumnKind.Float or ColumnKind.Integer or ColumnKind.UInteger when term.Number is not null:
            case ColumnKind.Boolean when term.Boolean is not null:
                return term;
            case ColumnKind.Float or ColumnKind.Integer or ColumnKind.UInteger when term.String is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)
                    ? DeleteTerm.Of(term.Column, term.Operator, whole)
                    : DeleteTerm.Of(term.Column, term.Operator, number);
            case ColumnKind.Boolean when term.String is { } text && bool.TryParse(text, out var flag):
                return DeleteTerm.Of(term.Column, term.Operator, flag);
            default:
                throw new QueryException($"column '{term.Column}' of table '{table.Name}' is {column.Kind.ToString().ToLowerInvariant()}: {term} compares it with a value of another type");
        }
    }
}
