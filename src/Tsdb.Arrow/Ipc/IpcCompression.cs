namespace Tsdb.Arrow.Ipc;

/// <summary>Body compression of record and dictionary batches (BodyCompression in Message.fbs).</summary>
public enum IpcCompression
{
    None,
    Zstd,

    /// <summary>
    /// LZ4 frame format (CompressionType LZ4_FRAME), through K4os.Compression.LZ4.Streams. Faster to compress than
    /// ZSTD and larger on disk; some Arrow implementations (Apache.Arrow C#, Arrow C++) read it, and JS does not.
    /// </summary>
    Lz4Frame,
}
