using System.Buffers.Binary;
using Tsdb.Arrow.Ipc;

namespace Tsdb.Flight.Arrow;

/// <summary>
/// Writes FlightData messages by hand so batch bodies are copied once, straight into the response: field 2
/// (data_header, the IPC Message flatbuffer) and field 1000 (data_body, tag bytes C2 3E) — protocols.md §4.1.
/// </summary>
internal static class FlightDataEncoding
{
    private static readonly ReadOnlyMemory<byte> Zeros = new byte[8];

    /// <summary>The parts of one FlightData message carrying <paramref name="message"/>.</summary>
    public static List<ReadOnlyMemory<byte>> Parts(EncodedMessage message)
    {
        var parts = new List<ReadOnlyMemory<byte>>(message.BodyParts.Count * 2 + 1)
        {
            Header(message.Metadata, message.BodyLength),
        };
        foreach (var part in message.BodyParts)
        {
            parts.Add(part);
            var pad = (int)(((part.Length + 7) & ~7L) - part.Length);
            if (pad != 0)
            {
                parts.Add(Zeros[..pad]);
            }
        }
        return parts;
    }

    /// <summary>The parts of one FlightData message with a metadata flatbuffer and a body already laid out.</summary>
    public static List<ReadOnlyMemory<byte>> Parts(byte[] metadata, byte[] body) => [Header(metadata, body.Length), body];

    /// <summary>A schema (or any) Message flatbuffer as the IPC stream Flight puts in FlightInfo.schema and SchemaResult.schema: prefix, padded message, end-of-stream.</summary>
    public static byte[] SchemaStream(byte[] metadata)
    {
        var padded = 8 + ((metadata.Length + 7) & ~7);
        var bytes = new byte[padded + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0xFFFFFFFF);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), padded - 8);
        metadata.CopyTo(bytes, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(padded), 0xFFFFFFFF);
        return bytes;
    }

    private static byte[] Header(byte[] metadata, long bodyLength)
    {
        Span<byte> scratch = stackalloc byte[24];
        var n = 0;
        scratch[n++] = 0x12;
        n += WriteVarint(scratch[n..], (ulong)metadata.Length);
        var afterHeader = n;
        var tail = 0;
        Span<byte> bodyTag = stackalloc byte[12];
        if (bodyLength > 0)
        {
            bodyTag[tail++] = 0xC2;
            bodyTag[tail++] = 0x3E;
            tail += WriteVarint(bodyTag[tail..], (ulong)bodyLength);
        }
        var header = new byte[afterHeader + metadata.Length + tail];
        scratch[..afterHeader].CopyTo(header);
        metadata.CopyTo(header, afterHeader);
        bodyTag[..tail].CopyTo(header.AsSpan(afterHeader + metadata.Length));
        return header;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[n++] = (byte)value;
        return n;
    }
}
