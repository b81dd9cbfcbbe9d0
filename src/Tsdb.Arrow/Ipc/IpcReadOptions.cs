namespace Tsdb.Arrow.Ipc;

/// <summary>Limits that keep a hostile or corrupt stream from making the reader allocate without bound.</summary>
public sealed record IpcReadOptions
{
    public static IpcReadOptions Default { get; } = new();

    /// <summary>Largest flatbuffer metadata block accepted.</summary>
    public int MaxMetadataLength { get; init; } = 64 << 20;

    /// <summary>Largest message body accepted (and largest decompressed buffer).</summary>
    public long MaxBodyLength { get; init; } = int.MaxValue;
}
