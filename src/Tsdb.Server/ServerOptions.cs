using Tsdb.Query;

namespace Tsdb.Server;

/// <summary>What the HTTP server needs to know beyond its services.</summary>
public sealed record ServerOptions
{
    /// <summary>host:port to listen on; port 0 picks a free port.</summary>
    public string HttpBind { get; init; } = "127.0.0.1:8181";

    public bool AuthEnabled { get; init; } = true;

    /// <summary>What this node does (<c>--mode</c>); a request for another role is answered 421 naming nodes that have it.</summary>
    public Tsdb.Core.Cluster.NodeRoles Roles { get; init; } = Tsdb.Core.Cluster.NodeRoles.All;

    /// <summary>On an ingest node of a cluster: its write buffer, served to query nodes over Flight (null: none).</summary>
    public ITableSource? BufferedRows { get; init; }

    /// <summary>The other nodes' URLs that have a role (for the 421 answer), as last read from the node registry.</summary>
    public Func<Tsdb.Core.Cluster.NodeRoles, IReadOnlyList<string>> NodesWithRole { get; init; } = _ => [];

    /// <summary>Open connections at most; Kestrel closes more at once (HTTP/2 streams share a connection).</summary>
    public long MaxConnections { get; init; } = 512;

    /// <summary>Time a client has to send a request's headers; a slower one gets 408 and is disconnected.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body, checked before and after decompression.</summary>
    public long MaxHttpRequestSize { get; init; } = 10L << 20;

    public string Version { get; init; } = Tsdb.Core.Diagnostics.BuildInfo.Version;

    /// <summary>Resources served without a token although auth is on (<c>--disable-authz</c>): health, ping, metrics.</summary>
    public IReadOnlySet<string> DisabledAuthz { get; init; } = new HashSet<string>();

    /// <summary>Request and error log lines: <c>text</c> (one line each) or <c>json</c> (one object per line).</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>Least severe log level written; request lines are Information.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>What <c>/-/ready</c> reports; the host sets it once serving and clears it when stopping.</summary>
    public ServerReadiness Readiness { get; init; } = new();

    /// <summary>Bytes of Arrow buffers one query may materialise (the engine's limit); past it the query fails.</summary>
    public long QueryMemoryLimit { get; init; } = 1L << 30;

    /// <summary>The budget queries share with persists and compactions (null: none); see <see cref="Tsdb.Core.Diagnostics.ProcessMemory"/>.</summary>
    public Tsdb.Core.Diagnostics.ProcessMemory? ProcessMemory { get; init; }

    /// <summary>Samples one remote-read request may read (Prometheus' default, 5e7); past it the request fails with a 400.</summary>
    public long RemoteReadSampleLimit { get; init; } = 50_000_000;

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

    /// <summary>
    /// PromQL's experimental functions and aggregations (<see cref="Tsdb.PromQL.PromQLEngineOptions.EnableExperimentalFunctions"/>).
    /// Off by default, as Prometheus has them: a query that works here then works on Prometheus with the same flags.
    /// </summary>
    public bool PromQLExperimentalFunctions { get; init; }
    /// <summary>How OTLP metrics are named and labelled (<c>--otlp-translation-strategy</c>, <c>--otlp-promote-resource-attributes</c>).</summary>
    public Tsdb.Otlp.OtlpOptions Otlp { get; init; } = new();
}
