using Tsdb.Catalog;
using Tsdb.Wal;

namespace Tsdb.Ingest;

/// <summary>
/// What every write protocol goes through: a budget check, staging (a protocol's reader feeding a
/// <see cref="WriteStager"/>, against the catalog snapshot first and inside a catalog update only when it brings a new
/// database, table or column), then one WAL record, acknowledged once durable. The rows reach the write buffer through
/// the WAL's listener. A new protocol brings a reader (rows → stager calls) and its own error dialect, nothing else.
/// </summary>
public sealed class WritePath(Catalog.Catalog catalog, WriteAheadLog wal, TimeProvider time, Func<bool> isOverBudget)
{
    public const string OverloadedMessage = "the write buffer is full; retry after the data has been persisted";

    public TimeProvider Time { get; } = time;

    /// <summary>The write buffer is over its memory budget: refuse the write, to be retried later.</summary>
    public bool IsOverBudget => isOverBudget();

    /// <summary>
    /// Runs <paramref name="stage"/> (a protocol's reader, called once per pass, starting its errors afresh each time)
    /// against the catalog snapshot; when it needs a schema change, runs it again inside a catalog update, which also
    /// creates the database. The caller disposes the returned stager.
    /// </summary>
    public async ValueTask<Staged<TPass>> StageAsync<TPass>(string database, Func<WriteStager, TPass> stage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var now = Time.GetUtcNow();
        var stager = new WriteStager(database, catalog.Current.FindDatabase(database), editor: null, now);
        TPass pass;
        try
        {
            pass = stage(stager);
        }
        catch
        {
            stager.Dispose();
            throw;
        }
        if (!stager.NeedsSchemaChange)
        {
            return new Staged<TPass>(stager, pass, null);
        }
        stager.Dispose();
        // The edit runs again when another writer took the catalog version first: each run lets go of the stager of
        // the run before, so only the last run's stager lives on.
        WriteStager? earlier = null;
        try
        {
            return await catalog.UpdateAsync(editor =>
            {
                earlier?.Dispose();
                earlier = null;
                if (editor.EnsureDatabase(database, out _) is { } error)
                {
                    return new Staged<TPass>(null, default, error);
                }
                earlier = new WriteStager(database, null, editor, now);
                return new Staged<TPass>(earlier, stage(earlier), null);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            earlier?.Dispose();
            throw;
        }
    }

    /// <summary>Appends what the stager holds as one WAL record; the record's sequence number, or null when nothing was staged.</summary>
    public async ValueTask<long?> AppendAsync(string database, WriteStager stager, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stager);
        if (stager.RowsStaged == 0)
        {
            return null;
        }
        return await wal.AppendAsync(database, stager.Build(), sync, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A staged write: the stager and the protocol's pass result, or the reason the database could not be created.</summary>
public readonly record struct Staged<TPass>(WriteStager? Stager, TPass? Pass, CatalogError? DatabaseError);
