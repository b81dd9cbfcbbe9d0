using System.CommandLine;
using System.Runtime.InteropServices;
using Tsdb.Catalog;
using Tsdb.Cluster;
using Tsdb.Core.Cluster;
using Tsdb.Core.Diagnostics;
using Tsdb.Ingest;
using Tsdb.Prometheus;
using Tsdb.Server;
using Tsdb.Storage;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;

namespace Tsdb.Cli;

/// <summary><c>tsdb serve</c>: composes catalog, WAL, buffer, ingester and HTTP server, and runs until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var dataDir = EnvOption.Text("--data-dir", "TSDB_DATA_DIR", "./tsdb-data", "Directory for the WAL and, with --object-store file, the catalog and Parquet files");
        var httpBind = EnvOption.Text("--http-bind", "TSDB_HTTP_BIND", "127.0.0.1:8181", "HOST:PORT to serve HTTP on; port 0 picks a free port");
        var withoutAuth = EnvOption.Flag("--without-auth", "TSDB_WITHOUT_AUTH", "Serve without token authentication");
        var maxRequest = EnvOption.Text("--max-http-request-size", "TSDB_MAX_HTTP_REQUEST_SIZE", "10MiB", "Largest request body, before and after decompression");
        var walFlush = EnvOption.Text("--wal-flush-interval", "TSDB_WAL_FLUSH_INTERVAL", "0", "How long the WAL waits to gather writes into one fsync (0: commit as soon as idle)");
        var walSegment = EnvOption.Text("--wal-segment-size", "TSDB_WAL_SEGMENT_SIZE", "64MiB", "Size at which a WAL segment file is closed and a new one started");
        var bufferLimit = EnvOption.Text("--buffer-memory-limit", "TSDB_BUFFER_MEMORY_LIMIT", "auto", "Memory for rows not yet persisted; beyond it writes get 503 with Retry-After (auto: a quarter of the memory the process may use)");
        var maxDatabases = EnvOption.Number("--max-databases", "TSDB_MAX_DATABASES", 100, "Most databases");
        var maxTables = EnvOption.Number("--max-tables-per-database", "TSDB_MAX_TABLES_PER_DATABASE", 2000, "Most tables in one database");
        var maxColumns = EnvOption.Number("--max-columns-per-table", "TSDB_MAX_COLUMNS_PER_TABLE", 500, "Most columns in one table (tags, fields and time)");
        var objectStore = EnvOption.Text("--object-store", "TSDB_OBJECT_STORE", "file", "Where Parquet files and the catalog live: file (under --data-dir), memory, or s3");
        var s3Endpoint = EnvOption.Text("--s3-endpoint", "TSDB_S3_ENDPOINT", null, "S3 endpoint URL, e.g. http://127.0.0.1:7480 (path-style)");
        var s3Bucket = EnvOption.Text("--s3-bucket", "TSDB_S3_BUCKET", null, "S3 bucket (created if missing)");
        var s3Region = EnvOption.Text("--s3-region", "TSDB_S3_REGION", "us-east-1", "S3 region");
        var s3AccessKey = EnvOption.Text("--s3-access-key", "TSDB_S3_ACCESS_KEY", null, "S3 access key");
        var s3SecretKey = EnvOption.Text("--s3-secret-key", "TSDB_S3_SECRET_KEY", null, "S3 secret key");
        var persistAge = EnvOption.Text("--persist-age", "TSDB_PERSIST_AGE", "10m", "Persist buffered rows once the oldest are this old");
        var persistSize = EnvOption.Text("--persist-buffer-size", "TSDB_PERSIST_BUFFER_SIZE", "auto", "Persist once the buffer holds this much (auto: half the buffer limit, at most 256MiB)");
        var persistCheck = EnvOption.Text("--persist-check-interval", "TSDB_PERSIST_CHECK_INTERVAL", "5s", "How often the persister, compactor and retention run");
        var compactionFiles = EnvOption.Number("--compaction-min-files", "TSDB_COMPACTION_MIN_FILES", 4, "Compact a day partition once it has this many level-0 files (persists)");
        var compactionTarget = EnvOption.Text("--compaction-target-file-size", "TSDB_COMPACTION_TARGET_FILE_SIZE", "100MiB", "Compaction splits a day partition by time into files of about this size");
        var compactionBudget = EnvOption.Text("--compaction-memory-budget", "TSDB_COMPACTION_MEMORY_BUDGET", "auto", "Memory a compaction may hold for the files it writes at once (about 128MiB each; under that, smaller row groups); a split into more files takes several passes (auto: an eighth of the memory the process may use, 32MiB to 512MiB)");
        var queryMemory = EnvOption.Text("--query-memory-limit", "TSDB_QUERY_MEMORY_LIMIT", "auto", "Arrow data one query may materialise (HTTP and Flight); beyond it the query fails with 413 (auto: an eighth of the memory the process may use)");
        var maxQueries = EnvOption.Number("--max-concurrent-queries", "TSDB_MAX_CONCURRENT_QUERIES", 16, "Queries (SQL and Flight) running at once; one more gets 429 with Retry-After");
        var readCache = EnvOption.Text("--read-cache-size", "TSDB_READ_CACHE_SIZE", "128MiB", "Memory for tag dictionaries and decompressed Parquet pages that selective queries (a few series) read again; 0 turns it off");
        var tlsCert = EnvOption.Text("--tls-cert", "TSDB_TLS_CERT", null, "PEM certificate: serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) instead of cleartext HTTP/1.1 + h2c");
        var tlsKey = EnvOption.Text("--tls-key", "TSDB_TLS_KEY", null, "PEM private key for --tls-cert");
        var grpcCompression = EnvOption.Text("--grpc-compression", "TSDB_GRPC_COMPRESSION", "none", "Compress gRPC (Flight) responses for clients that accept it: gzip, or none (compressed requests are taken either way)");
        var logFormat = EnvOption.Text("--log-format", "TSDB_LOG_FORMAT", "text", "Log lines as text or json (one object per line)");
        var logLevel = EnvOption.Text("--log-level", "TSDB_LOG_LEVEL", "info", "Least severe log level: trace, debug, info, warn, error (info logs one line per request)");
        var disableAuthz = EnvOption.Text("--disable-authz", "TSDB_DISABLE_AUTHZ", "", "Serve these resources without a token although auth is on, comma-separated: health, ping, metrics");
        var maxConnections = EnvOption.Text("--http-max-connections", "TSDB_HTTP_MAX_CONNECTIONS", "512", "Open HTTP connections at most (HTTP/2 and gRPC streams share one); more are closed at once");
        var headerTimeout = EnvOption.Text("--http-header-timeout", "TSDB_HTTP_HEADER_TIMEOUT", "30s", "Time a client has to send a request's headers (slower clients get 408 and are disconnected)");
        var mode = EnvOption.Text("--mode", "TSDB_MODE", "all", "What this node does: all (a single server), or in a cluster over one object store a comma-separated list of ingest, query, compact");
        var nodeId = EnvOption.Text("--node-id", "TSDB_NODE_ID", null, "This node's id in a cluster (letters, digits, '.', '_', '-'); default: the host name");
        var advertiseUrl = EnvOption.Text("--advertise-url", "TSDB_ADVERTISE_URL", null, "The URL other nodes of a cluster reach this one on; default: the address it listens on");
        var objectStoreDir = EnvOption.Text("--object-store-dir", "TSDB_OBJECT_STORE_DIR", null, "With --object-store file: the directory of the catalog and Parquet files (default: --data-dir); nodes of a cluster on one machine or a shared file system can share it");
        var storeRequestTimeout = EnvOption.Text("--object-store-request-timeout", "TSDB_OBJECT_STORE_REQUEST_TIMEOUT", "30s", "One S3 request's time limit: an object store that stops answering fails the attempt after this long");
        var storeRetryTimeout = EnvOption.Text("--object-store-retry-timeout", "TSDB_OBJECT_STORE_RETRY_TIMEOUT", "60s", "How long one object-store operation keeps retrying transient failures before the error stands (a query then gets 503)");
        var promqlExperimental = EnvOption.Flag("--promql-experimental-functions", "TSDB_PROMQL_EXPERIMENTAL_FUNCTIONS", "Allow the PromQL functions Prometheus keeps behind --enable-feature=promql-experimental-functions (limitk, limit_ratio, sort_by_label, mad_over_time, …); off, as in Prometheus");
        var otlpStrategy = EnvOption.Text("--otlp-translation-strategy", "TSDB_OTLP_TRANSLATION_STRATEGY", "UnderscoreEscapingWithSuffixes", "How OTLP metric and attribute names become Prometheus names: UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes or NoTranslation (Prometheus 3's names)");
        var otlpPromote = EnvOption.Text("--otlp-promote-resource-attributes", "TSDB_OTLP_PROMOTE_RESOURCE_ATTRIBUTES", "", "OTLP resource attributes copied onto every series as labels, comma-separated (e.g. service.version,deployment.environment)");
        var otlpKeepIdentifying = EnvOption.Flag("--otlp-keep-identifying-resource-attributes", "TSDB_OTLP_KEEP_IDENTIFYING_RESOURCE_ATTRIBUTES", "Keep service.name, service.namespace and service.instance.id on target_info besides job and instance");
        var otlpScope = EnvOption.Text("--otlp-promote-scope-metadata", "TSDB_OTLP_PROMOTE_SCOPE_METADATA", "true", "Label OTLP series with their instrumentation scope (otel_scope_name, otel_scope_version, …): true or false");
        var deletionGrace = EnvOption.Text("--deletion-grace", "TSDB_DELETION_GRACE", "5m", "Replaced files are deleted this long after the catalog stops referencing them");

        var command = new Command("serve", "Run the database server")
        {
            dataDir, httpBind, withoutAuth, maxRequest, walFlush, walSegment, bufferLimit, maxDatabases, maxTables, maxColumns,
            objectStore, s3Endpoint, s3Bucket, s3Region, s3AccessKey, s3SecretKey, persistAge, persistSize, persistCheck, compactionFiles, compactionTarget, compactionBudget, deletionGrace, tlsCert, tlsKey, queryMemory, maxQueries, readCache, grpcCompression,
            logFormat, logLevel, disableAuthz, maxConnections, headerTimeout, mode, nodeId, advertiseUrl, objectStoreDir, storeRequestTimeout, storeRetryTimeout,
            promqlExperimental,
            otlpStrategy, otlpPromote, otlpKeepIdentifying, otlpScope,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServeSettings settings;
            try
            {
                settings = new ServeSettings(
                    Path.GetFullPath(parse.GetValue(dataDir)!),
                    parse.GetValue(httpBind)!,
                    !parse.GetValue(withoutAuth),
                    Values.ParseSize(parse.GetValue(maxRequest)!),
                    Values.ParseDuration(parse.GetValue(walFlush)!),
                    Values.ParseSize(parse.GetValue(walSegment)!),
                    SizeOrAuto(parse.GetValue(bufferLimit)!, () => MemoryBudget.DefaultBufferLimit(MemoryBudget.AvailableBytes)),
                    new CatalogLimits { MaxDatabases = parse.GetValue(maxDatabases), MaxTablesPerDatabase = parse.GetValue(maxTables), MaxColumnsPerTable = parse.GetValue(maxColumns) },
                    ObjectStoreSettings.Parse(parse.GetValue(objectStore)!, parse.GetValue(s3Endpoint), parse.GetValue(s3Bucket), parse.GetValue(s3Region)!, parse.GetValue(s3AccessKey), parse.GetValue(s3SecretKey)) with
                    {
                        RequestTimeout = PositiveDuration("--object-store-request-timeout", parse.GetValue(storeRequestTimeout)!),
                        RetryTimeout = Values.ParseDuration(parse.GetValue(storeRetryTimeout)!),
                    },
                    new StorageOptions
                    {
                        PersistAge = Values.ParseDuration(parse.GetValue(persistAge)!),
                        PersistBufferBytes = SizeOrAuto(parse.GetValue(persistSize)!, () => MemoryBudget.DefaultPersistBufferSize(SizeOrAuto(parse.GetValue(bufferLimit)!, () => MemoryBudget.DefaultBufferLimit(MemoryBudget.AvailableBytes)))),
                        CheckInterval = Values.ParseDuration(parse.GetValue(persistCheck)!),
                        CompactionMinFiles = parse.GetValue(compactionFiles),
                        CompactionTargetFileBytes = Values.ParseSize(parse.GetValue(compactionTarget)!) is var target and >= 1 ? target : throw new ArgumentException("--compaction-target-file-size must be at least 1 byte"),
                        CompactionMemoryBudget = SizeOrAuto(parse.GetValue(compactionBudget)!, () => MemoryBudget.DefaultCompactionBudget(MemoryBudget.AvailableBytes)),
                        BeforePublish = FaultPoint(Environment.GetEnvironmentVariable("TSDB_FAULT_PAUSE_BEFORE_PUBLISH")),
                        DeletionGrace = Values.ParseDuration(parse.GetValue(deletionGrace)!),
                    });
                _ = TsdbHttpServer.ParseBindForValidation(settings.HttpBind);
                var (cert, key) = (parse.GetValue(tlsCert), parse.GetValue(tlsKey));
                if ((cert is null) != (key is null))
                {
                    throw new ArgumentException("--tls-cert and --tls-key go together");
                }
                settings = settings with
                {
                    TlsCert = cert is null ? null : Path.GetFullPath(cert),
                    TlsKey = key is null ? null : Path.GetFullPath(key),
                    QueryMemoryLimit = SizeOrAuto(parse.GetValue(queryMemory)!, () => MemoryBudget.DefaultQueryLimit(MemoryBudget.AvailableBytes)),
                    ReadCacheBytes = Values.ParseSize(parse.GetValue(readCache)!),
                    MaxConcurrentQueries = parse.GetValue(maxQueries) is var n and >= 1 ? n : throw new ArgumentException("--max-concurrent-queries must be at least 1"),
                    GrpcCompression = parse.GetValue(grpcCompression) switch
                    {
                        "none" => null,
                        "gzip" => "gzip",
                        var other => throw new ArgumentException($"--grpc-compression must be gzip or none, got '{other}'"),
                    },
                    LogFormat = parse.GetValue(logFormat) switch
                    {
                        "text" => "text",
                        "json" => "json",
                        var other => throw new ArgumentException($"--log-format must be text or json, got '{other}'"),
                    },
                    LogLevel = ParseLogLevel(parse.GetValue(logLevel)!),
                    DisabledAuthz = ParseDisabledAuthz(parse.GetValue(disableAuthz)!),
                    MaxConnections = long.TryParse(parse.GetValue(maxConnections), out var c) && c >= 1 ? c : throw new ArgumentException($"--http-max-connections must be a whole number of at least 1, got '{parse.GetValue(maxConnections)}'"),
                    HeaderTimeout = Values.ParseDuration(parse.GetValue(headerTimeout)!),
                    Roles = NodeRoleNames.Parse(parse.GetValue(mode)!),
                    NodeId = ParseNodeId(parse.GetValue(nodeId) ?? System.Net.Dns.GetHostName()),
                    AdvertiseUrl = parse.GetValue(advertiseUrl) is { } advertise
                        ? Uri.TryCreate(advertise, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u : throw new ArgumentException($"--advertise-url must be an http or https URL, got '{advertise}'")
                        : null,
                    ObjectStoreDir = parse.GetValue(objectStoreDir) is { } dir ? Path.GetFullPath(dir) : null,
                    PromQLExperimentalFunctions = parse.GetValue(promqlExperimental),
                    Otlp = new Tsdb.Otlp.OtlpOptions
                    {
                        TranslationStrategy = Tsdb.Otlp.OtlpTranslationStrategies.Parse(parse.GetValue(otlpStrategy)!)
                            ?? throw new ArgumentException($"--otlp-translation-strategy must be UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes or NoTranslation, got '{parse.GetValue(otlpStrategy)}'"),
                        PromoteResourceAttributes = parse.GetValue(otlpPromote)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        KeepIdentifyingResourceAttributes = parse.GetValue(otlpKeepIdentifying),
                        PromoteScopeMetadata = bool.TryParse(parse.GetValue(otlpScope), out var scope) ? scope : throw new ArgumentException($"--otlp-promote-scope-metadata must be true or false, got '{parse.GetValue(otlpScope)}'"),
                    },
                };
                if (settings.Roles != NodeRoles.All && settings.Store.Kind == "memory")
                {
                    throw new ArgumentException("--mode " + NodeRoleNames.Format(settings.Roles) + " needs a shared object store (s3, or file with a shared --object-store-dir), not memory");
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            return await RunAsync(settings, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// A hidden fault point for crash tests (TSDB_FAULT_PAUSE_BEFORE_PUBLISH=compaction or retention): the rewrite
    /// announces on stdout that its new files are uploaded and waits there, unpublished, until the process is killed.
    /// </summary>
    private static Func<string, CancellationToken, Task>? FaultPoint(string? at) => string.IsNullOrEmpty(at) ? null : async (what, cancellationToken) =>
    {
        if (what == at)
        {
            await Console.Out.WriteLineAsync($"fault point: {what} uploaded its files; pausing before the catalog update").ConfigureAwait(false);
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    };

    /// <summary>A size, or "auto" for a share of the memory the process may use (<see cref="MemoryBudget"/>).</summary>
    private static TimeSpan PositiveDuration(string option, string text) =>
        Values.ParseDuration(text) is { Ticks: > 0 } d ? d : throw new ArgumentException($"{option} must be longer than 0, got '{text}'");

    private static long SizeOrAuto(string text, Func<long> auto) =>
        text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? auto() : Values.ParseSize(text);

    private static Microsoft.Extensions.Logging.LogLevel ParseLogLevel(string text) => text.ToLowerInvariant() switch
    {
        "trace" => Microsoft.Extensions.Logging.LogLevel.Trace,
        "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
        "info" or "information" => Microsoft.Extensions.Logging.LogLevel.Information,
        "warn" or "warning" => Microsoft.Extensions.Logging.LogLevel.Warning,
        "error" => Microsoft.Extensions.Logging.LogLevel.Error,
        _ => throw new ArgumentException($"--log-level must be trace, debug, info, warn or error, got '{text}'"),
    };

    private static string ParseNodeId(string text)
    {
        var id = text.Trim();
        if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"--node-id must be 1 to 64 letters, digits, '.', '_' or '-', got '{text}'");
        }
        return id;
    }

    private static HashSet<string> ParseDisabledAuthz(string text)
    {
        var resources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part is not ("health" or "ping" or "metrics"))
            {
                throw new ArgumentException($"--disable-authz takes health, ping and metrics, got '{part}'");
            }
            resources.Add(part);
        }
        return resources;
    }

    private sealed record ServeSettings(string DataDir, string HttpBind, bool Auth, long MaxRequestSize, TimeSpan WalFlushInterval, long WalSegmentBytes, long BufferLimit, CatalogLimits Limits, ObjectStoreSettings Store, StorageOptions Storage)
    {
        public string? TlsCert { get; init; }

        public string? TlsKey { get; init; }

        public long QueryMemoryLimit { get; init; } = 1L << 30;

        public long ReadCacheBytes { get; init; } = 128L << 20;

        public int MaxConcurrentQueries { get; init; } = 16;

        public string? GrpcCompression { get; init; }

        public string LogFormat { get; init; } = "text";

        public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

        public HashSet<string> DisabledAuthz { get; init; } = [];

        public long MaxConnections { get; init; } = 512;

        public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

        public NodeRoles Roles { get; init; } = NodeRoles.All;

        /// <summary>This node's id; used (in paths, the registry, the catalog) only when <see cref="Clustered"/>.</summary>
        public string NodeId { get; init; } = "";

        public Uri? AdvertiseUrl { get; init; }

        public Tsdb.Otlp.OtlpOptions Otlp { get; init; } = new();

        public string? ObjectStoreDir { get; init; }

        public bool PromQLExperimentalFunctions { get; init; }

        /// <summary>A node of a cluster (any --mode but all): files under its prefix, a registration, its roles only.</summary>
        public bool Clustered => Roles != NodeRoles.All;

        public string StoreDir => ObjectStoreDir ?? DataDir;
    }

    /// <summary>Every URL the server answers on, and where its data lives.</summary>
    private static void PrintEndpoints(string url, ServeSettings settings)
    {
        var grpc = url.StartsWith("https:", StringComparison.Ordinal) ? "grpc+tls" + url[5..] : "grpc" + url[4..];
        Console.WriteLine($"  web UI (sign in with a token):               {url}/");
        Console.WriteLine($"  HTTP API (v3, v2, v1 writes; SQL, InfluxQL): {url}/api/v3/  {url}/api/v2/write  {url}/write  {url}/query");
        Console.WriteLine($"  Arrow Flight / Flight SQL (gRPC, same port):  {grpc}");
        Console.WriteLine($"  Prometheus remote write:                     {url}/api/v1/write?db=NAME");
        Console.WriteLine($"  Prometheus query API (PromQL):               {url}/api/v1/query  {url}/api/v1/query_range");
        Console.WriteLine($"  metrics (Prometheus text format):            {url}/metrics");
        Console.WriteLine($"  health:                                      {url}/health  {url}/ping  {url}/-/healthy  {url}/-/ready");
        Console.WriteLine($"  data directory:                              {settings.DataDir} (WAL in {Path.Combine(settings.DataDir, "wal")})");
        Console.WriteLine($"  object store (catalog, Parquet files):       {settings.Store.Describe(settings.StoreDir)}");
        if (!settings.Auth)
        {
            Console.WriteLine("  authentication:                              off (--without-auth): anyone who reaches the port can read and write");
        }
        else if (settings.DisabledAuthz.Count > 0)
        {
            Console.WriteLine($"  served without a token (--disable-authz):    {string.Join(", ", settings.DisabledAuthz.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>The admin token, once, set apart from the log so that it is not lost in it.</summary>
    private static void PrintAdminToken(string token, string dataDir)
    {
        var rule = new string('=', 78);
        Console.WriteLine();
        Console.WriteLine(rule);
        Console.WriteLine($"  admin token (shown once, only its hash is stored): {token}");
        Console.WriteLine("  Keep it now: it is not shown again. Use it as 'Authorization: Bearer <token>'; create more");
        Console.WriteLine("  tokens with 'tsdb token create'. If it is lost, stop the server and run");
        Console.WriteLine($"    tsdb token recover --data-dir {dataDir}");
        Console.WriteLine(rule);
        Console.WriteLine();
    }

    private static System.Net.Sockets.SocketException? SocketErrorOf(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException socket)
            {
                return socket;
            }
        }
        return null;
    }

    private static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDir);
        // One server per data directory: a second one would replay and append to the same WAL and delete the files the
        // first is writing as a crashed persist's leftovers. An exclusive open is an flock on Unix, which the kernel
        // drops when the process dies, kill -9 included.
        FileStream dataDirLock;
        try
        {
            dataDirLock = new FileStream(Path.Combine(settings.DataDir, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            await Console.Error.WriteLineAsync($"error: the data directory {Path.GetFullPath(settings.DataDir)} is in use by another tsdb server").ConfigureAwait(false);
            return 1;
        }
        await using (dataDirLock.ConfigureAwait(false))
        {
            return await RunLockedAsync(settings, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunLockedAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var roles = settings.Roles;
        var clusterNode = settings.Clustered ? settings.NodeId : null;
        var store = settings.Store.Create(settings.StoreDir);
        settings = settings with { Storage = settings.Storage with { TruncateWal = settings.Store.Kind != "memory", NodeId = clusterNode } };
        Console.WriteLine($"object store: {settings.Store.Describe(settings.StoreDir)}");
        Console.WriteLine($"memory: {MemoryBudget.AvailableBytes >> 20} MiB available to the process; write buffer limit {settings.BufferLimit >> 20} MiB, persist at {settings.Storage.PersistBufferBytes >> 20} MiB, {settings.QueryMemoryLimit >> 20} MiB per query");
        if (settings.Clustered)
        {
            Console.WriteLine($"cluster node '{settings.NodeId}' with --mode {NodeRoleNames.Format(roles)}");
        }
        var catalog = await Catalog.Catalog.CreateAsync(new ObjectStoreCatalogStore(store), settings.Limits, cancellationToken).ConfigureAwait(false);
        string? adminToken = null;
        if (settings.Auth && catalog.Current.Tokens.Count == 0)
        {
            try
            {
                adminToken = await catalog.CreateTokenAsync("_admin", admin: true, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (settings.Clustered)
            {
                // Another node of the cluster started at the same moment and made it (and printed it).
            }
        }
        CatalogMetrics.Observe(catalog);
        // In a cluster each ingest node replays its own WAL from where its own files end.
        var persisted = catalog.Current.PersistedSequenceOf(clusterNode);
        var buffer = new WriteBuffer(settings.BufferLimit, time);
        buffer.SkipThrough(persisted);
        StorageMetrics.Observe(buffer);
        // Every node opens its WAL (the write path is built on it); only ingest nodes are sent writes.
        var wal = WriteAheadLog.Open(new WalOptions
        {
            Directory = Path.Combine(settings.DataDir, "wal"),
            FlushInterval = settings.WalFlushInterval,
            SegmentBytes = settings.WalSegmentBytes,
            SequenceFloor = persisted,
        }, buffer);
        foreach (var problem in wal.ReplayReport.Problems)
        {
            await Console.Error.WriteLineAsync($"warning: {problem}").ConfigureAwait(false);
        }
        Console.WriteLine($"replayed {wal.ReplayReport.RecordCount} WAL records ({buffer.RowCount} rows not yet persisted) from {wal.ReplayReport.SegmentCount} segments; {catalog.Current.Files.Count} Parquet files, persisted through sequence {persisted}");
        var fileWriter = new ParquetFileWriter(store, settings.Storage, time);
        using var rewriteGate = new FileRewriteGate();
        using var persister = roles.HasFlag(NodeRoles.Ingest) ? new PersistService(catalog, buffer, wal, fileWriter, settings.Storage) : null;
        var compactor = new Compactor(catalog, store, fileWriter, rewriteGate, settings.Storage, time);
        var retention = new RetentionService(catalog, buffer, store, fileWriter, rewriteGate, settings.Storage, time);
        var deletion = new DeletionService(catalog, buffer, store, settings.Storage, time);
        if (roles.HasFlag(NodeRoles.Ingest) || roles.HasFlag(NodeRoles.Compact))
        {
            // Before anything writes a file: a file written but not yet published looks like an orphan. A cluster node
            // looks only under its own prefix (other nodes' files in flight look the same).
            var orphans = await deletion.DeleteOrphansAsync(cancellationToken).ConfigureAwait(false);
            if (orphans > 0)
            {
                Console.WriteLine($"deleted {orphans} files a crashed persist, compaction or retention rewrite left behind");
            }
        }
        var cluster = settings.Clustered ? new ClusterOptions(settings.NodeId, roles, settings.AdvertiseUrl ?? new Uri("http://127.0.0.1/")) : null;
        await using var follower = cluster is null ? null : new CatalogFollower(catalog, cluster.CatalogRefreshInterval, time, Console.WriteLine);
        follower?.Start();
        await using var compactorLease = cluster is null || !roles.HasFlag(NodeRoles.Compact) ? null
            : new LeaseKeeper(new ObjectStoreLease(store, "compactor", cluster.NodeId, cluster.LeaseDuration, time), "compactor", cluster.LeaseDuration, time, Console.WriteLine);
        compactorLease?.Start();
        Func<bool>? mayMaintain = cluster is null ? null : () => compactorLease?.IsHeld ?? false;
        await using var storage = new StorageService(persister, compactor, retention, deletion, buffer, settings.Storage, time, Console.WriteLine, mayMaintain);
        storage.Start();
        var ingester = new LineProtocolIngester(catalog, wal, time, () =>
        {
            if (!buffer.IsOverBudget)
            {
                return false;
            }
            storage.RequestPersist();
            return true;
        });
        var parquetFiles = new ParquetFiles(store, settings.ReadCacheBytes);
        await using var members = cluster is null ? null : new ClusterMembers(new NodeRegistry(store, time), cluster, time, Console.WriteLine);
        string? nodeToken = null;
        using var ingesterClient = cluster is null ? null : new IngesterClient(() => nodeToken);
        Tsdb.Query.ITableSource tables = members is not null && roles.HasFlag(NodeRoles.Query)
            ? new ClusterTableSource(catalog, new StorageTableSource(catalog, null, parquetFiles, time), members, ingesterClient!)
            : new StorageTableSource(catalog, buffer, parquetFiles, time);
        var remoteWrite = new RemoteWriteIngester(catalog, wal, () =>
        {
            if (!buffer.IsOverBudget)
            {
                return false;
            }
            storage.RequestPersist();
            return true;
        }, new MetricMetadataStore(catalog), time);
        var readiness = new ServerReadiness { Wal = wal };
        var server = new TsdbHttpServer(
            new ServerOptions
            {
                HttpBind = settings.HttpBind, AuthEnabled = settings.Auth, MaxHttpRequestSize = settings.MaxRequestSize, TlsCertPath = settings.TlsCert, TlsKeyPath = settings.TlsKey,
                QueryMemoryLimit = settings.QueryMemoryLimit, MaxConcurrentQueries = settings.MaxConcurrentQueries, GrpcResponseCompression = settings.GrpcCompression, LogFormat = settings.LogFormat,
                LogLevel = settings.LogLevel, DisabledAuthz = settings.DisabledAuthz, Readiness = readiness, MaxConnections = settings.MaxConnections, HeaderTimeout = settings.HeaderTimeout,
                Roles = roles,
                PromQLExperimentalFunctions = settings.PromQLExperimentalFunctions,
                Otlp = settings.Otlp,
                NodesWithRole = role => members?.UrlsWith(role) ?? [],
                BufferedRows = cluster is not null && roles.HasFlag(NodeRoles.Ingest) ? new StorageTableSource(catalog, buffer, null, time) : null,
            },
            catalog, ingester, persister, compactor, retention, deletion, time, tables, remoteWrite,
            // A row delete is ordered by the single server's WAL sequence; a cluster has one WAL per ingest node.
            cluster is null ? new RowDeleter(catalog, wal, time) : null);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (SocketErrorOf(e) is { } socketError)
        {
            await Console.Error.WriteLineAsync($"error: cannot listen on {settings.HttpBind}: {socketError.Message} (is another server using it? pick another with --http-bind)").ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            await wal.DisposeAsync().ConfigureAwait(false);
            return 1;
        }
        var url = server.Address.ToString().TrimEnd('/');
        if (members is not null)
        {
            var advertise = settings.AdvertiseUrl ?? server.Address;
            if (settings.AdvertiseUrl is null && advertise.Host is "0.0.0.0" or "[::]")
            {
                await Console.Error.WriteLineAsync($"error: this node listens on {url}, which other nodes cannot reach: give --advertise-url").ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
                await wal.DisposeAsync().ConfigureAwait(false);
                return 2;
            }
            if (settings.Auth && roles.HasFlag(NodeRoles.Query))
            {
                // The token this query node shows ingest nodes: made anew at each start (only its hash is in the catalog).
                nodeToken = Catalog.Catalog.NewTokenSecret();
                var secret = nodeToken;
                await catalog.UpdateAsync(e =>
                {
                    e.SetToken(new TokenDefinition($"_node-{settings.NodeId}", Catalog.Catalog.Hash(secret), IsAdmin: true, time.GetUtcNow()));
                    return true;
                }, cancellationToken).ConfigureAwait(false);
            }
            await members.StartAsync(advertise, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"registered as '{settings.NodeId}' ({NodeRoleNames.Format(roles)}) at {advertise}; {members.Live.Count} live nodes");
            if (roles.HasFlag(NodeRoles.Ingest))
            {
                // Query nodes read the registry every heartbeat: until each has, a row written here would be missing from
                // their answers. Ready (the probe, the "listening on" line) only once they all know this node.
                await Task.Delay(members.Self.HeartbeatInterval * 2, cancellationToken).ConfigureAwait(false);
            }
        }
        // The token before the "listening on" line: whoever waits for that line (scripts, the tests) has it then.
        if (adminToken is not null)
        {
            PrintAdminToken(adminToken, settings.DataDir);
        }
        Console.WriteLine($"listening on {url}");
        PrintEndpoints(url, settings);
        readiness.SetReady(true);

        // The first SIGINT (Ctrl-C) or SIGTERM stops gracefully: requests in flight get a few seconds, then the
        // background storage work stops and the WAL is closed (every acknowledged write is already fsynced in it).
        // A second SIGINT exits at once.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.TrySetResult() && context.Signal == PosixSignal.SIGINT)
            {
                Console.Error.WriteLine("second interrupt: exiting now without finishing the shutdown");
                Environment.Exit(130);
            }
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var registration = cancellationToken.Register(() => stop.TrySetResult());
        await stop.Task.ConfigureAwait(false);

        Console.WriteLine("shutting down (Ctrl-C again to exit at once)");
        readiness.SetReady(false);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        await storage.DisposeAsync().ConfigureAwait(false);
        if (members is not null && persister is not null && buffer.RowCount > 0)
        {
            // A cluster's ingest node may be leaving for good (scaled down): its rows go to files, where every query
            // node finds them, rather than wait in its WAL for a restart.
            try
            {
                var result = await persister.PersistAsync(CancellationToken.None).ConfigureAwait(false);
                Console.WriteLine($"persisted {result.Rows} rows before leaving the cluster");
            }
            catch (Exception e)
            {
                Console.WriteLine($"warning: could not persist before stopping ({e.Message}); the rows stay in the WAL for the next start");
            }
        }
        if (members is not null)
        {
            await members.DisposeAsync().ConfigureAwait(false); // deregistered: query nodes stop asking this one
        }
        if (compactorLease is not null)
        {
            await compactorLease.DisposeAsync().ConfigureAwait(false); // released: another compact node takes over now
        }
        await wal.DisposeAsync().ConfigureAwait(false);
        Console.WriteLine($"stopped in {stopwatch.Elapsed.TotalSeconds:0.0} s; WAL closed with {buffer.RowCount} rows not yet persisted (replayed at the next start)");
        return 0;
    }
}
