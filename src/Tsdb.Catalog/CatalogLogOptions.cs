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
}
