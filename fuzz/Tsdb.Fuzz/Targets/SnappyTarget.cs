using Tsdb.Core.Compression;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a snappy block through <see cref="Snappy.GetDecompressedLength"/> and <see cref="Snappy.Decompress"/>
/// into a buffer of the length the block claims (capped as the remote-write decoder caps it). Only
/// <see cref="InvalidDataException"/> may come out.
/// </summary>
internal sealed class SnappyTarget : FuzzTarget
{
    private const int MaxLength = 32 << 20;

    public override string Name => "snappy";

    public override string Contract => "Snappy.GetDecompressedLength and Snappy.Decompress: only InvalidDataException";

    public override void Run(byte[] input)
    {
        var length = Snappy.GetDecompressedLength(input);
        if (length is < 0 or > MaxLength)
        {
            return;
        }
        var output = new byte[length];
        _ = Snappy.Decompress(input, output);
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;
}
