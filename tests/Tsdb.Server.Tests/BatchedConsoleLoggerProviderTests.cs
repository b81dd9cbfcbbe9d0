using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

// The tests log through ILogger's extension methods on purpose: that is how the server's own lines arrive.
#pragma warning disable CA1873

namespace Tsdb.Server.Tests;

public sealed class BatchedConsoleLoggerProviderTests
{
    /// <summary>The formatter the server configures (TsdbHttpServer.ConfigureLogging), as the framework builds it.</summary>
    private static ConsoleFormatter Formatter(string name)
    {
        var services = new ServiceCollection().AddLogging(logging =>
        {
            if (name == "json")
            {
                logging.AddJsonConsole(json => json.UseUtcTimestamp = true);
            }
            else
            {
                logging.AddSimpleConsole(text =>
                {
                    text.SingleLine = true;
                    text.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }
        }).BuildServiceProvider();
        return services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
    }

    [Fact]
    public void Lines_from_many_threads_are_all_written_whole_and_each_thread_in_order()
    {
        var output = new MemoryStream();
        const int Threads = 8, PerThread = 5_000;
        using (var provider = new BatchedConsoleLoggerProvider(Formatter("simple"), output))
        {
            var logger = provider.CreateLogger("tsdb.http");
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
            {
                for (var i = 0; i < PerThread; i++)
                {
                    logger.LogInformation("thread {Thread} line {Line}", t, i);
                }
            });
        }

        // Disposing wrote everything queued.
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Threads * PerThread, lines.Length);
        var next = new int[Threads];
        foreach (var line in lines)
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^info: tsdb\.http\[0\] thread (\d+) line (\d+)$");
            Assert.True(match.Success, line);
            var thread = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[thread]++, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.All(next, n => Assert.Equal(PerThread, n));
    }

    [Fact]
    public void Json_lines_are_the_framework_formatters_objects_and_an_exception_keeps_its_stack()
    {
        var output = new MemoryStream();
        using (var provider = new BatchedConsoleLoggerProvider(Formatter("json"), output))
        {
            var logger = provider.CreateLogger("tsdb.server");
            logger.LogWarning("the WAL is at {Percent} %", 93);
            try
            {
                throw new InvalidOperationException("boom");
            }
            catch (InvalidOperationException e)
            {
                logger.LogError(e, "unhandled error in {Method} {Path}", "POST", "/write");
            }
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var warning = JsonDocument.Parse(lines[0]);
        Assert.Equal("Warning", warning.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("tsdb.server", warning.RootElement.GetProperty("Category").GetString());
        Assert.Equal("the WAL is at 93 %", warning.RootElement.GetProperty("Message").GetString());
        using var error = JsonDocument.Parse(lines[1]);
        Assert.Contains("InvalidOperationException: boom", error.RootElement.GetProperty("Exception").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_one_write_is_written_whole_and_logging_after_dispose_is_harmless()
    {
        var output = new MemoryStream();
        var provider = new BatchedConsoleLoggerProvider(Formatter("simple"), output);
        var logger = provider.CreateLogger("c");
        var longText = new string('x', 20_000);
        logger.LogInformation("short");
        logger.LogInformation("{Text}", longText);
        logger.LogInformation("after");
        provider.Dispose();
        logger.LogInformation("lost, without an exception");

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["info: c[0] short", "info: c[0] " + longText, "info: c[0] after"], lines);
    }

    [Fact]
    public void A_failing_output_loses_its_lines_and_logging_goes_on()
    {
        var output = new FailingStream();
        using var provider = new BatchedConsoleLoggerProvider(Formatter("simple"), output);
        var logger = provider.CreateLogger("c");
        for (var i = 0; i < 100; i++)
        {
            logger.LogInformation("line {I}", i);
        }
        provider.Dispose();
        Assert.True(output.Attempts > 0);
    }

    private sealed class FailingStream : Stream
    {
        public int Attempts { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get => 0; set { } }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Attempts++;
            throw new IOException("Broken pipe");
        }
    }
}
