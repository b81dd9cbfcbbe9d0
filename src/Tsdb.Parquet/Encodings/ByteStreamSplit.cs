namespace Tsdb.Parquet.Encodings;

/// <summary>
/// BYTE_STREAM_SPLIT (encoding 9): for values of <c>width</c> bytes, byte k of every value goes to stream k, and
/// the streams are written one after the other. FLOAT and INT32 use width 4, DOUBLE and INT64 width 8,
/// FIXED_LEN_BYTE_ARRAY its type length.
/// </summary>
internal static class ByteStreamSplit
{
    private const string Name = "BYTE_STREAM_SPLIT";

    /// <summary>Splits <paramref name="values"/> (whole values of <paramref name="width"/> bytes) into
    /// <c>values.Length</c> bytes of <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<byte> values, int width, Span<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (values.Length % width != 0)
        {
            throw new ArgumentException($"{values.Length} bytes are not whole values of {width} bytes", nameof(values));
        }
        if (output.Length < values.Length)
        {
            throw new ArgumentException($"the output has {output.Length} bytes, {values.Length} are needed", nameof(output));
        }
        var count = values.Length / width;
        switch (width)
        {
            case 4:
                {
                    var s0 = output[..count];
                    var s1 = output.Slice(count, count);
                    var s2 = output.Slice(2 * count, count);
                    var s3 = output.Slice(3 * count, count);
                    for (var i = 0; i < count; i++)
                    {
                        var value = values.Slice(i * 4, 4);
                        s0[i] = value[0];
                        s1[i] = value[1];
                        s2[i] = value[2];
                        s3[i] = value[3];
                    }
                    break;
                }
            case 8:
                {
                    for (var i = 0; i < count; i++)
                    {
                        var value = values.Slice(i * 8, 8);
                        output[i] = value[0];
                        output[count + i] = value[1];
                        output[(2 * count) + i] = value[2];
                        output[(3 * count) + i] = value[3];
                        output[(4 * count) + i] = value[4];
                        output[(5 * count) + i] = value[5];
                        output[(6 * count) + i] = value[6];
                        output[(7 * count) + i] = value[7];
                    }
                    break;
                }
            default:
                for (var k = 0; k < width; k++)
                {
                    var stream = output.Slice(k * count, count);
                    for (var i = 0; i < count; i++)
                    {
                        stream[i] = values[(i * width) + k];
                    }
                }
                break;
        }
    }

    /// <summary>
    /// Joins <paramref name="count"/> values of <paramref name="width"/> bytes back together. The input must be
    /// exactly <c>count * width</c> bytes: the stream stride depends on the count, so any other size means the count
    /// or the page is wrong.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> input, int width, int count, Span<byte> output) => DecodeRange(input, width, count, 0, count, output);

    /// <summary>
    /// Joins values [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of the
    /// <paramref name="count"/> the input holds: value i's bytes sit at i in every stream, so a few values cost only
    /// their own bytes.
    /// </summary>
    public static void DecodeRange(ReadOnlySpan<byte> input, int width, int count, int start, int length, Span<byte> output)
    {
        if (width <= 0)
        {
            EncodingErrors.Throw(Name, 0, $"value width {width} is not positive");
        }
        if (count < 0)
        {
            EncodingErrors.Throw(Name, 0, $"value count {count} is negative");
        }
        var size = (long)width * count;
        if (input.Length != size)
        {
            EncodingErrors.Throw(Name, 0, $"{input.Length} bytes are not {count} values of {width} bytes");
        }
        if (start < 0 || length < 0 || start > count - length)
        {
            EncodingErrors.Throw(Name, 0, $"values {start}..{(long)start + length} are outside the {count} held");
        }
        if (output.Length < (long)width * length)
        {
            EncodingErrors.OutputTooSmall(Name, 0, length, output.Length / width);
        }
        var end = start + length;
        switch (width)
        {
            case 4:
                {
                    var s0 = input[..count];
                    var s1 = input.Slice(count, count);
                    var s2 = input.Slice(2 * count, count);
                    var s3 = input.Slice(3 * count, count);
                    for (var i = start; i < end; i++)
                    {
                        var value = output.Slice((i - start) * 4, 4);
                        value[0] = s0[i];
                        value[1] = s1[i];
                        value[2] = s2[i];
                        value[3] = s3[i];
                    }
                    break;
                }
            case 8:
                {
                    for (var i = start; i < end; i++)
                    {
                        var value = output.Slice((i - start) * 8, 8);
                        value[0] = input[i];
                        value[1] = input[count + i];
                        value[2] = input[(2 * count) + i];
                        value[3] = input[(3 * count) + i];
                        value[4] = input[(4 * count) + i];
                        value[5] = input[(5 * count) + i];
                        value[6] = input[(6 * count) + i];
                        value[7] = input[(7 * count) + i];
                    }
                    break;
                }
            default:
                for (var k = 0; k < width; k++)
                {
                    var stream = input.Slice(k * count, count);
                    for (var i = start; i < end; i++)
                    {
                        output[((i - start) * width) + k] = stream[i];
                    }
                }
                break;
        }
    }
}
