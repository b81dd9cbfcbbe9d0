using System.Buffers.Binary;
using Tsdb.Catalog;
using Tsdb.Core.Hashing;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a catalog checkpoint read at start-up through <see cref="CatalogCheckpoint.Deserialize"/>, binary or
/// JSON (older servers' checkpoints). Only <see cref="InvalidDataException"/> may come out (the store then falls back
/// to an older checkpoint and the log). A binary input gets its header's body length and its CRC fixed up first, so
/// mutations reach the decoder past the checksum (a checksum mismatch alone is the cheapest path and needs no fuzzing).
/// </summary>
internal sealed class CatalogSnapshotTarget : FuzzTarget
{
    private const int HeaderLength = 24;

    public override string Name => "catalog-snapshot";

    public override string Contract => "CatalogCheckpoint.Deserialize (binary with length and CRC fixed up, or JSON): only InvalidDataException";

    public override void Run(byte[] input)
    {
        var bytes = (byte[])input.Clone();
        if (bytes.AsSpan().StartsWith(CatalogCheckpoint.Magic) && bytes.Length >= HeaderLength + 4)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), bytes.Length - HeaderLength - 4);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        }
        var snapshot = CatalogCheckpoint.Deserialize(bytes, "fuzz");
        _ = CatalogCheckpoint.Serialize(snapshot);
        _ = CatalogSerializer.Serialize(snapshot);
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;
}
