using System.Buffers.Binary;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

/// <summary>
/// Seeded mutations and truncations of valid encodings: every decoder either succeeds or throws
/// <see cref="ParquetFormatException"/>, never writes outside the output it was given, and finishes.
/// </summary>
public sealed class EncodingFuzzTests
{
    private const int Iterations = 6000;

    /// <summary>Runs the fuzz loop and checks that both outcomes were seen, so the mutations reach past the headers.</summary>
    private static void Fuzz(int seed, Func<Random, byte[]> makeValid, Action<Random, byte[]> decode)
    {
        var rng = new Random(seed);
        var accepted = 0;
        var rejected = 0;
        byte[] valid = [];
        for (var i = 0; i < Iterations; i++)
        {
            if (i % 50 == 0)
            {
                valid = makeValid(rng);
            }
            var input = i % 50 == 0 ? valid : Mutations.Mutate(valid, rng);
            if (Mutations.DecodesOrRejects(() => decode(rng, input)))
            {
                accepted++;
            }
            else
            {
                rejected++;
            }
        }
        Assert.True(accepted >= Iterations / 50, $"only {accepted} accepted");
        Assert.True(rejected > 0, "nothing rejected");
    }

    [Fact]
    public void Rle_bit_packed_hybrid()
    {
        var bitWidth = 0;
        var count = 0;
        Fuzz(1, rng =>
        {
            bitWidth = rng.Next(33);
            count = rng.Next(0, 400);
            using var buffer = new ByteBuffer();
            RleBitPackedHybrid.Encode(RleBitPackedHybridTests.RandomLevels(rng, count, bitWidth), bitWidth, buffer);
            return buffer.ToArray();
        }, (rng, input) =>
        {
            var width = rng.Next(20) == 0 ? rng.Next(0, 40) : bitWidth;
            var output = new Guarded<int>(Math.Max(0, count + rng.Next(-2, 3)), 0x13579BDF);
            try
            {
                RleBitPackedHybrid.Decode(input, width, output.Span);
            }
            finally
            {
                output.AssertGuardsIntact();
            }
        });
    }

    [Fact]
    public void Delta_binary_packed_int64()
    {
        var count = 0;
        Fuzz(2, rng =>
        {
            count = rng.Next(0, 600);
            var values = new long[count];
            var spread = 1L << rng.Next(1, 63);
            for (var i = 0; i < count; i++)
            {
                values[i] = rng.Next(10) == 0 ? long.MinValue : rng.NextInt64(-spread, spread);
            }
            return DeltaBinaryPackedTests.Encode(values);
        }, (rng, input) =>
        {
            var output = new Guarded<long>(Math.Max(0, count + rng.Next(-2, 3)), 0x0123456789ABCDEF);
            try
            {
                if (rng.Next(2) == 0)
                {
                    DeltaBinaryPacked.ReadTotalCount(input);
                }
                var consumed = DeltaBinaryPacked.Decode(input, output.Span);
                Assert.InRange(consumed, 0, input.Length);
            }
            finally
            {
                output.AssertGuardsIntact();
            }
        });
    }

    [Fact]
    public void Delta_binary_packed_int32()
    {
        var count = 0;
        Fuzz(3, rng =>
        {
            count = rng.Next(0, 600);
            var values = new int[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = rng.Next(4) == 0 ? rng.Next(int.MinValue, int.MaxValue) : rng.Next(-1000, 1000);
            }
            return DeltaBinaryPackedTests.Encode(values);
        }, (rng, input) =>
        {
            var output = new Guarded<int>(Math.Max(0, count + rng.Next(-2, 3)), 0x0BADF00D);
            try
            {
                var consumed = DeltaBinaryPacked.Decode(input, output.Span);
                Assert.InRange(consumed, 0, input.Length);
            }
            finally
            {
                output.AssertGuardsIntact();
            }
        });
    }

    [Fact]
    public void Delta_length_byte_array()
    {
        var count = 0;
        Fuzz(4, rng =>
        {
            count = rng.Next(0, 200);
            var values = ByteArrays.Random(rng, count);
            using var buffer = new ByteBuffer();
            DeltaLengthByteArray.Encode(values.Data, values.Offsets, buffer);
            return buffer.ToArray();
        }, (rng, input) => DecodeByteArrays(rng, input, count, (data, offsets, output) => DeltaLengthByteArray.Decode(data, offsets.Length - 1, offsets, output)));
    }

    [Fact]
    public void Delta_byte_array()
    {
        var count = 0;
        Fuzz(5, rng =>
        {
            count = rng.Next(0, 200);
            var values = ByteArrays.Random(rng, count);
            using var buffer = new ByteBuffer();
            DeltaByteArray.Encode(values.Data, values.Offsets, buffer);
            return buffer.ToArray();
        }, (rng, input) => DecodeByteArrays(rng, input, count, (data, offsets, output) => DeltaByteArray.Decode(data, offsets.Length - 1, offsets, output, 1 << 22)));
    }

