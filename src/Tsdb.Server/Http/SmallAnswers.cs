using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Tsdb.Server.Http;

/// <summary>
/// Small answers go out whole: the first <see cref="Limit"/> bytes of a response are held until the handler returns,
/// and an answer that ends within them is sent with a Content-Length, in one write, and never compressed
/// (<see cref="SmallAnswerCompressionProvider"/>). An answer that outgrows them, or whose handler asks for its bytes
/// to go out now (<see cref="DisableBuffering"/>, a file), streams as before from there. Flushes and
/// <see cref="StartAsync"/> do not end the holding: a handler that must reach its client before it returns (none do
/// today) calls <see cref="DisableBuffering"/>.
/// <para>
/// Why: a few kilobytes leave in the first flight of TCP segments whether compressed or not (a sender's initial
/// congestion window is ten segments, 14.6 KB), so compressing them saves no round trip, only CPU on both ends; and
/// clients that inflate on another thread (Node's fetch) paid about a millisecond per answer for it, which was most
/// of a one-series query's time (docs/performance.md). Held bytes have not started the response, so a handler that
/// fails part-way through a small answer can still answer with a clean error (<c>Response.Clear()</c> empties
/// them); when the handler throws they are dropped.
/// </para>
/// </summary>
internal sealed class SmallAnswerBody : IHttpResponseBodyFeature, IDisposable
{
    /// <summary>Bytes held back at most: well inside the 14.6 KB of a first flight, headers included.</summary>
    internal const int Limit = 8192;

    private readonly IHttpResponseBodyFeature _inner;
    private readonly HttpContext _context;
    private byte[]? _held;
    private int _used;
    private bool _passing;
    private bool _innerWriterHasBytes;
    private HeldStream? _stream;
    private HeldWriter? _writer;

    private SmallAnswerBody(IHttpResponseBodyFeature inner, HttpContext context)
    {
        _inner = inner;
        _context = context;
    }

