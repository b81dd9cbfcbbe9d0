namespace Tsdb.Catalog;

/// <summary>How <see cref="ObjectStoreCatalogStore"/> keeps its log.</summary>
public sealed record CatalogLogOptions
{
    /// <summary>A full checkpoint is written (in the background) once this many records followed the last one.</summary>
    public int CheckpointInterval { get; init; } = 100;

    /// <summary>
    /// Checkpoints kept; records and checkpoints older than the oldest kept one are deleted. Two, so that an
    /// unreadable newest checkpoint still leaves a way to the newest version.
    /// </summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>
    /// How old a record or checkpoint must also be before cleanup deletes it. A writer that has not heard from the
    /// store for half this long checks the newest version before it appends: put-if-absent cannot stop a writer from
    /// re-creating a version that cleanup deleted, but a version is deleted only when it is older than this, and a
    /// writer that heard from the store within this time cannot be behind such a version.
    /// </summary>
    public TimeSpan RecordRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Write checkpoints as JSON (<c>.json</c>, the format before binary checkpoints) instead of binary: only for the
    /// catalog benchmark's before-and-after and for tests of old data directories.
    /// </summary>
    internal bool JsonCheckpoints { get; init; }
}
