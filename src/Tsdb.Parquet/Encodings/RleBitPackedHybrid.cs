using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// The RLE / bit-packed hybrid (encoding RLE = 3): definition and repetition levels, dictionary indices and RLE
/// booleans. Only the runs; the 4-byte length prefix that some page kinds put in front is the caller's business.
/// </summary>
internal static class RleBitPackedHybrid
{
    private const string Name = "RLE";

    /// <summary>A run of this many equal values is written as an RLE run; shorter ones are bit-packed.</summary>
    private const int MinRepeatRun = 8;

    /// <summary>The bit width needed for values 0..<paramref name="maxValue"/> (0 for 0).</summary>
    public static int MaxBitWidth(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return 32 - BitOperations.LeadingZeroCount((uint)maxValue);
    }

    /// <summary>
    /// Appends the runs for <paramref name="values"/>, each in 0..2^bitWidth-1 (bit width 32 takes any int as its
    /// unsigned bits). Repeats of at least 8 become RLE runs, everything else bit-packed runs; only the very last
    /// bit-packed group is padded (with zeros), since padding anywhere else would decode as values.
    /// </summary>
    public static void Encode(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitWidth, 32);
        ArgumentNullException.ThrowIfNull(output);
        var literalStart = 0;
        var i = 0;
        while (i < values.Length)
        {
            var value = values[i];
            if (bitWidth < 32 && (uint)value >> bitWidth != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(values), value, $"value at index {i} does not fit in {bitWidth} bits");
            }
            var runEnd = i + 1;
            while (runEnd < values.Length && values[runEnd] == value)
            {
                runEnd++;
            }
            // Literals before a repeat run must be whole groups: lend the run enough values to fill the last one.
            var lend = (8 - (i - literalStart) % 8) % 8;
            var rest = runEnd - i - lend;
            if (rest >= MinRepeatRun || (runEnd == values.Length && rest > 0))
            {
                WriteBitPacked(values[literalStart..(i + lend)], bitWidth, output);
                WriteRepeated(value, rest, bitWidth, output);
                literalStart = runEnd;
            }
            i = runEnd;
        }
        WriteBitPacked(values[literalStart..], bitWidth, output);
    }

    private static void WriteRepeated(int value, int count, int bitWidth, ByteBuffer output)
    {
        output.AppendVarUInt64((ulong)count << 1);
        var unsigned = (uint)value;
        for (var b = 0; b < (bitWidth + 7) / 8; b++)
        {
            output.AppendByte((byte)(unsigned >> (8 * b)));
        }
    }

    private static void WriteBitPacked(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        if (values.IsEmpty)
        {
            return;
        }
        var groups = (values.Length + 7) / 8;
        output.AppendVarUInt64(((ulong)groups << 1) | 1);
        var length = groups * bitWidth;
        var destination = output.GetSpan(length);
        var whole = values.Length / 8 * 8;
        var unsigned = MemoryMarshal.Cast<int, uint>(values);
        BitPacking.Pack(unsigned[..whole], bitWidth, destination);
        if (whole < values.Length)
        {
            Span<uint> last = stackalloc uint[8];
            last.Clear();
            unsigned[whole..].CopyTo(last);
            BitPacking.Pack(last, bitWidth, destination[(whole / 8 * bitWidth)..]);
        }
        output.Advance(length);
    }

    /// <summary>
    /// Decodes exactly <c>output.Length</c> values, after passing over the first <paramref name="skip"/>. Runs may go
    /// on past what is needed (padding in the last bit-packed group, or a run longer than the page) and bytes may
    /// follow; the input ending before the values wanted is an error. A last bit-packed run whose bytes stop after
    /// the values needed is accepted, as parquet-mr and Arrow do. Skipped values cost little: a repeated run its
    /// header, a bit-packed run its header and only the one group of 8 the first wanted value sits in.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> input, int bitWidth, Span<int> output, int skip = 0)
    {
        var sink = new IntoArray(MemoryMarshal.Cast<int, uint>(output));
        DecodeCore(input, bitWidth, output.Length, skip, ref sink);
    }

    /// <summary>
    /// The <paramref name="count"/> values after the first <paramref name="skip"/> as runs of one value, in order,
    /// appended to <paramref name="runs"/> (start from the first wanted value): a repeated run is reported whole, never
    /// expanded, and bit-packed values join their equal neighbours. A tag-sorted page of dictionary indices is a few
    /// runs thousands of values long, tested once each.
    /// </summary>
    public static void DecodeRuns(ReadOnlySpan<byte> input, int bitWidth, int count, int skip, List<(int Start, int Length, int Value)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var sink = new IntoRuns(runs);
        DecodeCore(input, bitWidth, count, skip, ref sink);
    }

    /// <summary>Where decoded values go: a repeated run whole, or bit-packed values unpacked into a span it lends.</summary>
    private interface ISink
    {
        void Repeat(int at, int count, uint value);

        Span<uint> Values(int at, int count);

        void Written(int at, int count);
    }

    private readonly ref struct IntoArray(Span<uint> output) : ISink
    {
        private readonly Span<uint> _output = output;

        public void Repeat(int at, int count, uint value) => _output.Slice(at, count).Fill(value);

        public Span<uint> Values(int at, int count) => _output.Slice(at, count);

        public void Written(int at, int count)
        {
        }
    }

    private struct IntoRuns(List<(int Start, int Length, int Value)> runs) : ISink
    {
        private uint[] _scratch = [];

        public readonly void Repeat(int at, int count, uint value) => Add(at, count, (int)value);

        public Span<uint> Values(int at, int count)
        {
            if (_scratch.Length < count)
            {
                _scratch = new uint[Math.Max(count, 64)];
            }
            return _scratch.AsSpan(0, count);
        }

        public readonly void Written(int at, int count)
        {
            var values = _scratch.AsSpan(0, count);
            for (var i = 0; i < values.Length;)
            {
                var other = values[(i + 1)..].IndexOfAnyExcept(values[i]);
                var length = other < 0 ? values.Length - i : other + 1;
                Add(at + i, length, (int)values[i]);
                i += length;
            }
        }

        private readonly void Add(int at, int count, int value)
        {
            if (runs.Count > 0 && runs[^1].Value == value && runs[^1].Start + runs[^1].Length == at)
            {
                runs[^1] = (runs[^1].Start, runs[^1].Length + count, value);
            }
            else
            {
                runs.Add((at, count, value));
            }
        }
    }

    private static void DecodeCore<TSink>(ReadOnlySpan<byte> input, int bitWidth, int count, int skip, ref TSink sink)
        where TSink : ISink, allows ref struct
    {
        if ((uint)bitWidth > 32)
        {
            EncodingErrors.Throw(Name, 0, $"bit width {bitWidth} is outside 0..32");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        var valueBytes = (bitWidth + 7) / 8;
        Span<byte> groupBytes = stackalloc byte[32];
        Span<uint> groupValues = stackalloc uint[8];
        var position = 0;
        var produced = 0;
        long toSkip = skip;
        while (produced < count)
        {
            if (position >= input.Length)
            {
                EncodingErrors.Throw(Name, position, skip == 0
                    ? $"input ends after {produced} of {count} values"
                    : $"input ends after {produced} of {count} values (after {skip} skipped)");
            }
            var runStart = position;
            var header = Leb128.ReadUInt64(input, ref position, Name, "a run header");
            if (header > uint.MaxValue)
            {
                EncodingErrors.Throw(Name, runStart, $"run header {header} exceeds 32 bits");
            }
            var wanted = count - produced;
            if ((header & 1) == 0)
            {
                if (input.Length - position < valueBytes)
                {
                    EncodingErrors.Truncated(Name, position, "the value of an RLE run", valueBytes, input.Length - position);
                }
                var value = ReadValue(input.Slice(position, valueBytes));
                if (bitWidth < 32 && value >> bitWidth != 0)
                {
                    EncodingErrors.Throw(Name, position, $"RLE run value {value} does not fit in {bitWidth} bits");
                }
                position += valueBytes;
                var runValues = (long)(header >> 1);
                var passed = Math.Min(toSkip, runValues);
                toSkip -= passed;
                var take = (int)Math.Min(runValues - passed, wanted);
                if (take > 0)
                {
                    sink.Repeat(produced, take, value);
                }
                produced += take;
            }
            else
            {
                var groups = (long)(header >> 1);
                var available = input.Length - position;
                if (toSkip >= groups * 8)
                {
                    // The whole run is skipped: step over its bytes (as many as there are; the next header read
                    // reports an input that ends too soon).
                    toSkip -= groups * 8;
                    position += (int)Math.Min(groups * bitWidth, available);
                    continue;
                }
                // Skip whole groups, then unpack the group the first wanted value is in and keep its tail.
                var skippedGroups = toSkip / 8;
                var offset = (int)(toSkip % 8);
                toSkip = 0;
                if (skippedGroups * bitWidth > available)
                {
                    EncodingErrors.Truncated(Name, position, "a bit-packed run", skippedGroups * bitWidth, available);
                }
                position += (int)(skippedGroups * bitWidth);
                available -= (int)(skippedGroups * bitWidth);
                groups -= skippedGroups;
                if (offset > 0)
                {
                    var keep = Math.Min(8 - offset, wanted);
                    var needed = ((long)(offset + keep) * bitWidth + 7) / 8;
                    if (needed > available)
                    {
                        EncodingErrors.Truncated(Name, position, "a bit-packed run", needed, available);
                    }
                    UnpackPadded(input, position, bitWidth, groupBytes, groupValues);
                    groupValues.Slice(offset, keep).CopyTo(sink.Values(produced, keep));
                    sink.Written(produced, keep);
                    produced += keep;
                    wanted -= keep;
                    var consumed = Math.Min(bitWidth, available);
                    position += consumed;
                    available -= consumed;
                    groups--;
                }
                var runValues = groups * 8;
                var runBytes = groups * bitWidth;
                var take = (int)Math.Min(runValues, wanted);
                var neededBytes = ((long)take * bitWidth + 7) / 8;
                if (neededBytes > available)
                {
                    EncodingErrors.Truncated(Name, position, "a bit-packed run", neededBytes, available);
                }
                var whole = take / 8;
                var destination = sink.Values(produced, take);
                BitPacking.Unpack(input.Slice(position, whole * bitWidth), bitWidth, destination[..(whole * 8)]);
                var partial = take - whole * 8;
                if (partial > 0)
                {
                    // The last group may be cut short after the values we need; unpack it from a padded copy.
                    UnpackPadded(input, position + whole * bitWidth, bitWidth, groupBytes, groupValues);
                    groupValues[..partial].CopyTo(destination[(whole * 8)..]);
                }
                if (take > 0)
                {
                    sink.Written(produced, take);
                }
                produced += take;
                position += (int)Math.Min(runBytes, available);
            }
        }
    }

    /// <summary>
    /// Whether the input starts with a repeated run of <paramref name="value"/> at least <paramref name="count"/>
    /// long: definition levels of a page without nulls are one such run, known without expanding it.
    /// </summary>
    public static bool StartsWithRun(ReadOnlySpan<byte> input, int bitWidth, int count, uint value)
    {
        var position = 0;
        var valueBytes = (bitWidth + 7) / 8;
        if ((uint)bitWidth > 32 || input.IsEmpty)
        {
            return false;
        }
        var header = Leb128.ReadUInt64(input, ref position, Name, "a run header");
        return (header & 1) == 0 && header >> 1 >= (ulong)count && input.Length - position >= valueBytes
            && ReadValue(input.Slice(position, valueBytes)) == value;
    }

    /// <summary>Unpacks the group of 8 at <paramref name="start"/>, whose bytes may stop short of a whole group.</summary>
    private static void UnpackPadded(ReadOnlySpan<byte> input, int start, int bitWidth, Span<byte> groupBytes, Span<uint> groupValues)
    {
        groupBytes.Clear();
        input.Slice(start, Math.Min(bitWidth, input.Length - start)).CopyTo(groupBytes);
        BitPacking.Unpack(groupBytes[..bitWidth], bitWidth, groupValues);
    }

    private static uint ReadValue(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        0 => 0,
        1 => bytes[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        3 => (uint)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
    };
}
