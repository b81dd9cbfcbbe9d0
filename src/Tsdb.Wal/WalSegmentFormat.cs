using System.Buffers.Binary;
using Tsdb.Core.Hashing;

namespace Tsdb.Wal;

/// <summary>
/// Segment file layout: a 16-byte header ("TSDBWAL1", u32 format version, u32 reserved), then records framed as
/// u32 payload length, u32 CRC-32C of (sequence, payload), u64 sequence, payload. Files are named after the first
/// sequence they may hold: <c>{sequence:D20}.wal</c>.
/// </summary>
internal static class WalSegmentFormat
{
    public const int HeaderLength = 16;
    public const int FrameLength = 16;
    public const uint FormatVersion = 1;
    public const string Extension = ".wal";

    public static ReadOnlySpan<byte> Magic => "TSDBWAL1"u8;

    public static byte[] Header()
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), FormatVersion);
        return header;
    }

    public static string FileName(long firstSequence) => $"{firstSequence:D20}{Extension}";

    public static void WriteFrame(Span<byte> frame, long sequence, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(frame[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], Checksum(sequence, payload));
    }

    public static uint Checksum(long sequence, ReadOnlySpan<byte> payload)
    {
        Span<byte> seq = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(seq, sequence);
        return ~Crc32C.Append(Crc32C.Append(0xFFFFFFFFu, seq), payload);
    }
}
