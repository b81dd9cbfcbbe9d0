using Tsdb.LineProtocol;

namespace Tsdb.Ingest;

/// <summary>One line-protocol write: the database, the (decompressed) body and how to read it.</summary>
public sealed record WriteRequest(string Database, ReadOnlyMemory<byte> Body)
{
    public Precision Precision { get; init; } = Precision.Nanosecond;

    /// <summary>Store the good lines when some are bad (v3 default); false rejects the whole write on the first bad line.</summary>
    public bool AcceptPartial { get; init; } = true;

    /// <summary>Acknowledge once written to the OS rather than after fsync.</summary>
    public bool NoSync { get; init; }

    /// <summary>The API the write came through, for the metrics: v1, v2 or v3.</summary>
    public string Api { get; init; } = "v3";
}
