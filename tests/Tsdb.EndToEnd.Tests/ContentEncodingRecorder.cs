namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Passes every request on unchanged and remembers the address and <c>Content-Encoding</c> of each one with a body,
/// and the <c>grpc-encoding</c> of each gRPC response: how a test sees that a client and the real server really
/// compressed what they sent.
/// </summary>
internal sealed class ContentEncodingRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<(Uri Uri, string Encoding)> _seen = [];
    private readonly List<(Uri Uri, string Encoding)> _grpcResponses = [];

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

    /// <summary>gRPC responses (those with a <c>grpc-encoding</c> header or none) with the encoding they used.</summary>
    public IReadOnlyList<(Uri Uri, string Encoding)> GrpcResponses
    {
        get
        {
            lock (_seen)
            {
                return [.. _grpcResponses];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            lock (_seen)
            {
                _seen.Add((request.RequestUri!, string.Join(',', content.Headers.ContentEncoding)));
            }
        }
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            lock (_seen)
            {
                _grpcResponses.Add((request.RequestUri!, response.Headers.TryGetValues("grpc-encoding", out var values) ? string.Join(',', values) : ""));
            }
        }
        return response;
    }
}
