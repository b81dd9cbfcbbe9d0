namespace Tsdb.Core.Compression;

/// <summary>
/// Snappy's raw block format (what Parquet's SNAPPY codec and Prometheus remote-write use), through the IronSnappy
/// package. Corrupt input raises <see cref="InvalidDataException"/>.
/// </summary>
public static class Snappy
{
    public static byte[] Compress(ReadOnlySpan<byte> source) => IronSnappy.Snappy.Encode(source);

    /// <summary>The uncompressed length the block's header announces.</summary>
    public static int GetDecompressedLength(ReadOnlySpan<byte> source)
    {
        // The block starts with the uncompressed length as a little-endian base-128 varint (at most 5 bytes).
        ulong value = 0;
        for (var i = 0; i < Math.Min(5, source.Length); i++)
        {
            value |= (ulong)(source[i] & 0x7F) << (7 * i);
            if ((source[i] & 0x80) == 0)
            {
                return value <= int.MaxValue ? (int)value : throw new InvalidDataException("snappy: block length too large");
            }
        }
        throw new InvalidDataException("snappy: bad block length header");
    }

    /// <summary>Decompresses into <paramref name="destination"/>, which must hold exactly the announced length.</summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var length = GetDecompressedLength(source);
        if (length > destination.Length)
        {
            throw new InvalidDataException($"snappy: block holds {length} bytes, room for {destination.Length}");
        }
        try
        {
            var decoded = IronSnappy.Snappy.Decode(source);
            decoded.CopyTo(destination);
            return decoded.Length;
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"snappy: corrupt block ({e.Message})", e);
        }
    }
}
