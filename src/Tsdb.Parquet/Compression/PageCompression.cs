using System.IO.Compression;
using Tsdb.Core.Compression;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Compression;

/// <summary>
/// Page compression as Compression.md frames it: the codec's own format, no extra framing. Writes ZSTD, SNAPPY, GZIP
/// (RFC 1952) or nothing; reads those plus LZ4_RAW and BROTLI.
/// </summary>
internal static class PageCompression
{
    public static bool CanWrite(CompressionCodec codec) => codec is CompressionCodec.Uncompressed or CompressionCodec.Snappy or CompressionCodec.Gzip or CompressionCodec.Zstd;

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/> (appending).</summary>
    public static void Compress(CompressionCodec codec, ReadOnlySpan<byte> input, ByteBuffer output, int zstdLevel)
    {
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                output.Append(input);
                break;
            case CompressionCodec.Zstd:
                var span = output.GetSpan(Zstd.MaxCompressedLength(input.Length));
                output.Advance(Zstd.Compress(input, span, zstdLevel));
                break;
            case CompressionCodec.Snappy:
                var snappy = output.GetSpan(Snappy.GetMaxCompressedLength(input.Length));
                output.Advance(Snappy.Compress(input, snappy));
                break;
            case CompressionCodec.Gzip:
                using (var memory = new MemoryStream())
                {
                    using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        gzip.Write(input);
                    }
                    output.Append(memory.GetBuffer().AsSpan(0, (int)memory.Length));
                }
                break;
            default:
                throw new NotSupportedException($"writing {codec} pages is not supported");
        }
    }

    /// <summary>Decompresses a page body into exactly <paramref name="output"/>.Length bytes.</summary>
    public static void Decompress(CompressionCodec codec, ReadOnlySpan<byte> input, Span<byte> output, string where)
    {
        int written;
        try
        {
            switch (codec)
            {
                case CompressionCodec.Uncompressed:
                    if (input.Length != output.Length)
                    {
                        throw new ParquetFormatException($"{where}: uncompressed page of {input.Length} bytes, the header says {output.Length}");
                    }
                    input.CopyTo(output);
                    return;
                case CompressionCodec.Zstd:
                    written = Zstd.Decompress(input, output);
                    break;
                case CompressionCodec.Snappy:
                    written = Snappy.Decompress(input, output);
                    break;
                case CompressionCodec.Gzip:
                    written = Inflate(input, output, where);
                    break;
                case CompressionCodec.Lz4Raw:
                    written = Lz4Raw.Decode(input, output);
                    break;
                case CompressionCodec.Brotli:
                    if (!BrotliDecoder.TryDecompress(input, output, out written))
                    {
                        throw new ParquetFormatException($"{where}: brotli page does not decompress into {output.Length} bytes");
                    }
                    break;
                default:
                    throw new ParquetFormatException($"{where}: unsupported compression codec {codec}");
            }
        }
        catch (InvalidDataException e)
        {
            throw new ParquetFormatException($"{where}: corrupt {codec} page: {e.Message}", e);
        }
        if (written != output.Length)
        {
            throw new ParquetFormatException($"{where}: {codec} page decompressed to {written} bytes, the header says {output.Length}");
        }
    }

    /// <summary>gzip, accepting several members back to back as Compression.md asks of readers.</summary>
    private static unsafe int Inflate(ReadOnlySpan<byte> input, Span<byte> output, string where)
    {
        if (input.IsEmpty)
        {
            return 0;
        }
        fixed (byte* pointer = input)
        {
            using var memory = new UnmanagedMemoryStream(pointer, input.Length);
            using var gzip = new GZipStream(memory, CompressionMode.Decompress);
            var total = 0;
            while (total < output.Length)
            {
                var n = gzip.Read(output[total..]);
                if (n == 0)
                {
                    break;
                }
                total += n;
            }
            if (total == output.Length && gzip.Read(stackalloc byte[1]) != 0)
            {
                throw new ParquetFormatException($"{where}: gzip page holds more than the {output.Length} bytes its header says");
            }
            return total;
        }
    }
}
