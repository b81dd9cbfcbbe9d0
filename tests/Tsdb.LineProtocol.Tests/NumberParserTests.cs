using System.Globalization;
using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class NumberParserTests
{
    [Fact]
    public void Floats_match_the_runtime_parser_bit_for_bit()
    {
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var text = new StringBuilder();
            if (random.Next(4) == 0)
            {
                text.Append('-');
            }
            var intDigits = random.Next(0, 18);
            for (var d = 0; d < intDigits; d++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
            var fractionDigits = random.Next(intDigits == 0 ? 1 : 0, 18);
            if (fractionDigits > 0 || random.Next(5) == 0)
            {
                text.Append('.');
            }
            for (var d = 0; d < fractionDigits; d++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
            if (random.Next(6) == 0)
            {
                text.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" }).Append(random.Next(0, 300));
            }
            var s = text.ToString();
            var expected = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            var status = NumberParser.ParseFloat(Encoding.ASCII.GetBytes(s), out var actual);
            if (!double.IsFinite(expected))
            {
                Assert.Equal(NumberStatus.Overflow, status);
                continue;
            }
            Assert.Equal(NumberStatus.Ok, status);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{s}: {expected:R} != {actual:R}");
        }
    }

    [Fact]
    public void Shortest_round_trip_text_of_random_doubles_reads_back_exactly()
    {
        var random = new Random(8);
        for (var i = 0; i < 100_000; i++)
        {
            var value = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
            if (!double.IsFinite(value))
            {
                continue;
            }
            var text = Encoding.ASCII.GetBytes(value.ToString("R", CultureInfo.InvariantCulture));
            Assert.Equal(NumberStatus.Ok, NumberParser.ParseFloat(text, out var actual));
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(actual));
        }
    }

    [Theory]
    [InlineData("0", "Ok", 0UL)]
    [InlineData("18446744073709551615", "Ok", ulong.MaxValue)]
    [InlineData("18446744073709551616", "Overflow", 0UL)]
    [InlineData("18446744073709551620", "Overflow", 0UL)]
    [InlineData("99999999999999999999", "Overflow", 0UL)]
    [InlineData("", "Invalid", 0UL)]
    [InlineData("1a", "Invalid", 0UL)]
    [InlineData("99999999999999999999a", "Invalid", 0UL)]
    public void Parses_digits(string text, string expected, ulong value)
    {
        var status = Enum.Parse<NumberStatus>(expected);
        Assert.Equal(status, NumberParser.ParseDigits(Encoding.ASCII.GetBytes(text), out var actual));
        if (status == NumberStatus.Ok)
        {
            Assert.Equal(value, actual);
        }
    }
}
