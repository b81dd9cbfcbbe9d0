namespace Tsdb.Arrow.Ipc;

/// <summary>Body compression of record and dictionary batches (BodyCompression in Message.fbs).</summary>
public enum IpcCompression
{
    None,
    Zstd,
}
