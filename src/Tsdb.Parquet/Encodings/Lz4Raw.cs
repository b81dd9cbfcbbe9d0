using System.Buffers;
using System.Buffers.Binary;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// The LZ4 block format, which is the LZ4_RAW codec (7) of Parquet pages: sequences of a token (literal count high
/// nibble, match length - 4 low nibble, 15 meaning "more bytes follow", each 255 meaning "and more"), the
/// literals, a 2-byte little-endian match offset and the match; the last sequence holds only literals.
/// </summary>
internal static class Lz4Raw
{
    private const string Name = "LZ4_RAW";
    private const int MinMatch = 4;
    private const int MaxOffset = 65_535;

    // The block format's end rules, which fast decoders rely on: the last 5 bytes are literals and the last match
    // starts at least 12 bytes before the end (so blocks under 13 bytes are all literals).
    private const int LastLiterals = 5;
    private const int MatchStartMargin = 12;

    private const int HashBits = 12;

    /// <summary>The most bytes <see cref="Encode"/> can write for an input of <paramref name="length"/> bytes.</summary>
    public static int MaxEncodedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return checked(length + (length / 255) + 16);
    }

    /// <summary>
    /// Compresses <paramref name="input"/> as one LZ4 block appended to <paramref name="output"/>: a greedy
    /// single-probe matcher over a 4096-entry hash table; fast and simple rather than tight.
    /// </summary>
    /// <returns>The bytes appended.</returns>
    public static int Encode(ReadOnlySpan<byte> input, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var destination = output.GetSpan(MaxEncodedLength(input.Length));
        var written = 0;
        var anchor = 0;
        if (input.Length > MatchStartMargin)
        {
            var table = ArrayPool<int>.Shared.Rent(1 << HashBits);
            try
            {
                Array.Clear(table, 0, 1 << HashBits);
                var lastMatchStart = input.Length - MatchStartMargin;
                var matchEndLimit = input.Length - LastLiterals;
                var position = 0;
                while (position <= lastMatchStart)
                {
                    var sequence = BinaryPrimitives.ReadUInt32LittleEndian(input.Slice(position, 4));
                    var slot = (int)((sequence * 2_654_435_761u) >> (32 - HashBits));
                    var candidate = table[slot];
                    table[slot] = position;
                    if (candidate >= position || position - candidate > MaxOffset
                        || BinaryPrimitives.ReadUInt32LittleEndian(input.Slice(candidate, 4)) != sequence)
                    {
                        position++;
                        continue;
                    }
                    while (position > anchor && candidate > 0 && input[position - 1] == input[candidate - 1])
                    {
                        position--;
                        candidate--;
                    }
                    var extra = matchEndLimit - position - MinMatch;
                    var length = MinMatch + input.Slice(candidate + MinMatch, extra).CommonPrefixLength(input.Slice(position + MinMatch, extra));
                    WriteSequence(destination, ref written, input[anchor..position], position - candidate, length);
                    position += length;
                    anchor = position;
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(table);
            }
        }
        WriteSequence(destination, ref written, input[anchor..], 0, 0);
        output.Advance(written);
        return written;
    }

    private static void WriteSequence(Span<byte> destination, ref int written, ReadOnlySpan<byte> literals, int offset, int matchLength)
    {
        var token = written++;
        var high = Math.Min(literals.Length, 15);
        if (literals.Length >= 15)
        {
            WriteLength(destination, ref written, literals.Length - 15);
        }
        literals.CopyTo(destination[written..]);
        written += literals.Length;
        var low = 0;
        if (matchLength > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(written, 2), (ushort)offset);
            written += 2;
            var extra = matchLength - MinMatch;
            low = Math.Min(extra, 15);
            if (extra >= 15)
            {
                WriteLength(destination, ref written, extra - 15);
            }
        }
        destination[token] = (byte)((high << 4) | low);
    }

    private static void WriteLength(Span<byte> destination, ref int written, int length)
    {
        while (length >= 255)
        {
            destination[written++] = 255;
            length -= 255;
        }
        destination[written++] = (byte)length;
    }

    /// <summary>
    /// Decompresses one LZ4 block into <paramref name="output"/>. Every length is checked against the bytes left in
    /// the input and the room left in the output, and every match offset against the bytes already produced.
    /// An empty input decodes to nothing.
    /// </summary>
    /// <returns>The bytes written; callers compare it with the page's uncompressed size.</returns>
    public static int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var position = 0;
        var written = 0;
        while (position < input.Length)
        {
            var tokenAt = position;
            int token = input[position++];
            var literals = token >> 4;
            if (literals == 15)
            {
                literals = ReadLength(input, ref position, 15);
            }
            if (literals > input.Length - position)
            {
                EncodingErrors.Truncated(Name, position, "literals", literals, input.Length - position);
            }
            if (literals > output.Length - written)
            {
                EncodingErrors.Throw(Name, position, $"{literals} literals overflow the output ({output.Length - written} bytes left)");
            }
            input.Slice(position, literals).CopyTo(output[written..]);
            position += literals;
            written += literals;
            if (position == input.Length)
            {
                return written;
            }
            if (input.Length - position < 2)
            {
                EncodingErrors.Truncated(Name, position, "a match offset", 2, input.Length - position);
            }
            var offset = BinaryPrimitives.ReadUInt16LittleEndian(input.Slice(position, 2));
            if (offset == 0 || offset > written)
            {
                EncodingErrors.Throw(Name, position, $"match offset {offset} is outside the {written} bytes decoded so far");
            }
            position += 2;
            var length = token & 15;
            if (length == 15)
            {
                length = ReadLength(input, ref position, 15);
            }
            length += MinMatch;
            if (length > output.Length - written)
            {
                EncodingErrors.Throw(Name, position, $"a match of {length} bytes overflows the output ({output.Length - written} bytes left)");
            }
            CopyMatch(output, written, offset, length);
            written += length;
            if (position == input.Length)
            {
                EncodingErrors.Throw(Name, tokenAt, "the block ends with a match; its last sequence must hold only literals");
            }
        }
        return written;
    }

    private static int ReadLength(ReadOnlySpan<byte> input, ref int position, int length)
    {
        var start = position;
        while (true)
        {
            if (position >= input.Length)
            {
                EncodingErrors.Truncated(Name, position, "a length", 1, 0);
            }
            var b = input[position++];
            length += b;
            // Bounded by int.MaxValue - 255 - MinMatch so that neither the sum nor the +4 of a match overflows.
            if (length > int.MaxValue - 512)
            {
                EncodingErrors.Throw(Name, start, "a length overflows");
            }
            if (b != 255)
            {
                return length;
            }
        }
    }

    /// <summary>Copies a match, which may overlap the bytes it produces (offset below length repeats a pattern).</summary>
    private static void CopyMatch(Span<byte> output, int at, int offset, int length)
    {
        var source = at - offset;
        if (offset >= length)
        {
            output.Slice(source, length).CopyTo(output[at..]);
            return;
        }
        if (offset == 1)
        {
            output.Slice(at, length).Fill(output[source]);
            return;
        }
        // The bytes from source on repeat with period offset; copying from source in chunks no longer than what is
        // already there doubles the chunk each time and never overlaps.
        var done = 0;
        while (done < length)
        {
            var chunk = Math.Min(length - done, at + done - source);
            output.Slice(source, chunk).CopyTo(output[(at + done)..]);
            done += chunk;
        }
    }
}
