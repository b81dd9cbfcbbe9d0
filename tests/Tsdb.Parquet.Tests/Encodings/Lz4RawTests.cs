using System.Text;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class Lz4RawTests
{
    private static byte[] Compress(ReadOnlySpan<byte> input)
    {
        using var buffer = new ByteBuffer();
        var written = Lz4Raw.Encode(input, buffer);
        Assert.Equal(buffer.Length, written);
        Assert.True(written <= Lz4Raw.MaxEncodedLength(input.Length));
        return buffer.ToArray();
    }

    private static byte[] Decompress(byte[] block, int length)
    {
        var output = new Guarded<byte>(length, 0xA5);
        var written = Lz4Raw.Decode(block, output.Span);
        output.AssertGuardsIntact();
        Assert.Equal(length, written);
        return output.Span.ToArray();
    }

    public static TheoryData<string> Inputs() =>
        ["empty", "one", "twelve", "thirteen", "text", "zeros", "random", "mixed", "pattern3", "long"];

    internal static byte[] Input(string name, Random rng)
    {
        byte[] RandomBytes(int n)
        {
            var bytes = new byte[n];
            rng.NextBytes(bytes);
            return bytes;
        }
        return name switch
        {
            "empty" => [],
            "one" => [42],
            "twelve" => "abcabcabcabc"u8.ToArray(),
            "thirteen" => "abcabcabcabca"u8.ToArray(),
            "text" => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"cpu,host=server{i % 7},region=eu usage={i % 13}.5 {1_700_000_000 + i}\n"))),
            "zeros" => new byte[100_000],
            "random" => RandomBytes(70_000),
            "mixed" => [.. RandomBytes(1000), .. new byte[5000], .. RandomBytes(300), .. "xyzxyzxyzxyz"u8, .. RandomBytes(20)],
            "pattern3" => [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i % 3))],
            _ => [.. Enumerable.Range(0, 200_000).Select(i => (byte)((i / 100) % 251))],
        };
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Round_trips(string name)
    {
        var input = Input(name, new Random(name.Length));
        var block = Compress(input);
        Assert.Equal(input, Decompress(block, input.Length));
        if (name is "zeros" or "text" or "long")
        {
            Assert.True(block.Length < input.Length / 4, $"{name}: {block.Length} of {input.Length}");
        }
    }

    [Fact]
    public void Blocks_keep_the_format_end_rules()
    {
        // Under 13 bytes everything is literals; otherwise the last 5 bytes are literals.
        byte[] literalsOnly = [0xC0, .. "abcabcabcabc"u8];
        Assert.Equal(literalsOnly, Compress("abcabcabcabc"u8));
        var block = Compress(new byte[1000]);
        Assert.Equal(0x50, block[^6]); // a last token of 5 literals and no match
        Assert.Equal(new byte[5], block[^5..]);
    }

    [Fact]
    public void Hand_made_blocks_decode()
    {
        // "abc" then a match at offset 3 of length 9 (overlapping), then 5 literals.
        byte[] block = [0x35, (byte)'a', (byte)'b', (byte)'c', 0x03, 0x00, 0x50, (byte)'v', (byte)'w', (byte)'x', (byte)'y', (byte)'z'];
        Assert.Equal("abcabcabcabcvwxyz"u8.ToArray(), Decompress(block, 17));
        // Run of one byte via offset 1, length 4 + 15 + 255 + 1 = 275.
        byte[] run = [0x1F, (byte)'q', 0x01, 0x00, 0xFF, 0x01, 0x00];
        Assert.Equal(Enumerable.Repeat((byte)'q', 276).ToArray(), Decompress(run, 276));
        Assert.Equal(0, Lz4Raw.Decode([], new byte[4]));
        Assert.Equal(0, Lz4Raw.Decode([0x00], []));
    }

    [Fact]
    public void Malicious_blocks_are_refused()
    {
        AssertRefused([0x10, (byte)'a', 0x00, 0x00, 0x00], 100, "LZ4_RAW at byte 2: match offset 0 is outside the 1 bytes decoded so far");
        AssertRefused([0x10, (byte)'a', 0x02, 0x00, 0x00], 100, "LZ4_RAW at byte 2: match offset 2 is outside the 1 bytes decoded so far");
        AssertRefused([0x00, 0xFF, 0xFF, 0x00], 100, "LZ4_RAW at byte 1: match offset 65535 is outside the 0 bytes decoded so far");
        AssertRefused([0x50, 1, 2, 3], 100, "LZ4_RAW at byte 1: input ends inside literals (needs 5 bytes, 3 remain)");
        AssertRefused([0x40, 1, 2, 3, 4], 3, "LZ4_RAW at byte 1: 4 literals overflow the output (3 bytes left)");
        AssertRefused([0x1F, 1, 0x01, 0x00, 0xFF, 0xFF, 0x10, 0x00], 500, "LZ4_RAW at byte 7: a match of 545 bytes overflows the output (499 bytes left)");
        AssertRefused([0xF0, 0xFF, 0xFF], 100, "LZ4_RAW at byte 3: input ends inside a length (needs 1 bytes, 0 remain)");
        AssertRefused([0x10, 7, 0x01], 100, "LZ4_RAW at byte 2: input ends inside a match offset (needs 2 bytes, 1 remain)");
        AssertRefused([0x10, 7, 0x01, 0x00], 100, "LZ4_RAW at byte 0: the block ends with a match; its last sequence must hold only literals");
        var huge = new byte[1 + (9_000_000)];
        huge[0] = 0xF0;
        huge.AsSpan(1).Fill(0xFF);
        AssertRefused(huge, 100, "LZ4_RAW at byte 1: a length overflows");
    }

    private static void AssertRefused(byte[] block, int outputLength, string message)
    {
        var output = new Guarded<byte>(outputLength, 0xA5);
        byte[] copy = [.. block];
        var error = Assert.Throws<ParquetFormatException>(() => Lz4Raw.Decode(copy, output.Span));
        Assert.Equal(message, error.Message);
        output.AssertGuardsIntact();
    }
}
