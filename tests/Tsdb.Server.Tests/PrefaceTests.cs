using System.Buffers;
using System.Text;

namespace Tsdb.Server.Tests;

/// <summary>The one-port connection step: which first bytes make a cleartext connection HTTP/2 (h2c prior knowledge).</summary>
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
}
