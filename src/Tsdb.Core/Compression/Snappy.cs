namespace Tsdb.Core.Compression;

/// <summary>
/// Snappy's raw block format (what Parquet's SNAPPY codec and Prometheus remote-write use), through the Snappier
/// package, into buffers the caller owns. Corrupt input raises <see cref="InvalidDataException"/>.
/// </summary>
/// <remarks>
/// Decoding went through a decoder of our own until Snappier was measured against it (bench/Tsdb.Benchmarks at
/// 801b784, <c>SnappyDecodeBenchmarks</c>, 2026-12-06, two runs): on a 1 MiB Parquet page of int64 values Snappier
/// took 0.15–0.55× our time, on remote-write-like label text 0.57–0.92×, allocating under 100 bytes a call; so both
/// directions are Snappier's (docs/performance.md, Parquet).
/// </remarks>
public static class Snappy
{
    /// <summary>The most bytes <see cref="Compress(ReadOnlySpan{byte}, Span{byte})"/> can write for <paramref name="length"/> input bytes.</summary>
    public static int GetMaxCompressedLength(int length) => Snappier.Snappy.GetMaxCompressedLength(length);

    /// <summary>Compresses into <paramref name="destination"/> (at least <see cref="GetMaxCompressedLength"/> long); returns the bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination) => Snappier.Snappy.Compress(source, destination);

    /// <summary>Compresses into a new array: for tests and cold paths; hot paths compress into a buffer they own.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source) => Snappier.Snappy.CompressToArray(source);

    /// <summary>The uncompressed length the block's header announces.</summary>
    public static int GetDecompressedLength(ReadOnlySpan<byte> source) => Snappier.Snappy.GetUncompressedLength(source);

    /// <summary>Decompresses into <paramref name="destination"/>, which must hold the announced length.</summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var length = GetDecompressedLength(source);
        if (length > destination.Length)
        {
            // Snappier would raise ArgumentException; to callers a block longer than its room is bad data.
            throw new InvalidDataException($"snappy: block holds {length} bytes, room for {destination.Length}");
        }
        return Snappier.Snappy.Decompress(source, destination);
    }
}
