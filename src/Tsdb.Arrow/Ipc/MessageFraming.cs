using System.Buffers.Binary;
using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// The encapsulated message framing: 0xFFFFFFFF, int32 metadata size (flatbuffer plus padding so the prefix and
/// metadata end on an 8-byte boundary), the flatbuffer, the padding, then the body.
/// </summary>
internal static class MessageFraming
{
    public const uint Continuation = 0xFFFFFFFF;

    /// <summary>Bytes of prefix plus padded metadata, as a file Block's metaDataLength counts them.</summary>
    public static int FramedMetadataLength(int flatbufferLength) => 8 + (int)BitUtil.Pad8(flatbufferLength);

    public static (int MetadataLength, long BodyLength) Write(Stream stream, EncodedMessage message)
    {
        var header = BuildHeader(message.Metadata);
        stream.Write(header);
        message.WriteBody(stream);
        return (header.Length, message.BodyLength);
    }

    public static async ValueTask<(int MetadataLength, long BodyLength)> WriteAsync(Stream stream, EncodedMessage message, CancellationToken cancellationToken)
    {
        var header = BuildHeader(message.Metadata);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        var zeros = new byte[8];
        foreach (var part in message.BodyParts)
        {
            await stream.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            var pad = (int)(BitUtil.Pad8(part.Length) - part.Length);
            if (pad != 0)
            {
                await stream.WriteAsync(zeros.AsMemory(0, pad), cancellationToken).ConfigureAwait(false);
            }
        }
        return (header.Length, message.BodyLength);
    }

    private static byte[] BuildHeader(byte[] metadata)
    {
        var framed = new byte[FramedMetadataLength(metadata.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(framed, Continuation);
        BinaryPrimitives.WriteInt32LittleEndian(framed.AsSpan(4), framed.Length - 8);
        metadata.CopyTo(framed.AsSpan(8));
        return framed;
    }

    /// <summary>The end-of-stream marker: continuation then a zero length.</summary>
    public static ReadOnlySpan<byte> EndOfStream => [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];
}
