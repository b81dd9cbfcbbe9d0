namespace Tsdb.Storage.Persistence;

/// <summary>
/// What a front end may ask of storage on request (<c>/api/v3/persist</c>, <c>/api/v3/compact</c>, retention after a
/// change of period, dropping a database or table), without knowing the services that do it.
/// </summary>
public interface IStorageControl
{
    /// <summary>Persists everything buffered now; returns once the files and the catalog are durable.</summary>
    Task<PersistService.PersistResult> PersistNowAsync(CancellationToken cancellationToken);

    /// <summary>Merges every partition with more than one file, then deletes the replaced files whose grace is over.</summary>
    Task<Compactor.CompactResult> CompactNowAsync(CancellationToken cancellationToken);

    /// <summary>Takes rows past their retention period out of storage now.</summary>
    Task ApplyRetentionNowAsync(CancellationToken cancellationToken);

    /// <summary>Drops a database, its buffered rows and (after the grace period) its files; false when there is none.</summary>
    Task<bool> DeleteDatabaseAsync(string database, CancellationToken cancellationToken);

    /// <summary>Drops a table like <see cref="DeleteDatabaseAsync"/>; false when there is none.</summary>
    Task<bool> DeleteTableAsync(string database, string table, CancellationToken cancellationToken);
}
