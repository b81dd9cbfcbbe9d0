using Tsdb.Catalog;
using Tsdb.Core.Cluster;
using Tsdb.Storage.Persistence;

namespace Tsdb.Host;

/// <summary>Everything <c>tsdb serve</c>'s options say, checked; the one input of <see cref="TsdbHost"/>.</summary>
public sealed record TsdbHostOptions
{
    /// <summary>The WAL's directory (and, with the file object store, the catalog and Parquet files): a full path.</summary>
    public required string DataDir { get; init; }

    /// <summary>HOST:PORT; port 0 picks a free port.</summary>
    public string HttpBind { get; init; } = "127.0.0.1:8181";

    public bool Auth { get; init; } = true;

    public long MaxRequestSize { get; init; } = 10L << 20;

    public TimeSpan WalFlushInterval { get; init; }

    public long WalSegmentBytes { get; init; } = 64L << 20;

    /// <summary>Memory for rows not yet persisted; past it writes get 503.</summary>
    public long BufferLimit { get; init; } = 256L << 20;

    public CatalogLimits Limits { get; init; } = new();

    public ObjectStoreSettings Store { get; init; } = ObjectStoreSettings.Parse("file", null, null, "us-east-1", null, null);

    public StorageOptions Storage { get; init; } = new();

    public string? TlsCert { get; init; }

    public string? TlsKey { get; init; }

    public long QueryMemoryLimit { get; init; } = 1L << 30;

    /// <summary>
    /// The budget queries, persists and compactions share (<c>--process-memory-limit</c>); null: none, each is bounded
    /// only by its own limit.
    /// </summary>
    public long? ProcessMemoryLimit { get; init; }

    /// <summary>Of <see cref="ProcessMemoryLimit"/>, what only queries may take (<c>--query-memory-reserve</c>); null: <see cref="Tsdb.Core.Diagnostics.MemoryBudget.DefaultQueryReserve"/>.</summary>
    public long? QueryMemoryReserve { get; init; }

    /// <summary>Of <see cref="ProcessMemoryLimit"/>, what only persists and compactions may take (<c>--background-memory-reserve</c>); null: <see cref="Tsdb.Core.Diagnostics.MemoryBudget.DefaultBackgroundReserve"/>.</summary>
    public long? BackgroundMemoryReserve { get; init; }

    /// <summary>How long a query short of memory waits in line before it gets 503 (<c>--query-memory-wait</c>; zero: refused at once).</summary>
    public TimeSpan QueryMemoryWait { get; init; } = Tsdb.Core.Diagnostics.MemoryBudget.DefaultQueryWait;

    public long ReadCacheBytes { get; init; } = 128L << 20;

    public int MaxConcurrentQueries { get; init; } = 16;

    public string? GrpcCompression { get; init; }

    public string LogFormat { get; init; } = "text";

    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    public IReadOnlySet<string> DisabledAuthz { get; init; } = new HashSet<string>();

    public long MaxConnections { get; init; } = 512;

    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public NodeRoles Roles { get; init; } = NodeRoles.All;

    /// <summary>This node's id; used (in paths, the registry, the catalog) only when <see cref="Clustered"/>.</summary>
    public string NodeId { get; init; } = "";

    public Uri? AdvertiseUrl { get; init; }

    public Tsdb.Otlp.OtlpOptions Otlp { get; init; } = new();

    public string? ObjectStoreDir { get; init; }

    public bool PromQLExperimentalFunctions { get; init; }

    /// <summary>Most samples one remote read may return (all its queries together), as Prometheus' <c>--storage.remote.read-sample-limit</c>.</summary>
    public long RemoteReadSampleLimit { get; init; } = 50_000_000;

    /// <summary>A node of a cluster (any --mode but all): files under its prefix, a registration, its roles only.</summary>
    public bool Clustered => Roles != NodeRoles.All;

    public string StoreDir => ObjectStoreDir ?? DataDir;
}