    /// <summary>The middleware: inside response compression, so that compression sees the whole small answer.</summary>
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (TsdbHttpServer.IsGrpc(context.Request.ContentType))
        {
            // gRPC frames its messages into the pipe itself and streams.
            await next(context).ConfigureAwait(false);
            return;
        }
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var body = new SmallAnswerBody(original, context);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        try
        {
            await next(context).ConfigureAwait(false);
            await body.FinishAsync().ConfigureAwait(false);
        }
        finally
        {
            // On an exception the held bytes are dropped: the response has not started, and the request log answers
            // with an error instead of half an answer.
            context.Features.Set(original);
        }
    }

    public Stream Stream => _stream ??= new HeldStream(this);

    public PipeWriter Writer => _writer ??= new HeldWriter(this);

    public void DisableBuffering()
    {
        Pass();
        _inner.DisableBuffering();
    }

    // Framework helpers (Response.WriteAsync among them) start the response before their first write; that is not a
    // reason to send held bytes, nor the headers before the answer's length is known.
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        _passing ? _inner.StartAsync(cancellationToken) : Task.CompletedTask;

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await PassAndFlushAsync(cancellationToken).ConfigureAwait(false);
        await _inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync()
    {
        await FinishAsync().ConfigureAwait(false);
        await _inner.CompleteAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_held is { } held)
        {
            _held = null;
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    /// <summary>The handler is done: a held answer goes out whole with its length.</summary>
    private async Task FinishAsync()
    {
        if (_passing)
        {
            return;
        }
        _passing = true;
        if (_used == 0)
        {
            return;
        }
        var response = _context.Response;
        if (response.ContentLength is null && !HttpMethods.IsHead(_context.Request.Method))
        {
            response.ContentLength = _used;
        }
        await _inner.Writer.WriteAsync(_held.AsMemory(0, _used)).ConfigureAwait(false);
        _used = 0;
    }

    /// <summary>From here on every byte goes straight through; the held ones are handed to the inner writer first.</summary>
    private void Pass()
    {
        if (_passing)
        {
            return;
        }
        _passing = true;
        if (_used > 0)
        {
            _inner.Writer.Write(_held.AsSpan(0, _used));
            _innerWriterHasBytes = true;
            _used = 0;
        }
    }

    /// <summary><see cref="Pass"/>, then the inner writer flushed, for the paths that write around it (the stream, files).</summary>
    private async ValueTask PassAndFlushAsync(CancellationToken cancellationToken)
    {
        Pass();
        if (_innerWriterHasBytes)
        {
            _innerWriterHasBytes = false;
            await _inner.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Room for <paramref name="bytes"/> more held bytes, or false once they would not fit.</summary>
    private bool TryHold(int bytes)
    {
        if (_passing || _used + bytes > Limit)
        {
            return false;
        }
        _held ??= ArrayPool<byte>.Shared.Rent(Limit);
        return true;
    }

    private sealed class HeldStream(SmallAnswerBody owner) : Stream
    {
        public override bool CanRead => false;

        // Seekable while held, so that Response.Clear() (which empties a seekable body) takes the held bytes back.
        public override bool CanSeek => !owner._passing;

        public override bool CanWrite => true;

        public override long Length => CanSeek ? owner._used : throw new NotSupportedException();

        public override long Position
        {
            get => Length;
            set => throw new NotSupportedException();
        }

        public override void SetLength(long value)
        {
            if (!CanSeek || value < 0 || value > owner._used)
            {
                throw new NotSupportedException();
            }
            owner._used = (int)value;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (owner.TryHold(buffer.Length))
            {
                buffer.CopyTo(owner._held.AsSpan(owner._used));
                owner._used += buffer.Length;
                return;
            }
            owner.PassAndFlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            owner._inner.Stream.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (owner.TryHold(buffer.Length))
            {
                buffer.Span.CopyTo(owner._held.AsSpan(owner._used));
                owner._used += buffer.Length;
                return;
            }
            await owner.PassAndFlushAsync(cancellationToken).ConfigureAwait(false);
            await owner._inner.Stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Held bytes wait for the end of the answer or for the limit; a flush before either is not a reason to send.
        public override void Flush()
        {
            if (owner._passing)
            {
                owner.PassAndFlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                owner._inner.Stream.Flush();
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (owner._passing)
            {
                await owner.PassAndFlushAsync(cancellationToken).ConfigureAwait(false);
                await owner._inner.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    }

    private sealed class HeldWriter(SmallAnswerBody owner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => owner._passing ? owner._inner.Writer.CanGetUnflushedBytes : true;

        public override long UnflushedBytes => owner._passing ? owner._inner.Writer.UnflushedBytes : owner._used;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (owner.TryHold(Math.Max(sizeHint, 1)))
            {
                return owner._held.AsMemory(owner._used, Limit - owner._used);
            }
            owner.Pass();
            return owner._inner.Writer.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            if (owner._passing)
            {
                owner._inner.Writer.Advance(bytes);
                owner._innerWriterHasBytes = true;
                return;
            }
            if (bytes < 0 || owner._used + bytes > Limit)
            {
                throw new ArgumentOutOfRangeException(nameof(bytes));
            }
            owner._used += bytes;
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (!owner._passing)
            {
                return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
            }
            owner._innerWriterHasBytes = false;
            return owner._inner.Writer.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => owner._inner.Writer.CancelPendingFlush();

        // The end of the handler's writing; the middleware sends a held answer when the handler returns.
        public override void Complete(Exception? exception = null)
        {
            if (owner._passing)
            {
                owner._inner.Writer.Complete(exception);
            }
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            if (owner._passing)
            {
                await owner._inner.Writer.CompleteAsync(exception).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>
/// The framework's choice of whether to compress, except that an answer with a known length under
/// <see cref="SmallAnswerBody.Limit"/> bytes is sent as it is (see <see cref="SmallAnswerBody"/>).
/// </summary>
internal sealed class SmallAnswerCompressionProvider(IServiceProvider services, IOptions<ResponseCompressionOptions> options) : IResponseCompressionProvider
{
    private readonly ResponseCompressionProvider _framework = new(services, options);

    public bool CheckRequestAcceptsCompression(HttpContext context) => _framework.CheckRequestAcceptsCompression(context);

    public ICompressionProvider? GetCompressionProvider(HttpContext context) => _framework.GetCompressionProvider(context);

    public bool ShouldCompressResponse(HttpContext context) =>
        context.Response.ContentLength is not < SmallAnswerBody.Limit && _framework.ShouldCompressResponse(context);
}
