using System.CommandLine;
using System.Runtime.InteropServices;
using Tsdb.Catalog;
using Tsdb.Core.Cluster;
using Tsdb.Core.Diagnostics;
using Tsdb.Host;
using Tsdb.Server;
using Tsdb.Storage.Persistence;

namespace Tsdb.Cli;

/// <summary><c>tsdb serve</c>: turns its options into one <see cref="TsdbHostOptions"/>, starts <see cref="TsdbHost"/> and stops it on a signal.</summary>
internal static class ServeCommand
{
    public static Command Create() => Create(out _);

    /// <summary>
    /// The host options that these <c>tsdb serve</c> arguments give, read exactly as the command reads them (the
    /// in-process test server starts from them). Throws <see cref="ArgumentException"/> with the command's message.
    /// </summary>
    internal static TsdbHostOptions ParseOptions(IReadOnlyList<string> args)
    {
        var command = Create(out var read);
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", parse.Errors.Select(e => e.Message)));
        }
        return read(parse);
    }

    private static Command Create(out Func<ParseResult, TsdbHostOptions> read)
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
        var compactionBudget = EnvOption.Text("--compaction-memory-budget", "TSDB_COMPACTION_MEMORY_BUDGET", "auto", "Memory one compaction may hold: half for the slices it reads from its input files, half for the row groups of the files it writes (at most one open file per 128MiB; a split into more files takes several passes) (auto: an eighth of the memory the process may use, 32MiB to 512MiB)");
        var queryMemory = EnvOption.Text("--query-memory-limit", "TSDB_QUERY_MEMORY_LIMIT", "auto", "Arrow data one query may materialise (HTTP and Flight); beyond it the query fails with 413 (auto: an eighth of the memory the process may use)");
        var processMemory = EnvOption.Text("--process-memory-limit", "TSDB_PROCESS_MEMORY_LIMIT", "auto", "Memory that queries, persists and compactions share (see --query-memory-reserve, --background-memory-reserve): a query that finds it in use waits up to --query-memory-wait and then gets 503 with Retry-After, a persist or compaction waits its turn (persists first) (auto: three quarters of the memory the process may use less the write buffer limit, at least 32MiB; off: no shared budget)");
        var queryReserve = EnvOption.Text("--query-memory-reserve", "TSDB_QUERY_MEMORY_RESERVE", "auto", "Of --process-memory-limit, what only queries may take: persists and compactions never hold it, so queries are answered under a sustained write load (auto: a quarter, at least what one query needs to start, at most half)");
        var backgroundReserve = EnvOption.Text("--background-memory-reserve", "TSDB_BACKGROUND_MEMORY_RESERVE", "auto", "Of --process-memory-limit, what only persists and compactions may take: queries never hold it, so the write buffer drains under a heavy query load (auto: a quarter)");
        var queryWait = EnvOption.Text("--query-memory-wait", "TSDB_QUERY_MEMORY_WAIT", "10s", "How long a query short of memory waits in line for it (first come first served; a running query's next batch before new queries) before it gets 503 with Retry-After; 0: refused at once");
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
        var remoteReadLimit = EnvOption.Text("--remote-read-sample-limit", "TSDB_REMOTE_READ_SAMPLE_LIMIT", "50000000", "Most samples one Prometheus remote read (/api/v1/read) may return, all its queries together; past it the read fails with 400 before the samples are held (Prometheus' --storage.remote.read-sample-limit)");
        var promqlExperimental = EnvOption.Flag("--promql-experimental-functions", "TSDB_PROMQL_EXPERIMENTAL_FUNCTIONS", "Allow the PromQL functions Prometheus keeps behind --enable-feature=promql-experimental-functions (limitk, limit_ratio, sort_by_label, mad_over_time, …); off, as in Prometheus");
        var otlpStrategy = EnvOption.Text("--otlp-translation-strategy", "TSDB_OTLP_TRANSLATION_STRATEGY", "UnderscoreEscapingWithSuffixes", "How OTLP metric and attribute names become Prometheus names: UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes or NoTranslation (Prometheus 3's names)");
        var otlpPromote = EnvOption.Text("--otlp-promote-resource-attributes", "TSDB_OTLP_PROMOTE_RESOURCE_ATTRIBUTES", "", "OTLP resource attributes copied onto every series as labels, comma-separated (e.g. service.version,deployment.environment)");
        var otlpKeepIdentifying = EnvOption.Flag("--otlp-keep-identifying-resource-attributes", "TSDB_OTLP_KEEP_IDENTIFYING_RESOURCE_ATTRIBUTES", "Keep service.name, service.namespace and service.instance.id on target_info besides job and instance");
        var otlpScope = EnvOption.Text("--otlp-promote-scope-metadata", "TSDB_OTLP_PROMOTE_SCOPE_METADATA", "true", "Label OTLP series with their instrumentation scope (otel_scope_name, otel_scope_version, …): true or false");
        var deletionGrace = EnvOption.Text("--deletion-grace", "TSDB_DELETION_GRACE", "5m", "Replaced files are deleted this long after the catalog stops referencing them");

        var command = new Command("serve", "Run the database server")
        {
            dataDir, httpBind, withoutAuth, maxRequest, walFlush, walSegment, bufferLimit, maxDatabases, maxTables, maxColumns,
            objectStore, s3Endpoint, s3Bucket, s3Region, s3AccessKey, s3SecretKey, persistAge, persistSize, persistCheck, compactionFiles, compactionTarget, compactionBudget, deletionGrace, tlsCert, tlsKey, queryMemory, processMemory, queryReserve, backgroundReserve, queryWait, maxQueries, readCache, grpcCompression,
            logFormat, logLevel, disableAuthz, maxConnections, headerTimeout, mode, nodeId, advertiseUrl, objectStoreDir, storeRequestTimeout, storeRetryTimeout,
            promqlExperimental, remoteReadLimit,
            otlpStrategy, otlpPromote, otlpKeepIdentifying, otlpScope,
        };
        // The options as the host takes them; throws FormatException, ArgumentException or OverflowException with the
        // message the operator sees.
        TsdbHostOptions Read(ParseResult parse)
        {
            var settings = new TsdbHostOptions
            {
                DataDir = Path.GetFullPath(parse.GetValue(dataDir)!),
                HttpBind = parse.GetValue(httpBind)!,
                Auth = !parse.GetValue(withoutAuth),
                MaxRequestSize = Values.ParseSize(parse.GetValue(maxRequest)!),
                WalFlushInterval = Values.ParseDuration(parse.GetValue(walFlush)!),
                WalSegmentBytes = Values.ParseSize(parse.GetValue(walSegment)!),
                BufferLimit = SizeOrAuto(parse.GetValue(bufferLimit)!, () => MemoryBudget.DefaultBufferLimit(MemoryBudget.AvailableBytes)),
                Limits = new CatalogLimits { MaxDatabases = parse.GetValue(maxDatabases), MaxTablesPerDatabase = parse.GetValue(maxTables), MaxColumnsPerTable = parse.GetValue(maxColumns) },
                Store = ObjectStoreSettings.Parse(parse.GetValue(objectStore)!, parse.GetValue(s3Endpoint), parse.GetValue(s3Bucket), parse.GetValue(s3Region)!, parse.GetValue(s3AccessKey), parse.GetValue(s3SecretKey)) with
                {
                    RequestTimeout = PositiveDuration("--object-store-request-timeout", parse.GetValue(storeRequestTimeout)!),
                    RetryTimeout = Values.ParseDuration(parse.GetValue(storeRetryTimeout)!),
                },
                Storage = new StorageOptions
                {
                    PersistAge = Values.ParseDuration(parse.GetValue(persistAge)!),
                    PersistBufferBytes = SizeOrAuto(parse.GetValue(persistSize)!, () => MemoryBudget.DefaultPersistBufferSize(SizeOrAuto(parse.GetValue(bufferLimit)!, () => MemoryBudget.DefaultBufferLimit(MemoryBudget.AvailableBytes)))),
                    CheckInterval = Values.ParseDuration(parse.GetValue(persistCheck)!),
                    CompactionMinFiles = parse.GetValue(compactionFiles),
                    CompactionTargetFileBytes = Values.ParseSize(parse.GetValue(compactionTarget)!) is var target and >= 1 ? target : throw new ArgumentException("--compaction-target-file-size must be at least 1 byte"),
                    CompactionMemoryBudget = SizeOrAuto(parse.GetValue(compactionBudget)!, () => MemoryBudget.DefaultCompactionBudget(MemoryBudget.AvailableBytes)),
                    BeforePublish = FaultPoint(Environment.GetEnvironmentVariable("TSDB_FAULT_PAUSE_BEFORE_PUBLISH")),
                    DeletionGrace = Values.ParseDuration(parse.GetValue(deletionGrace)!),
                },
            };
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
                // "off" leaves queries, persists and compactions each with only its own limit (the behaviour before the
                // shared budget; for comparing the two under load).
                ProcessMemoryLimit = parse.GetValue(processMemory)!.Trim().Equals("off", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : SizeOrAuto(parse.GetValue(processMemory)!, () => MemoryBudget.DefaultProcessLimit(MemoryBudget.AvailableBytes, settings.BufferLimit)) is var process and > 0
                        ? process
                        : throw new ArgumentException("--process-memory-limit must be more than 0 bytes (or off)"),
                QueryMemoryReserve = SizeOrNull(parse.GetValue(queryReserve)!),
                BackgroundMemoryReserve = SizeOrNull(parse.GetValue(backgroundReserve)!),
                QueryMemoryWait = Values.ParseDuration(parse.GetValue(queryWait)!) is var wait && wait >= TimeSpan.Zero ? wait : throw new ArgumentException("--query-memory-wait must not be negative"),
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
                RemoteReadSampleLimit = long.Parse(parse.GetValue(remoteReadLimit)!, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture) is var limit and >= 1 ? limit : throw new ArgumentException("--remote-read-sample-limit must be at least 1"),
                Otlp = new Tsdb.Otlp.OtlpOptions
                {
                    TranslationStrategy = Tsdb.Otlp.OtlpTranslationStrategies.Parse(parse.GetValue(otlpStrategy)!)
                        ?? throw new ArgumentException($"--otlp-translation-strategy must be UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes or NoTranslation, got '{parse.GetValue(otlpStrategy)}'"),
                    PromoteResourceAttributes = parse.GetValue(otlpPromote)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    KeepIdentifyingResourceAttributes = parse.GetValue(otlpKeepIdentifying),
                    PromoteScopeMetadata = bool.TryParse(parse.GetValue(otlpScope), out var scope) ? scope : throw new ArgumentException($"--otlp-promote-scope-metadata must be true or false, got '{parse.GetValue(otlpScope)}'"),
                },
            };
            if (settings.ProcessMemoryLimit is { } budget)
            {
                var kept = (settings.QueryMemoryReserve ?? MemoryBudget.DefaultQueryReserve(budget, settings.QueryMemoryLimit))
                    + (settings.BackgroundMemoryReserve ?? MemoryBudget.DefaultBackgroundReserve(budget));
                if (kept > budget)
                {
                    throw new ArgumentException($"--query-memory-reserve and --background-memory-reserve add up to {kept >> 20} MiB, more than --process-memory-limit ({budget >> 20} MiB)");
                }
            }
            if (settings.Roles != NodeRoles.All && settings.Store.Kind == "memory")
            {
                throw new ArgumentException("--mode " + NodeRoleNames.Format(settings.Roles) + " needs a shared object store (s3, or file with a shared --object-store-dir), not memory");
            }
            return settings;
        }
        read = Read;
        command.SetAction(async (parse, cancellationToken) =>
        {
            TsdbHostOptions settings;
            try
            {
                settings = Read(parse);
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

    /// <summary>A size, or null for "auto" (the host works it out from the other limits).</summary>
    private static long? SizeOrNull(string text) =>
        text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : Values.ParseSize(text);

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

    /// <summary>
    /// Starts the host and runs until a signal: the first SIGINT (Ctrl-C) or SIGTERM stops gracefully (the host
    /// flushes and closes the WAL); a second SIGINT exits at once.
    /// </summary>
    private static async Task<int> RunAsync(TsdbHostOptions settings, CancellationToken cancellationToken)
    {
        // Under --log-format json the server's own lines are JSON objects too, so all of standard output parses.
        var output = settings.LogFormat == "json" ? new Output.JsonLineWriter(Console.Out, "tsdb.server") : Console.Out;
        TsdbHost host;
        try
        {
            host = await TsdbHost.StartAsync(settings, output, Console.Error, cancellationToken).ConfigureAwait(false);
        }
        catch (HostStartException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        await using (host.ConfigureAwait(false))
        {
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
            output.WriteLine("shutting down (Ctrl-C again to exit at once)");
            await host.StopAsync().ConfigureAwait(false);
        }
        return 0;
    }
}
