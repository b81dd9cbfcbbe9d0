namespace Tsdb.Server;

/// <summary>What the HTTP server needs to know beyond its services.</summary>
public sealed record ServerOptions
{
    /// <summary>host:port to listen on; port 0 picks a free port.</summary>
    public string HttpBind { get; init; } = "127.0.0.1:8181";

    public bool AuthEnabled { get; init; } = true;

    /// <summary>Largest request body, checked before and after decompression.</summary>
    public long MaxHttpRequestSize { get; init; } = 10L << 20;

    public string Version { get; init; } = "0.1.0";

    /// <summary>Bytes of Arrow buffers one query may materialise (the engine's limit); past it the query fails.</summary>
    public long QueryMemoryLimit { get; init; } = 1L << 30;

    /// <summary>Queries that may run at once; one more is refused (HTTP 429, Flight RESOURCE_EXHAUSTED).</summary>
    public int MaxConcurrentQueries { get; init; } = 16;

    /// <summary>PEM certificate for TLS; with <see cref="TlsKeyPath"/> the port serves HTTPS, HTTP/1.1 and HTTP/2 chosen by ALPN.</summary>
    public string? TlsCertPath { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertPath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>
    /// Compression of gRPC response messages (<c>gzip</c>) for clients that accept it, or null for none. Requests
    /// compressed with gzip or deflate are taken either way.
    /// </summary>
    public string? GrpcResponseCompression { get; init; }
}
