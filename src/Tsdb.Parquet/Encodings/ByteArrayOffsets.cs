namespace Tsdb.Parquet.Encodings;

/// <summary>
/// Arrow-style offsets for byte-array values: <c>count + 1</c> ascending positions into a data span, value i being
/// <c>data[offsets[i]..offsets[i + 1]]</c>. Decoders write them relative to the output buffer's written bytes, so
/// several pages can append to one buffer.
/// </summary>
internal static class ByteArrayOffsets
{
    /// <summary>Checks the offsets an encoder was given and returns the value count.</summary>
    public static int Validate(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets)
    {
        if (offsets.IsEmpty)
        {
            throw new ArgumentException("offsets need count + 1 entries, so at least one", nameof(offsets));
        }
        var previous = offsets[0];
        if (previous < 0)
        {
            throw new ArgumentException($"offset 0 is negative ({previous})", nameof(offsets));
        }
        for (var i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] < previous)
            {
                throw new ArgumentException($"offset {i} ({offsets[i]}) is below offset {i - 1} ({previous})", nameof(offsets));
            }
            previous = offsets[i];
        }
        if (previous > data.Length)
        {
            throw new ArgumentException($"the last offset ({previous}) is past the data ({data.Length} bytes)", nameof(offsets));
        }
        return offsets.Length - 1;
    }

    /// <summary>Checks that a decoder's offsets output holds <paramref name="count"/> + 1 entries.</summary>
    public static void CheckOutput(string encoding, int count, int offsetsLength)
    {
        if (count < 0)
        {
            EncodingErrors.Throw(encoding, 0, $"value count {count} is negative");
        }
        if (offsetsLength <= count)
        {
            EncodingErrors.OutputTooSmall(encoding, 0, count, offsetsLength - 1);
        }
    }
}
