using Microsoft.AspNetCore.Http;
using Tsdb.Server.Http;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a request body with <c>Content-Encoding: gzip</c> through <c>RequestBody.ReadAsync</c>, as every write
/// endpoint reads its body, with a 1 MiB limit. Only <c>RequestBody.BadEncodingException</c> (400) and
/// <c>RequestBody.TooLargeException</c> (413) may come out.
/// </summary>
internal sealed class GzipBodyTarget : FuzzTarget
{
    private const long Limit = 1 << 20;

    public override string Name => "gzip-body";

    public override string Contract => "RequestBody.ReadAsync with Content-Encoding gzip: only BadEncodingException and TooLargeException";

    public override void Run(byte[] input)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers.ContentEncoding = "gzip";
        context.Request.ContentLength = input.Length;
        context.Request.Body = new MemoryStream(input, writable: false);
        using var body = RequestBody.ReadAsync(context.Request, Limit, CancellationToken.None).GetAwaiter().GetResult();
    }

    public override bool IsExpected(Exception exception) =>
        exception is RequestBody.BadEncodingException or RequestBody.TooLargeException;
}
