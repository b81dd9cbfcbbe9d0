using System.Buffers.Binary;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// PLAIN (encoding 0). Fixed-width values (INT32, INT64, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY) are little-endian
/// copies, so writers append their bytes directly; this class has the parts that need care.
/// </summary>
internal static class PlainEncoding
{
    private const string Name = "PLAIN";

    /// <summary>Julian day number of 1970-01-01, the Unix epoch.</summary>
    public const int UnixEpochJulianDay = 2_440_588;

    private const long NanosecondsPerDay = 86_400_000_000_000;

    /// <summary>Appends booleans bit-packed LSB first (<c>ceil(count / 8)</c> bytes, unused high bits zero).</summary>
    public static void EncodeBooleans(ReadOnlySpan<bool> values, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var length = (values.Length + 7) / 8;
        var destination = output.GetSpan(length)[..length];
        destination.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                destination[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        output.Advance(length);
    }

    /// <summary>
    /// Appends <paramref name="count"/> booleans taken from an Arrow LSB bitmap starting at bit
    /// <paramref name="bitOffset"/> (Arrow arrays may be slices). PLAIN booleans are the same bit order, so an aligned
    /// bitmap is copied; unused high bits of the last byte are written as zero.
    /// </summary>
    public static void EncodeBooleans(ReadOnlySpan<byte> bitmap, int bitOffset, int count, ByteBuffer output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(output);
        if ((long)bitOffset + count > (long)bitmap.Length * 8)
        {
            throw new ArgumentException($"bits {bitOffset}..{(long)bitOffset + count} are past a bitmap of {bitmap.Length} bytes", nameof(bitmap));
        }
        var length = (count + 7) / 8;
        var destination = output.GetSpan(length)[..length];
        var first = bitOffset >> 3;
        var shift = bitOffset & 7;
        if (shift == 0)
        {
            bitmap.Slice(first, length).CopyTo(destination);
        }
        else
        {
            for (var j = 0; j < length; j++)
            {
                var low = bitmap[first + j] >> shift;
                var high = first + j + 1 < bitmap.Length ? bitmap[first + j + 1] << (8 - shift) : 0;
                destination[j] = (byte)(low | high);
            }
        }
        if (count % 8 != 0)
        {
            destination[length - 1] &= (byte)((1 << (count % 8)) - 1);
        }
        output.Advance(length);
    }

    /// <summary>
    /// Decodes <paramref name="count"/> booleans into an Arrow LSB bitmap at the start of <paramref name="bitsOut"/>
    /// (<c>ceil(count / 8)</c> bytes; bits past <paramref name="count"/> in the last byte are cleared).
    /// </summary>
    /// <returns>The bytes consumed, <c>ceil(count / 8)</c>.</returns>
    public static int DecodeBooleans(ReadOnlySpan<byte> input, int count, Span<byte> bitsOut)
    {
        if (count < 0)
        {
            EncodingErrors.Throw(Name, 0, $"boolean count {count} is negative");
        }
        var length = (int)(((long)count + 7) / 8);
        if (input.Length < length)
        {
            EncodingErrors.Truncated(Name, 0, $"{count} booleans", length, input.Length);
        }
        if (bitsOut.Length < length)
        {
            EncodingErrors.OutputTooSmall(Name, 0, count, bitsOut.Length * 8);
        }
        input[..length].CopyTo(bitsOut);
        if (count % 8 != 0)
        {
            bitsOut[length - 1] &= (byte)((1 << (count % 8)) - 1);
        }
        return length;
    }

    /// <summary>Appends each value <c>data[offsets[i]..offsets[i + 1]]</c> as a 4-byte little-endian length and its bytes.</summary>
    public static void EncodeByteArrays(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var count = ByteArrayOffsets.Validate(data, offsets);
        var length = checked((4 * count) + (offsets[count] - offsets[0]));
        var destination = output.GetSpan(length);
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            var value = data[offsets[i]..offsets[i + 1]];
            BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(at, 4), value.Length);
            value.CopyTo(destination[(at + 4)..]);
            at += 4 + value.Length;
        }
        output.Advance(length);
    }

    /// <summary>
    /// Decodes <paramref name="count"/> length-prefixed values: bytes appended to <paramref name="dataOut"/>,
    /// <c>offsetsOut[0..count]</c> their positions in <c>dataOut.WrittenSpan</c> (from its length on entry). Every
    /// length is checked against the input before anything is copied.
    /// </summary>
    /// <returns>The bytes consumed.</returns>
    public static int DecodeByteArrays(ReadOnlySpan<byte> input, int count, Span<int> offsetsOut, ByteBuffer dataOut)
    {
        ArgumentNullException.ThrowIfNull(dataOut);
        ByteArrayOffsets.CheckOutput(Name, count, offsetsOut.Length);
        var position = 0;
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            if (input.Length - position < 4)
            {
                EncodingErrors.Truncated(Name, position, $"the length of byte array {i}", 4, input.Length - position);
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(input.Slice(position, 4));
            if (length < 0)
            {
                EncodingErrors.Throw(Name, position, $"length {length} of byte array {i} is negative");
            }
            position += 4;
            if (length > input.Length - position)
            {
                EncodingErrors.Truncated(Name, position, $"byte array {i}", length, input.Length - position);
            }
            position += length;
            total += length;
        }
        var start = dataOut.Length;
        if (total > int.MaxValue - start)
        {
            EncodingErrors.Throw(Name, 0, $"{total} value bytes do not fit after the {start} already decoded");
        }
        var destination = dataOut.GetSpan((int)total);
        offsetsOut[0] = start;
        position = 0;
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(input.Slice(position, 4));
            input.Slice(position + 4, length).CopyTo(destination[written..]);
            position += 4 + length;
            written += length;
            offsetsOut[i + 1] = start + written;
        }
        dataOut.Advance(written);
        return position;
    }

    /// <summary>Copies <paramref name="count"/> values of <paramref name="width"/> bytes (little-endian as stored).</summary>
    /// <returns>The bytes consumed, <c>width * count</c>.</returns>
    public static int DecodeFixed(ReadOnlySpan<byte> input, int width, int count, Span<byte> output)
    {
        if (width <= 0)
        {
            EncodingErrors.Throw(Name, 0, $"value width {width} is not positive");
        }
        if (count < 0)
        {
            EncodingErrors.Throw(Name, 0, $"value count {count} is negative");
        }
        var length = (long)width * count;
        if (length > input.Length)
        {
            EncodingErrors.Truncated(Name, 0, $"{count} values of {width} bytes", length, input.Length);
        }
        if (length > output.Length)
        {
            EncodingErrors.OutputTooSmall(Name, 0, count, output.Length / width);
        }
        input[..(int)length].CopyTo(output);
        return (int)length;
    }

    /// <summary>
    /// Decodes legacy INT96 timestamps (8 bytes little-endian nanoseconds within the day, then 4 bytes little-endian
    /// Julian day) to nanoseconds since the Unix epoch. Timestamps outside the Int64 range are an error.
    /// </summary>
    /// <returns>The bytes consumed, <c>12 * count</c>.</returns>
    public static int DecodeInt96AsNanoseconds(ReadOnlySpan<byte> input, int count, Span<long> output)
    {
        if (count < 0)
        {
            EncodingErrors.Throw(Name, 0, $"value count {count} is negative");
        }
        var length = 12L * count;
        if (length > input.Length)
        {
            EncodingErrors.Truncated(Name, 0, $"{count} INT96 values", length, input.Length);
        }
        if (count > output.Length)
        {
            EncodingErrors.OutputTooSmall(Name, 0, count, output.Length);
        }
        for (var i = 0; i < count; i++)
        {
            var value = input.Slice(i * 12, 12);
            var nanosOfDay = BinaryPrimitives.ReadInt64LittleEndian(value);
            var julianDay = BinaryPrimitives.ReadInt32LittleEndian(value[8..]);
            var nanos = ((Int128)(julianDay - (long)UnixEpochJulianDay) * NanosecondsPerDay) + nanosOfDay;
            if (nanos < long.MinValue || nanos > long.MaxValue)
            {
                EncodingErrors.Throw(Name, i * 12, $"INT96 timestamp (Julian day {julianDay}, {nanosOfDay} ns) is outside the nanosecond range");
            }
            output[i] = (long)nanos;
        }
        return (int)length;
    }
}
