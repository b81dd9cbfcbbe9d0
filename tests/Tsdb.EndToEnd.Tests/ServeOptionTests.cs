namespace Tsdb.EndToEnd.Tests;

public sealed class ServeOptionTests
{
    [Theory]
    [InlineData("--max-concurrent-queries", "0", "--max-concurrent-queries must be at least 1")]
    [InlineData("--query-memory-limit", "lots", "lots")]
    [InlineData("--process-memory-limit", "lots", "lots")]
    [InlineData("--process-memory-limit", "0", "--process-memory-limit must be more than 0 bytes")]
    [InlineData("--query-memory-reserve", "lots", "'lots' is not a size")]
    [InlineData("--query-memory-reserve", "1TiB", "--query-memory-reserve and --background-memory-reserve add up to ")]
    [InlineData("--background-memory-reserve", "1TiB", "more than --process-memory-limit")]
    [InlineData("--query-memory-wait", "soon", "'soon' is not a duration")]
    [InlineData("--read-cache-size", "lots", "'lots' is not a size")]
    [InlineData("--otlp-translation-strategy", "Escaped", "--otlp-translation-strategy must be UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes or NoTranslation, got 'Escaped'")]
    [InlineData("--otlp-promote-scope-metadata", "maybe", "--otlp-promote-scope-metadata must be true or false, got 'maybe'")]
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

    [Fact]
    public void A_port_in_use_stops_the_server_with_one_line_that_says_so()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var dir = Path.Combine(Path.GetTempPath(), "tsdb-serve-port-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output) = WriteApiTests.RunCli("serve", "--data-dir", dir, "--http-bind", $"127.0.0.1:{port}", "--without-auth");
            Assert.Equal(1, exitCode);
            Assert.Contains($"error: cannot listen on 127.0.0.1:{port}", output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);   // no stack trace
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public void A_data_directory_in_use_stops_a_second_server()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tsdb-serve-lock-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // Held the way a running server holds it.
            using (new FileStream(Path.Combine(dir, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
                var (exitCode, output) = WriteApiTests.RunCli("serve", "--data-dir", dir, "--http-bind", "127.0.0.1:0", "--without-auth");
                Assert.Equal(1, exitCode);
                Assert.Contains("is in use by another tsdb server", output, StringComparison.Ordinal);
                Assert.False(Directory.Exists(Path.Combine(dir, "wal")), "the second server touched the WAL");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
