using System.Buffers;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// DELTA_LENGTH_BYTE_ARRAY (encoding 6): the lengths as DELTA_BINARY_PACKED INT32, then all the bytes back to back.
/// </summary>
internal static class DeltaLengthByteArray
{
    private const string Name = "DELTA_LENGTH_BYTE_ARRAY";

    /// <summary>Appends the values <c>data[offsets[i]..offsets[i + 1]]</c>; <paramref name="offsets"/> has count + 1 entries.</summary>
    public static void Encode(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var count = ByteArrayOffsets.Validate(data, offsets);
        var lengths = ArrayPool<int>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                lengths[i] = offsets[i + 1] - offsets[i];
            }
            DeltaBinaryPacked.Encode(lengths.AsSpan(0, count), output);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lengths);
        }
        output.Append(data[offsets[0]..offsets[count]]);
    }

    /// <summary>
    /// Decodes <paramref name="count"/> values: their bytes are appended to <paramref name="dataOut"/> and
    /// <c>offsetsOut[0..count]</c> receives their positions in <c>dataOut.WrittenSpan</c> (starting at the length it
    /// had on entry). The header must announce exactly <paramref name="count"/> lengths. An empty input is accepted
    /// for zero values.
    /// </summary>
    /// <returns>The bytes consumed.</returns>
    public static int Decode(ReadOnlySpan<byte> input, int count, Span<int> offsetsOut, ByteBuffer dataOut)
    {
        ArgumentNullException.ThrowIfNull(dataOut);
        ByteArrayOffsets.CheckOutput(Name, count, offsetsOut.Length);
        if (count == 0 && input.IsEmpty)
        {
            offsetsOut[0] = dataOut.Length;
            return 0;
        }
        var lengths = offsetsOut.Slice(1, count);
        var position = ReadLengths(Name, input, lengths);
        var total = SumLengths(Name, position, lengths);
        if (total > input.Length - position)
        {
            EncodingErrors.Truncated(Name, position, "the value bytes", total, input.Length - position);
        }
        var start = dataOut.Length;
        if (total > int.MaxValue - start)
        {
            EncodingErrors.Throw(Name, position, $"{total} value bytes do not fit after the {start} already decoded");
        }
        // The lengths sit in offsetsOut[1..]; a running sum turns them into end offsets in place.
        offsetsOut[0] = start;
        for (var i = 1; i <= count; i++)
        {
            offsetsOut[i] += offsetsOut[i - 1];
        }
        dataOut.Append(input.Slice(position, (int)total));
        return position + (int)total;
    }

    /// <summary>Decodes a DELTA_BINARY_PACKED length stream that must hold exactly <c>lengths.Length</c> values.</summary>
    internal static int ReadLengths(string encoding, ReadOnlySpan<byte> input, Span<int> lengths)
    {
        var announced = DeltaBinaryPacked.ReadTotalCount(input);
        if (announced != lengths.Length)
        {
            EncodingErrors.Throw(encoding, 0, $"the length header announces {announced} values, the page has {lengths.Length}");
        }
        return DeltaBinaryPacked.Decode(input, lengths);
    }

    /// <summary>The sum of <paramref name="lengths"/>, refusing negative ones.</summary>
    internal static long SumLengths(string encoding, int position, ReadOnlySpan<int> lengths)
    {
        long total = 0;
        for (var i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] < 0)
            {
                EncodingErrors.Throw(encoding, position, $"length {lengths[i]} of value {i} is negative");
            }
            total += lengths[i];
        }
        return total;
    }
}
