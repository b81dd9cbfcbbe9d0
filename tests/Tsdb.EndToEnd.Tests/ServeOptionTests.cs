namespace Tsdb.EndToEnd.Tests;

public sealed class ServeOptionTests
{
    [Theory]
    [InlineData("--max-concurrent-queries", "0", "--max-concurrent-queries must be at least 1")]
    [InlineData("--query-memory-limit", "lots", "lots")]
    [InlineData("--read-cache-size", "lots", "'lots' is not a size")]
    public void Bad_query_limits_stop_the_server_with_a_message(string option, string value, string expected)
    {
        var dir = Path.Combine(Path.GetTempPath(), "tsdb-serve-options-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output) = WriteApiTests.RunCli("serve", "--data-dir", dir, "--http-bind", "127.0.0.1:0", option, value);
            Assert.Equal(2, exitCode);
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
