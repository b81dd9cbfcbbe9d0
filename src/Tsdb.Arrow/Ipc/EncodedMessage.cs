namespace Tsdb.Arrow.Ipc;

/// <summary>
/// One IPC message ready to frame: the Message flatbuffer and the body as a list of buffers, each followed by
/// zero padding up to 8 bytes. Stream and file writers put the framing around it; Flight sends the two halves
/// as data_header and data_body.
/// </summary>
public sealed class EncodedMessage
{
    internal EncodedMessage(byte[] metadata, List<ReadOnlyMemory<byte>> bodyParts, long bodyLength, bool isDictionary)
    {
        Metadata = metadata;
        BodyParts = bodyParts;
        BodyLength = bodyLength;
        IsDictionaryBatch = isDictionary;
    }

    /// <summary>The Message flatbuffer, unpadded.</summary>
    public byte[] Metadata { get; }

    /// <summary>Body buffers in order; their padding is not included (see <see cref="BodyLength"/>).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> BodyParts { get; }

    /// <summary>Body length including padding: the sum of the parts, each rounded up to 8.</summary>
    public long BodyLength { get; }

    public bool IsDictionaryBatch { get; }

    /// <summary>Bytes this message takes in the stream format: prefix, padded metadata, body.</summary>
    public long FramedLength => MessageFraming.FramedMetadataLength(Metadata.Length) + BodyLength;

    /// <summary>Writes the framed message (as the stream format has it) into <paramref name="destination"/>; returns the bytes written.</summary>
    public int WriteFramed(Span<byte> destination)
    {
        var header = MessageFraming.FramedMetadataLength(Metadata.Length);
        var total = checked((int)(header + BodyLength));
        destination = destination[..total];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination, MessageFraming.Continuation);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[4..], header - 8);
        Metadata.CopyTo(destination[8..]);
        destination[(8 + Metadata.Length)..header].Clear();
        var position = header;
        foreach (var part in BodyParts)
        {
            part.Span.CopyTo(destination[position..]);
            var padded = (int)((part.Length + 7) & ~7L);
            destination.Slice(position + part.Length, padded - part.Length).Clear();
            position += padded;
        }
        return total;
    }

    /// <summary>Writes the body (parts plus padding) to <paramref name="stream"/>.</summary>
    public void WriteBody(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> zeros = stackalloc byte[8];
        foreach (var part in BodyParts)
        {
            stream.Write(part.Span);
            var pad = (int)(((part.Length + 7) & ~7L) - part.Length);
            if (pad != 0)
            {
                stream.Write(zeros[..pad]);
            }
        }
    }

    /// <summary>Copies the body (with padding) into one array.</summary>
    public byte[] GetBodyBytes()
    {
        var body = new byte[BodyLength];
        var position = 0;
        foreach (var part in BodyParts)
        {
            part.Span.CopyTo(body.AsSpan(position));
            position += (int)((part.Length + 7) & ~7L);
        }
        return body;
    }
}
