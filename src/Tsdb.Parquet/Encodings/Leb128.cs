namespace Tsdb.Parquet.Encodings;

/// <summary>Bounds-checked ULEB128 and zigzag readers for the encodings' headers.</summary>
internal static class Leb128
{
    /// <summary>Reads an unsigned LEB128 of at most 10 bytes that fits in 64 bits; non-minimal forms are accepted.</summary>
    public static ulong ReadUInt64(ReadOnlySpan<byte> input, ref int position, string encoding, string what)
    {
        var p = position;
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if ((uint)p >= (uint)input.Length)
            {
                EncodingErrors.Throw(encoding, position, $"input ends inside the varint of {what}");
            }
            var b = input[p++];
            if (shift == 63 && b > 1)
            {
                EncodingErrors.Throw(encoding, position, $"the varint of {what} overflows 64 bits");
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                position = p;
                return result;
            }
            shift += 7;
        }
    }

    /// <summary>Reads a ULEB128 and rejects values above <paramref name="max"/>.</summary>
    public static int ReadInt32(ReadOnlySpan<byte> input, ref int position, string encoding, string what, int max = int.MaxValue)
    {
        var start = position;
        var value = ReadUInt64(input, ref position, encoding, what);
        if (value > (ulong)max)
        {
            EncodingErrors.Throw(encoding, start, $"{what} {value} exceeds {max}");
        }
        return (int)value;
    }

    /// <summary>Reads a zigzag-encoded ULEB128 (0 → 0, 1 → -1, 2 → 1, …).</summary>
    public static long ReadZigZag64(ReadOnlySpan<byte> input, ref int position, string encoding, string what)
    {
        var value = ReadUInt64(input, ref position, encoding, what);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }
}
