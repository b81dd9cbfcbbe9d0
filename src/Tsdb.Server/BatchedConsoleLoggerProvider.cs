using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Tsdb.Server;

/// <summary>
/// The server's console log. Lines are formatted by the console formatter the options name (simple or json, so they
/// read exactly as the framework's console logger writes them) on the thread that logs, then one writer thread writes
/// whatever has queued up in as few system calls as it can (an async loop: a blocked thread would spin on every wake-up). The framework's console logger takes a lock per line on
/// both sides of its queue and writes and flushes each line alone: with a line per request, a server answering a few
/// thousand small queries a second spent a tenth of its CPU there.
/// <para>
/// Lines are never dropped: past <see cref="QueueLimit"/> waiting lines, the logging thread waits (as the framework's
/// logger does in its default mode). A write that fails (standard output closed) loses its lines and logging goes on.
/// Each write is at most <see cref="AtomicWriteBytes"/> bytes of whole lines, so that lines written to the same pipe by
/// <see cref="Console.Out"/> (the start-up banner) can fall only between lines.
/// </para>
/// </summary>
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private const int QueueLimit = 10_000;

    /// <summary>POSIX's PIPE_BUF: a write of at most this many bytes to a pipe is not interleaved with others.</summary>
    private const int AtomicWriteBytes = 4096;

    [ThreadStatic]
    private static StringWriter? t_format;

    private readonly ConsoleFormatter _formatter;
    private readonly Stream _output;
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueLimit)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Task _writer;
    private IExternalScopeProvider? _scopes;

    public BatchedConsoleLoggerProvider(IEnumerable<ConsoleFormatter> formatters, IOptions<ConsoleLoggerOptions> options)
        : this(Pick(formatters, options.Value.FormatterName), Console.OpenStandardOutput())
    {
    }

    internal BatchedConsoleLoggerProvider(ConsoleFormatter formatter, Stream output)
    {
        _formatter = formatter;
        _output = output;
        _writer = Task.Run(WriteLoopAsync);
    }

    private static ConsoleFormatter Pick(IEnumerable<ConsoleFormatter> formatters, string? name)
    {
        var all = formatters.ToList();
        return all.FirstOrDefault(f => string.Equals(f.Name, name ?? ConsoleFormatterNames.Simple, StringComparison.OrdinalIgnoreCase))
            ?? all.First(f => f.Name == ConsoleFormatterNames.Simple);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    private void Enqueue(string line)
    {
        if (_lines.Writer.TryWrite(line))
        {
            return;
        }
        try
        {
            // Full: wait for the writer rather than lose the line.
            _lines.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Logging after the provider was disposed (the last lines of a shutdown): nowhere to write.
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _lines.Reader;
        var buffer = new byte[AtomicWriteBytes];
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var used = 0;
            while (reader.TryRead(out var line))
            {
                var size = Encoding.UTF8.GetByteCount(line);
                if (used + size > buffer.Length && used > 0)
                {
                    Write(buffer.AsSpan(0, used));
                    used = 0;
                }
                if (size > buffer.Length)
                {
                    Write(Encoding.UTF8.GetBytes(line));
                    continue;
                }
                used += Encoding.UTF8.GetBytes(line, buffer.AsSpan(used));
            }
            if (used > 0)
            {
                Write(buffer.AsSpan(0, used));
            }
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _output.Write(bytes);
            _output.Flush();
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        // Every line logged so far is written before the process goes on to exit.
        _lines.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(5));
    }

    private sealed class Logger(BatchedConsoleLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes?.Push(state) ?? NullScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var writer = t_format ??= new StringWriter();
            var text = writer.GetStringBuilder();
            text.Clear();
            owner._formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), owner._scopes, writer);
            if (text.Length == 0)
            {
                return;
            }
            var line = text.ToString();
            if (text.Capacity > 64 * 1024)
            {
                t_format = null;   // one huge message (a long stack trace) does not keep its buffer for ever
            }
            owner.Enqueue(line);
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static readonly NullScope Instance = new();

        public void Dispose()
        {
        }
    }
}
