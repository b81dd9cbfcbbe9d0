using System.Buffers;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// DELTA_BYTE_ARRAY (encoding 7, incremental or front coding): for each value the length of the prefix it shares
/// with the previous value (DELTA_BINARY_PACKED), then the rest of each value as DELTA_LENGTH_BYTE_ARRAY.
/// </summary>
internal static class DeltaByteArray
{
    private const string Name = "DELTA_BYTE_ARRAY";

    /// <summary>Appends the values <c>data[offsets[i]..offsets[i + 1]]</c>; <paramref name="offsets"/> has count + 1 entries.</summary>
    public static void Encode(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var count = ByteArrayOffsets.Validate(data, offsets);
        var prefixes = ArrayPool<int>.Shared.Rent(count);
        var suffixes = ArrayPool<int>.Shared.Rent(count);
        try
        {
            ReadOnlySpan<byte> previous = default;
            for (var i = 0; i < count; i++)
            {
                var value = data[offsets[i]..offsets[i + 1]];
                var shared = previous.CommonPrefixLength(value);
                prefixes[i] = shared;
                suffixes[i] = value.Length - shared;
                previous = value;
            }
            DeltaBinaryPacked.Encode(prefixes.AsSpan(0, count), output);
            DeltaBinaryPacked.Encode(suffixes.AsSpan(0, count), output);
            for (var i = 0; i < count; i++)
            {
                output.Append(data.Slice(offsets[i] + prefixes[i], suffixes[i]));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(prefixes);
            ArrayPool<int>.Shared.Return(suffixes);
        }
    }

    /// <summary>
    /// Decodes <paramref name="count"/> values into <paramref name="dataOut"/> and <paramref name="offsetsOut"/>
    /// (count + 1 entries, positions in <c>dataOut.WrittenSpan</c> from its length on entry). Shared prefixes make the
    /// output larger than the input, possibly by a lot, so the decoded bytes are counted and refused past
    /// <paramref name="maxDataLength"/> before anything is allocated. An empty input is accepted for zero values.
    /// </summary>
    /// <returns>The bytes consumed.</returns>
    public static int Decode(ReadOnlySpan<byte> input, int count, Span<int> offsetsOut, ByteBuffer dataOut, int maxDataLength = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(dataOut);
        ByteArrayOffsets.CheckOutput(Name, count, offsetsOut.Length);
        var start = dataOut.Length;
        offsetsOut[0] = start;
        if (count == 0 && input.IsEmpty)
        {
            return 0;
        }
        var prefixArray = ArrayPool<int>.Shared.Rent(count);
        try
        {
            var prefixes = prefixArray.AsSpan(0, count);
            var position = DeltaLengthByteArray.ReadLengths(Name, input, prefixes);
            // The suffix lengths go to offsetsOut[1..] and are replaced by end offsets as the values are built.
            var suffixes = offsetsOut.Slice(1, count);
            position += DeltaLengthByteArray.ReadLengths(Name, input[position..], suffixes);
            var suffixBytes = DeltaLengthByteArray.SumLengths(Name, position, suffixes);
            if (suffixBytes > input.Length - position)
            {
                EncodingErrors.Truncated(Name, position, "the suffix bytes", suffixBytes, input.Length - position);
            }
            var limit = Math.Min(maxDataLength, int.MaxValue - start);
            long total = 0;
            long previousLength = 0;
            for (var i = 0; i < count; i++)
            {
                var prefix = prefixes[i];
                if (prefix < 0 || prefix > previousLength)
                {
                    EncodingErrors.Throw(Name, 0, $"prefix length {prefix} of value {i} is outside 0..{previousLength} (the previous value's length)");
                }
                previousLength = prefix + (long)suffixes[i];
                total += previousLength;
                if (total > limit)
                {
                    EncodingErrors.Throw(Name, 0, $"the values decode to more than {limit} bytes");
                }
            }
            var destination = dataOut.GetSpan((int)total);
            var suffixAt = position;
            var written = 0;
            var previousStart = 0;
            for (var i = 0; i < count; i++)
            {
                var prefix = prefixes[i];
                var suffix = suffixes[i];
                destination.Slice(previousStart, prefix).CopyTo(destination[written..]);
                input.Slice(suffixAt, suffix).CopyTo(destination[(written + prefix)..]);
                suffixAt += suffix;
                previousStart = written;
                written += prefix + suffix;
                offsetsOut[i + 1] = start + written;
            }
            dataOut.Advance(written);
            return suffixAt;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(prefixArray);
        }
    }
}
