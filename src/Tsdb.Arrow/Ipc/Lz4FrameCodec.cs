using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// LZ4_FRAME body buffers: the LZ4 frame format (magic, descriptor, blocks, end mark), which is what Arrow C++ and
/// Apache.Arrow (C#) write, as opposed to raw LZ4 blocks. K4os does the frame work; this class bounds it.
/// </summary>
internal static class Lz4FrameCodec
{
    private static readonly LZ4EncoderSettings Settings = new()
    {
        BlockSize = BlockSize,
        ChainBlocks = true,
        ContentChecksum = false,
        BlockChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    private const int BlockSize = 64 << 10;

    /// <summary>
    /// Decompresses one frame into exactly <paramref name="uncompressed"/> bytes. A frame that holds fewer or more
    /// bytes, or whose header declares another size, is corrupt.
    /// </summary>
    public static byte[] Decompress(string name, ReadOnlyMemory<byte> frame, int uncompressed)
    {
        // An LZ4 sequence expands at most about 255 times (each extra match-length byte adds 255 bytes); a prefix
        // beyond that is a lie, refused before it sizes an allocation.
        if (uncompressed > (frame.Length * 256L) + 64)
        {
            throw new ArrowFormatException($"field '{name}': an LZ4 frame of {frame.Length} bytes cannot hold the {uncompressed} bytes the prefix says");
        }
        try
        {
            using var reader = LZ4Frame.Decode(frame);
            // A frame may carry its content size; checking it first keeps a lying prefix from sizing the allocation
            // on its own when the frame says otherwise.
            if (reader.GetFrameLength() is { } declared && declared != uncompressed)
            {
                throw new ArrowFormatException($"field '{name}': LZ4 frame holds {declared} bytes, the prefix says {uncompressed}");
            }
            var output = GC.AllocateUninitializedArray<byte>(uncompressed);
            var total = 0;
            while (total < output.Length)
            {
                var read = reader.ReadManyBytes(output.AsSpan(total));
                if (read == 0)
                {
                    throw new ArrowFormatException($"field '{name}': LZ4 frame holds {total} bytes, the prefix says {uncompressed}");
                }
                total += read;
            }
            if (reader.ReadOneByte() >= 0)
            {
                throw new ArrowFormatException($"field '{name}': LZ4 frame holds more than the {uncompressed} bytes the prefix says");
            }
            return output;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or NotImplementedException)
        {
            // K4os reports corrupt frames with these (bad magic, truncation, bad block sizes); a frame asking for a
            // feature it lacks (e.g. a dictionary id) comes as NotImplementedException. None is a stub of ours.
            throw new ArrowFormatException($"field '{name}': corrupt LZ4 frame: {e.Message}", e);
        }
    }

    /// <summary>int64 uncompressed length, then one LZ4 frame; or -1 and the raw bytes when LZ4 does not help.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> raw)
    {
        // Frame header (at most 19 bytes), each block's 4-byte size (incompressible blocks are stored as they are),
        // and the 4-byte end mark.
        var bound = raw.Length + 32 + (4 * ((raw.Length / BlockSize) + 1));
        var output = GC.AllocateUninitializedArray<byte>(8 + bound);
        // K4os takes the source as a Span in its span-to-span overload but only reads it.
        var source = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(raw), raw.Length);
        return CompressedBody.Frame(raw, output, LZ4Frame.Encode(source, output.AsSpan(8), Settings));
    }
}
