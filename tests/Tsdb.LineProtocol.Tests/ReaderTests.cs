using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class ReaderTests
{
    private const string MixedBody =
        "# a comment\n" +
        "\n" +
        "cpu,host=a usage=1 10\r\n" +
        "   \n" +
        "cpu,host=b usage=abc 20\n" +
        "  # an indented comment\n" +
        "mem free=5i\n" +
        "bad\n" +
        "\t\r\n" +
        "disk used=1u";

    private static readonly string[] MixedExpected =
    [
        "L3: cpu [host=a] {usage:F=1} @10",
        "L5:18: invalid field value",
        "L7: mem [] {free:I=5}",
        "L8:4: missing fields",
        "L10: disk [] {used:U=1}",
    ];

    [Fact]
    public void Reads_good_and_bad_lines_with_their_line_numbers()
    {
        Assert.Equal(MixedExpected, LineDescriber.ReadAll(Encoding.UTF8.GetBytes(MixedBody)));
    }

    [Fact]
    public void Numbers_lines_from_the_first_line_number()
    {
        var results = LineDescriber.ReadAll("a f=1\nb\n"u8.ToArray(), firstLineNumber: 41);
        Assert.Equal(["L41: a [] {f:F=1}", "L42:2: missing fields"], results);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("# only a comment")]
    [InlineData("#\n#\n   # x\n")]
    [InlineData(" \t \n\t")]
    public void Blank_and_comment_only_input_has_no_lines(string text)
    {
        Assert.Empty(LineDescriber.ReadAll(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void A_hash_after_the_measurement_is_not_a_comment()
    {
        Assert.Equal(["L1: m [] {f:S=\"# not a comment\"}"], LineDescriber.ReadAll("m f=\"# not a comment\""u8.ToArray()));
    }

    [Fact]
    public void A_newline_always_ends_the_line_even_inside_quotes()
    {
        var results = LineDescriber.ReadAll("m f=\"one\ntwo\" 5\nn g=1\n"u8.ToArray());
        Assert.Equal(["L1:5: unterminated string", "L2:7: expected '=' after field key", "L3: n [] {g:F=1}"], results);
    }

    [Fact]
    public void Tracks_the_byte_position_of_the_next_line()
    {
        var input = "a f=1\r\n\nb f=2\nc f=3"u8.ToArray();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        Assert.Equal(0, reader.Position);
        Assert.Equal(1, reader.LineNumber);

        Assert.True(reader.TryReadLine(line, out _));
        Assert.Equal(7, reader.Position);
        Assert.Equal(new TextRange(0, 5, false), line.LineRange);

        Assert.True(reader.TryReadLine(line, out _));
        Assert.Equal(3, line.LineNumber);
        Assert.Equal(14, reader.Position);
        Assert.Equal(4, reader.LineNumber);

        Assert.True(reader.TryReadLine(line, out _));
        Assert.Equal(input.Length, reader.Position);
        Assert.Equal(new TextRange(14, 5, false), line.LineRange);

        Assert.False(reader.TryReadLine(line, out _));
        Assert.Equal(input.Length, reader.Position);
    }

    [Fact]
    public void A_block_that_is_not_final_leaves_its_unfinished_last_line()
    {
        var input = "a f=1\nb f"u8.ToArray();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input, 1, isFinalBlock: false);

        Assert.True(reader.TryReadLine(line, out var error));
        Assert.Null(error);
        Assert.False(reader.TryReadLine(line, out error));
        Assert.Null(error);
        Assert.Equal(6, reader.Position);
        Assert.Equal(2, reader.LineNumber);
    }

    [Fact]
    public void Reading_in_pieces_gives_the_same_lines_as_reading_at_once()
    {
        var input = Encoding.UTF8.GetBytes(MixedBody + "\nlast,t=\\ x f=\"y\\\"z\" -3\n");
        var whole = LineDescriber.ReadAll(input);
        for (var split = 0; split <= input.Length; split++)
        {
            Assert.Equal(whole, ReadInTwoPieces(input, split));
        }
    }

    /// <summary>Reads <paramref name="input"/> as two buffers, carrying the unfinished line over as a stream reader would.</summary>
    internal static List<string> ReadInTwoPieces(byte[] input, int split)
    {
        var results = new List<string>();
        var line = new ParsedLine();
        var first = input[..split];
        var reader = new LineProtocolReader(first, 1, isFinalBlock: false);
        Collect(first, ref reader, line, results);
        var second = first[reader.Position..].Concat(input[split..]).ToArray();
        var rest = new LineProtocolReader(second, reader.LineNumber, isFinalBlock: true);
        Collect(second, ref rest, line, results);
        return results;
    }

    private static void Collect(byte[] input, ref LineProtocolReader reader, ParsedLine line, List<string> results)
    {
        while (reader.TryReadLine(line, out var error))
        {
            results.Add(error is { } e
                ? $"L{e.LineNumber}:{e.Column}: {e.Message}"
                : $"L{line.LineNumber}: {LineDescriber.Describe(input, line)}");
        }
    }

    [Fact]
    public void A_bad_line_does_not_disturb_the_next_one()
    {
        var input = "m,t=1,t=2 f=1\nm,t=1 f=2,g=3i 4\n"u8.ToArray();
        Assert.Equal(["L1:7: duplicate tag key", "L2: m [t=1] {f:F=2, g:I=3} @4"], LineDescriber.ReadAll(input));
    }

    [Fact]
    public void Rejects_a_null_line()
    {
        var reader = new LineProtocolReader("m f=1"u8);
        var thrown = false;
        try
        {
            reader.TryReadLine(null!, out _);
        }
        catch (ArgumentNullException)
        {
            thrown = true;
        }
        Assert.True(thrown);
    }
}
