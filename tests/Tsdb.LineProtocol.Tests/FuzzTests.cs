using System.Text;

namespace Tsdb.LineProtocol.Tests;

/// <summary>
/// Random and mutated inputs: the reader must never throw, must always finish, and everything it returns must lie
/// inside the input. Reading in two pieces must agree with reading at once.
/// </summary>
public sealed class FuzzTests
{
    private static readonly byte[] Alphabet =
        [.. Encoding.UTF8.GetBytes(" ,=\"\\#\n\r\tmftTFiue0123456789.-+E\u00e9"), 0xFF, 0xC3, 0x80, 0xED, 0xA0, 0x00];

    private static readonly string[] Seeds =
    [
        "cpu,hostname=host_0,region=eu-west-1 usage_user=58i,usage_system=2.5,up=true,s=\"a b\" 1451606400000000000\n",
        "my\\ m,t\\,k=v\\=w f\\ k=\"q\\\"x\\\\\",u=18446744073709551615u,i=-9223372036854775808i -1\r\n",
        "# comment\n\nm f=1e-3,g=.5,h=T 0\n",
        "m,a=1,b=2 x=1,y=2i,z=\"\" 9223372036854775807\n",
    ];

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        for (var i = 0; i < 5000; i++)
        {
            var input = new byte[random.Next(0, 200)];
            for (var j = 0; j < input.Length; j++)
            {
                input[j] = Alphabet[random.Next(Alphabet.Length)];
            }
            Check(input, random);
        }
    }

    [Fact]
    public void Mutated_lines_never_throw()
    {
        var random = new Random(5678);
        for (var i = 0; i < 5000; i++)
        {
            var input = Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)] + Seeds[random.Next(Seeds.Length)]).ToList();
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations; m++)
            {
                var at = random.Next(input.Count + 1);
                switch (random.Next(4))
                {
                    case 0 when at < input.Count:
                        input[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                    case 1:
                        input.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    case 2 when at < input.Count:
                        input.RemoveAt(at);
                        break;
                    case 3 when at < input.Count:
                        var length = random.Next(1, Math.Min(20, input.Count - at) + 1);
                        input.InsertRange(at, input.GetRange(at, length));
                        break;
                }
            }
            Check([.. input], random);
        }
    }

    [Fact]
    public void Random_values_in_valid_positions_never_throw()
    {
        var random = new Random(91011);
        string[] values = ["1", "-", "1e", "1e999", "9999999999999999999999i", "-1u", "\"", "\"\\", "t", "TRUE", ".", "1.", "+1", "0x1", "\\", "\"a\"b", "NaN"];
        for (var i = 0; i < 3000; i++)
        {
            var text = $"m,t={values[random.Next(values.Length)]} f={values[random.Next(values.Length)]},g={values[random.Next(values.Length)]} {values[random.Next(values.Length)]}";
            Check(Encoding.UTF8.GetBytes(text), random);
        }
    }

    private static void Check(byte[] input, Random random)
    {
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        var calls = 0;
        var lastLine = 0;
        var results = new List<string>();
        while (reader.TryReadLine(line, out var error))
        {
            Assert.True(++calls <= input.Length, "the reader did not advance");
            if (error is { } e)
            {
                Assert.True(e.LineNumber > lastLine);
                lastLine = e.LineNumber;
                Assert.InRange(e.Column, 1, Encoding.UTF8.GetByteCount(e.OriginalLine) + 1);
                Assert.False(string.IsNullOrEmpty(e.Message));
                results.Add($"L{e.LineNumber}:{e.Column}: {e.Message}");
                continue;
            }
            Assert.True(line.LineNumber > lastLine);
            lastLine = line.LineNumber;
            CheckRange(input, line.LineRange);
            CheckRange(input, line.Measurement);
            Assert.True(line.FieldCount > 0);
            for (var i = 0; i < line.TagCount; i++)
            {
                CheckRange(input, line.GetTagKey(i));
                CheckRange(input, line.GetTagValue(i));
            }
            for (var i = 0; i < line.FieldCount; i++)
            {
                CheckRange(input, line.GetFieldKey(i));
                if (line.GetFieldKind(i) == FieldKind.String)
                {
                    CheckRange(input, line.GetStringValue(i));
                }
                else if (line.GetFieldKind(i) == FieldKind.Float)
                {
                    Assert.True(double.IsFinite(line.GetFloat(i)));
                }
            }
            results.Add($"L{line.LineNumber}: {LineDescriber.Describe(input, line)}");
        }
        Assert.Equal(input.Length, reader.Position);
        Assert.Equal(results, ReaderTests.ReadInTwoPieces(input, random.Next(input.Length + 1)));
    }

    private static void CheckRange(byte[] input, TextRange range)
    {
        Assert.InRange(range.Start, 0, input.Length);
        Assert.InRange(range.Length, 0, input.Length - range.Start);
        var destination = new byte[range.Length];
        Assert.InRange(LineProtocolText.Unescape(range.Slice(input), EscapeContext.TagValue, destination), 0, range.Length);
        Assert.InRange(LineProtocolText.Unescape(range.Slice(input), EscapeContext.StringFieldValue, destination), 0, range.Length);
    }
}