    [Fact]
    public void Plain_byte_arrays()
    {
        var count = 0;
        Fuzz(6, rng =>
        {
            count = rng.Next(0, 200);
            var values = ByteArrays.Random(rng, count);
            using var buffer = new ByteBuffer();
            PlainEncoding.EncodeByteArrays(values.Data, values.Offsets, buffer);
            return buffer.ToArray();
        }, (rng, input) => DecodeByteArrays(rng, input, count, (data, offsets, output) => PlainEncoding.DecodeByteArrays(data, offsets.Length - 1, offsets, output)));
    }

    private delegate int ByteArrayDecoder(ReadOnlySpan<byte> input, Span<int> offsets, ByteBuffer output);

    private static void DecodeByteArrays(Random rng, byte[] input, int count, ByteArrayDecoder decode)
    {
        var decodeCount = Math.Max(0, count + rng.Next(-1, 2));
        var offsets = new Guarded<int>(decodeCount + 1, int.MinValue);
        using var data = new ByteBuffer(64);
        data.Append("pre"u8);
        try
        {
            var consumed = decode(input, offsets.Span, data);
            Assert.InRange(consumed, 0, input.Length);
            // Offsets must describe the bytes actually appended.
            var spans = offsets.Span;
            Assert.Equal(3, spans[0]);
            for (var i = 1; i < spans.Length; i++)
            {
                Assert.InRange(spans[i], spans[i - 1], data.Length);
            }
            Assert.Equal(data.Length, spans[^1]);
        }
        finally
        {
            offsets.AssertGuardsIntact();
        }
    }

    [Fact]
    public void Plain_fixed_booleans_and_int96()
    {
        var count = 0;
        Fuzz(7, rng =>
        {
            count = rng.Next(0, 100);
            var bytes = new byte[count * 12];
            rng.NextBytes(bytes);
            for (var i = 0; i < count; i++)
            {
                // Plausible times of day and Julian days, so that decoding succeeds as often as it fails.
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 12), rng.NextInt64(0, 86_400_000_000_000));
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((i * 12) + 8), 2_440_000 + rng.Next(-100_000, 100_000));
            }
            return bytes;
        }, (rng, input) =>
        {
            var n = Math.Max(0, count + rng.Next(-1, 2));
            var longs = new Guarded<long>(n, 99);
            var bits = new Guarded<byte>((n + 7) / 8, 0x77);
            var fixedOut = new Guarded<byte>(n * 12, 0x66);
            try
            {
                Mutations.DecodesOrRejects(() => PlainEncoding.DecodeBooleans(input, n, bits.Span));
                Mutations.DecodesOrRejects(() => PlainEncoding.DecodeFixed(input, 12, n, fixedOut.Span));
                PlainEncoding.DecodeInt96AsNanoseconds(input, n, longs.Span);
            }
            finally
            {
                longs.AssertGuardsIntact();
                bits.AssertGuardsIntact();
                fixedOut.AssertGuardsIntact();
            }
        });
    }

    [Fact]
    public void Byte_stream_split()
    {
        var count = 0;
        var width = 0;
        Fuzz(8, rng =>
        {
            width = rng.Next(1, 17);
            count = rng.Next(0, 100);
            var values = new byte[width * count];
            rng.NextBytes(values);
            var encoded = new byte[values.Length];
            ByteStreamSplit.Encode(values, width, encoded);
            return encoded;
        }, (rng, input) =>
        {
            var n = rng.Next(4) == 0 ? rng.Next(0, 120) : count;
            var output = new Guarded<byte>(width * Math.Max(0, n + rng.Next(-1, 2)), 0x11);
            try
            {
                ByteStreamSplit.Decode(input, width, n, output.Span);
            }
            finally
            {
                output.AssertGuardsIntact();
            }
        });
    }

    [Fact]
    public void Lz4_raw()
    {
        var length = 0;
        var names = new[] { "text", "mixed", "pattern3", "twelve", "thirteen", "one" };
        Fuzz(9, rng =>
        {
            var input = Lz4RawTests.Input(names[rng.Next(names.Length)], rng);
            length = input.Length;
            using var buffer = new ByteBuffer();
            Lz4Raw.Encode(input, buffer);
            return buffer.ToArray();
        }, (rng, input) =>
        {
            var output = new Guarded<byte>(Math.Max(0, length + rng.Next(-3, 4)), 0x5C);
            try
            {
                var written = Lz4Raw.Decode(input, output.Span);
                Assert.InRange(written, 0, output.Length);
            }
            finally
            {
                output.AssertGuardsIntact();
            }
        });
    }

    [Fact]
    public void Bit_unpacking_of_random_bytes()
    {
        var rng = new Random(10);
        for (var i = 0; i < Iterations; i++)
        {
            var input = new byte[rng.Next(0, 300)];
            rng.NextBytes(input);
            var count = rng.Next(0, 40) * 8;
            var width = rng.Next(0, 65);
            var wide = new Guarded<ulong>(count, 3);
            Mutations.DecodesOrRejects(() => BitPacking.Unpack64(input, width, wide.Span));
            wide.AssertGuardsIntact();
            if (width <= 32)
            {
                var narrow = new Guarded<uint>(count, 3);
                Mutations.DecodesOrRejects(() => BitPacking.Unpack(input, width, narrow.Span));
                narrow.AssertGuardsIntact();
            }
        }
    }
}
