namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Passes every request on unchanged and remembers the address and <c>Content-Encoding</c> of each one with a body:
/// how a test sees that a client really compressed what it sent to the real server.
/// </summary>
internal sealed class ContentEncodingRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<(Uri Uri, string Encoding)> _seen = [];

    public IReadOnlyList<(Uri Uri, string Encoding)> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            lock (_seen)
            {
                _seen.Add((request.RequestUri!, string.Join(',', content.Headers.ContentEncoding)));
            }
        }
        return base.SendAsync(request, cancellationToken);
    }
}
