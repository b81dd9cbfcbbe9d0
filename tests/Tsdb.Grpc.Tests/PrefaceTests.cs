using System.Buffers;
using System.Text;

namespace Tsdb.Grpc.Tests;

public sealed class PrefaceTests
{
    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", true, true)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04", true, true)]
    [InlineData("PRI * HTTP/2", true, false)]
    [InlineData("", true, false)]
    [InlineData("POST /api/v3/write_lp HTTP/1.1\r\n", false, true)]
    [InlineData("PRI * HTTP/1.1\r\n", false, true)]
    [InlineData("G", false, false)]
    public void Preface_is_recognised_from_any_prefix(string input, bool matches, bool complete)
    {
        var sequence = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input));
        Assert.Equal(matches, Http2PriorKnowledge.Matches(sequence, out var whole));
        if (matches)
        {
            Assert.Equal(complete, whole);
        }
    }

    [Theory]
    [InlineData("100m", 1000000)]
    [InlineData("2S", 20000000)]
    [InlineData("1H", 36000000000)]
    [InlineData("5u", 50)]
    [InlineData("99999999n", 999999)]
    public void Timeouts_parse(string text, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }
}
