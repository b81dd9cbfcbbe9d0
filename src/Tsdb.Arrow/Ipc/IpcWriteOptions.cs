namespace Tsdb.Arrow.Ipc;

/// <summary>How record batches are written.</summary>
public sealed record IpcWriteOptions
{
    public static IpcWriteOptions Default { get; } = new();

    /// <summary>Per-buffer body compression; buffers that do not shrink are stored raw, as the format allows.</summary>
    public IpcCompression Compression { get; init; } = IpcCompression.None;

    public int ZstdLevel { get; init; } = Core.Compression.Zstd.DefaultLevel;

    /// <summary>
    /// When a dictionary grows by appending (the old values are a prefix of the new), send only the new values as a
    /// delta dictionary batch instead of the whole dictionary again.
    /// </summary>
    public bool EmitDictionaryDeltas { get; init; } = true;
}
