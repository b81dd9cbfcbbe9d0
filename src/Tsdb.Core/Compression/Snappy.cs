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

    /// <summary>
    /// Decompresses into <paramref name="destination"/>, which must hold the announced length. Decoded here rather
    /// than by IronSnappy, whose decoder returns a new array per call (a large-object-heap allocation and a copy
    /// for every remote-write request).
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var length = GetDecompressedLength(source);
        if (length > destination.Length)
        {
            throw new InvalidDataException($"snappy: block holds {length} bytes, room for {destination.Length}");
        }
        var input = HeaderLength(source);
        var output = 0;
        var target = destination[..length];
        while (input < source.Length)
        {
            var tag = source[input++];
            int count;
            switch (tag & 3)
            {
                case 0:
                    {
                        count = tag >> 2;
                        if (count >= 60)
                        {
                            // 60..63: the length - 1 follows in 1..4 little-endian bytes.
                            var bytes = count - 59;
                            if (source.Length - input < bytes)
                            {
                                throw Corrupt("a literal length runs past the end");
                            }
                            long value = 0;
                            for (var i = 0; i < bytes; i++)
                            {
                                value |= (long)source[input + i] << (8 * i);
                            }
                            input += bytes;
                            if (value + 1 > target.Length - output)
                            {
                                throw Corrupt("a literal runs past the announced length");
                            }
                            count = (int)value;
                        }
                        count++;
                        if (count > source.Length - input || count > target.Length - output)
                        {
                            throw Corrupt("a literal runs past the end of the block or the announced length");
                        }
                        source.Slice(input, count).CopyTo(target[output..]);
                        input += count;
                        output += count;
                        continue;
                    }
                case 1:
                    {
                        if (input >= source.Length)
                        {
                            throw Corrupt("a copy runs past the end");
                        }
                        count = 4 + ((tag >> 2) & 7);
                        var offset = ((tag & 0xE0) << 3) | source[input++];
                        Copy(target, ref output, offset, count);
                        continue;
                    }
                case 2:
                    {
                        if (source.Length - input < 2)
                        {
                            throw Corrupt("a copy runs past the end");
                        }
                        count = 1 + (tag >> 2);
                        var offset = source[input] | (source[input + 1] << 8);
                        input += 2;
                        Copy(target, ref output, offset, count);
                        continue;
                    }
                default:
                    {
                        if (source.Length - input < 4)
                        {
                            throw Corrupt("a copy runs past the end");
                        }
                        count = 1 + (tag >> 2);
                        var offset = (long)(source[input] | (source[input + 1] << 8) | (source[input + 2] << 16)) | ((long)source[input + 3] << 24);
                        input += 4;
                        Copy(target, ref output, offset, count);
                        continue;
                    }
            }
        }
        if (output != length)
        {
            throw Corrupt($"the block decodes to {output} bytes, not the announced {length}");
        }
        return length;
    }

    /// <summary>A back-reference: <paramref name="count"/> bytes from <paramref name="offset"/> back; may overlap what it writes.</summary>
    private static void Copy(Span<byte> target, ref int output, long offset, int count)
    {
        if (offset <= 0 || offset > output)
        {
            throw Corrupt($"a copy refers {offset} bytes back from position {output}");
        }
        if (count > target.Length - output)
        {
            throw Corrupt("a copy runs past the announced length");
        }
        var from = output - (int)offset;
        if (offset >= count)
        {
            target.Slice(from, count).CopyTo(target[output..]);
        }
        else
        {
            // Overlapping: each byte may be one this copy just wrote (a run).
            for (var i = 0; i < count; i++)
            {
                target[output + i] = target[from + i];
            }
        }
        output += count;
    }

    private static int HeaderLength(ReadOnlySpan<byte> source)
    {
        var i = 0;
        while ((source[i] & 0x80) != 0)
        {
            i++;
        }
        return i + 1;
    }

    private static InvalidDataException Corrupt(string reason) => new($"snappy: corrupt block ({reason})");
}
