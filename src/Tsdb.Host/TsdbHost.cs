using Tsdb.Catalog;
using Tsdb.Cluster;
using Tsdb.Core.Cluster;
using Tsdb.Core.Diagnostics;
using Tsdb.Ingest;
using Tsdb.Prometheus;
using Tsdb.Query;
using Tsdb.Server;
using Tsdb.Storage;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;

namespace Tsdb.Host;

/// <summary>
/// A running server: catalog, WAL, write buffer, the storage services, the cluster pieces of its roles, and the HTTP
/// and Flight front ends, composed from one <see cref="TsdbHostOptions"/>. <see cref="StartAsync"/> returns once it is
/// ready (the "listening on" line printed); <see cref="StopAsync"/> stops it cleanly (requests in flight finish, the
/// background work stops, the WAL is closed). Signals are the caller's business.
/// </summary>
public sealed class TsdbHost : IAsyncDisposable
{
    private readonly TsdbHostOptions _options;
    private readonly TextWriter _output;
    // What StartAsync opened, closed in reverse order after the ordered shutdown steps (or on a failed start).
    private readonly Stack<Func<ValueTask>> _cleanup = new();
    private TsdbHttpServer? _server;
    private ServerReadiness? _readiness;
    private StorageService? _storage;
    private PersistService? _persister;
    private ClusterMembers? _members;
    private LeaseKeeper? _compactorLease;
    private WriteAheadLog? _wal;
    private WriteBuffer? _buffer;
    private Task? _stopped;

    private TsdbHost(TsdbHostOptions options, TextWriter output)
    {
        _options = options;
        _output = output;
    }

    public TsdbHostOptions Options => _options;

    /// <summary>The address the server answers on (with the real port when port 0 was asked for).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The admin token made at the first start of a catalog with auth on; null otherwise.</summary>
    public string? AdminToken { get; private set; }

    /// <summary>
    /// Starts the server; progress goes to <paramref name="output"/> as <c>tsdb serve</c> prints it, warnings to
    /// <paramref name="errors"/>. Throws <see cref="HostStartException"/> for what the operator can fix.
    /// </summary>
    public static async Task<TsdbHost> StartAsync(TsdbHostOptions options, TextWriter output, TextWriter errors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var host = new TsdbHost(options, output);
        try
        {
            await host.StartCoreAsync(errors, cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.CleanUpAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(TextWriter errors, CancellationToken cancellationToken)
    {
        var settings = _options;
        var output = _output;
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
            throw new HostStartException($"the data directory {Path.GetFullPath(settings.DataDir)} is in use by another tsdb server", 1);
        }
        _cleanup.Push(dataDirLock.DisposeAsync);

        var time = TimeProvider.System;
        var roles = settings.Roles;
        var clusterNode = settings.Clustered ? settings.NodeId : null;
        var store = settings.Store.Create(settings.StoreDir);
        // Reservations are estimates and some memory has none (the buffer's own overhead, caches, a scan's pages): the
        // heap as the GC reports it is checked as well, so nothing is granted that would take it near its limit.
        var processMemory = settings.ProcessMemoryLimit is { } processLimit
            ? new ProcessMemory(processLimit, heap: new ProcessMemory.HeapGuard(() => GC.GetTotalMemory(forceFullCollection: false), MemoryBudget.HeapCeiling(MemoryBudget.AvailableBytes))
            {
                Collect = () => GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false),
            }, shares: new MemoryShares(
                settings.QueryMemoryReserve ?? MemoryBudget.DefaultQueryReserve(processLimit, settings.QueryMemoryLimit),
                settings.BackgroundMemoryReserve ?? MemoryBudget.DefaultBackgroundReserve(processLimit),
                settings.QueryMemoryWait))
            : null;
        if (processMemory is not null)
        {
            StorageMetrics.Observe(processMemory);
        }
        var storageOptions = settings.Storage with { TruncateWal = settings.Store.Kind != "memory", NodeId = clusterNode, ProcessMemory = processMemory };
        output.WriteLine($"object store: {settings.Store.Describe(settings.StoreDir)}");
        output.WriteLine($"memory: {MemoryBudget.AvailableBytes >> 20} MiB available to the process; write buffer limit {settings.BufferLimit >> 20} MiB, persist at {storageOptions.PersistBufferBytes >> 20} MiB, {settings.QueryMemoryLimit >> 20} MiB per query"
            + (processMemory is null ? "" : $"; queries, persists and compactions share {processMemory.Limit >> 20} MiB ({processMemory.Shares.QueryReserve >> 20} MiB kept for queries, {processMemory.Shares.BackgroundReserve >> 20} MiB for persists and compactions; a query waits up to {processMemory.Shares.QueryWait.TotalSeconds:0.###} s for memory)"));
        if (settings.Clustered)
        {
            output.WriteLine($"cluster node '{settings.NodeId}' with --mode {NodeRoleNames.Format(roles)}");
        }
        var catalogStore = new ObjectStoreCatalogStore(store);
        var catalog = await Catalog.Catalog.CreateAsync(catalogStore, settings.Limits, cancellationToken).ConfigureAwait(false);
        foreach (var problem in catalogStore.UnreadableCheckpoints)
        {
            // Nothing is lost (an older checkpoint and the log gave the same version), but the store holds a damaged object.
            await errors.WriteLineAsync($"warning: {problem}; the catalog was loaded from an older checkpoint and the log").ConfigureAwait(false);
        }
        if (settings.Auth && catalog.Current.Tokens.Count == 0)
        {
            try
            {
                AdminToken = await catalog.CreateTokenAsync("_admin", admin: true, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (settings.Clustered)
            {
                // Another node of the cluster started at the same moment and made it (and printed it).
            }
        }
        CatalogMetrics.Observe(catalog);
        // In a cluster each ingest node replays its own WAL from where its own files end.
        var persisted = catalog.Current.PersistedSequenceOf(clusterNode);
        var buffer = _buffer = new WriteBuffer(settings.BufferLimit, time);
        buffer.SkipThrough(persisted);
        StorageMetrics.Observe(buffer);
        // Every node opens its WAL (the write path is built on it); only ingest nodes are sent writes.
        var wal = _wal = WriteAheadLog.Open(new WalOptions
        {
            Directory = Path.Combine(settings.DataDir, "wal"),
            FlushInterval = settings.WalFlushInterval,
            SegmentBytes = settings.WalSegmentBytes,
            SequenceFloor = persisted,
        }, buffer);
        _cleanup.Push(async () =>
        {
            if (Interlocked.Exchange(ref _wal, null) is { } open)
            {
                await open.DisposeAsync().ConfigureAwait(false);
            }
        });
        foreach (var problem in wal.ReplayReport.Problems)
        {
            await errors.WriteLineAsync($"warning: {problem}").ConfigureAwait(false);
        }
        output.WriteLine($"replayed {wal.ReplayReport.RecordCount} WAL records ({buffer.RowCount} rows not yet persisted) from {wal.ReplayReport.SegmentCount} segments; {catalog.Current.Files.Count} Parquet files, persisted through sequence {persisted}");
        var fileWriter = new ParquetFileWriter(store, storageOptions, time);
        var rewriteGate = new FileRewriteGate();
        _cleanup.Push(() => Dispose(rewriteGate));
        _persister = roles.HasFlag(NodeRoles.Ingest) ? new PersistService(catalog, buffer, wal, fileWriter, storageOptions) : null;
        if (_persister is { } persisterToDispose)
        {
            _cleanup.Push(() => Dispose(persisterToDispose));
        }
        var compactor = new Compactor(catalog, store, fileWriter, rewriteGate, storageOptions, time);
        var retention = new RetentionService(catalog, buffer, store, fileWriter, rewriteGate, storageOptions, time);
        var deletion = new DeletionService(catalog, buffer, store, storageOptions, time);
        if (roles.HasFlag(NodeRoles.Ingest) || roles.HasFlag(NodeRoles.Compact))
        {
            // Before anything writes a file: a file written but not yet published looks like an orphan. A cluster node
            // looks only under its own prefix (other nodes' files in flight look the same).
            var orphans = await deletion.DeleteOrphansAsync(cancellationToken).ConfigureAwait(false);
            if (orphans > 0)
            {
                output.WriteLine($"deleted {orphans} files a crashed persist, compaction or retention rewrite left behind");
            }
        }
        var cluster = settings.Clustered ? new ClusterOptions(settings.NodeId, roles, settings.AdvertiseUrl ?? new Uri("http://127.0.0.1/")) : null;
        if (cluster is not null)
        {
            var follower = new CatalogFollower(catalog, cluster.CatalogRefreshInterval, time, output.WriteLine);
            _cleanup.Push(follower.DisposeAsync);
            follower.Start();
            if (roles.HasFlag(NodeRoles.Compact))
            {
                var lease = _compactorLease = new LeaseKeeper(new ObjectStoreLease(store, "compactor", cluster.NodeId, cluster.LeaseDuration, time), "compactor", cluster.LeaseDuration, time, output.WriteLine);
                _cleanup.Push(lease.DisposeAsync);
                lease.Start();
            }
        }
        Func<bool>? mayMaintain = cluster is null ? null : () => _compactorLease?.IsHeld ?? false;
        var storage = _storage = new StorageService(_persister, compactor, retention, deletion, buffer, storageOptions, time, output.WriteLine, mayMaintain);
        _cleanup.Push(storage.DisposeAsync);
        storage.Start();
        // Writes past the buffer's budget are refused (503) and wake the persister at once.
        bool OverBudget()
        {
            if (!buffer.IsOverBudget)
            {
                return false;
            }
            storage.RequestPersist();
            return true;
        }
        var ingester = new LineProtocolIngester(catalog, wal, time, OverBudget);
        var parquetFiles = new ParquetFiles(store, settings.ReadCacheBytes);
        string? nodeToken = null;
        IngesterClient? ingesterClient = null;
        if (cluster is not null)
        {
            var members = _members = new ClusterMembers(new NodeRegistry(store, time), cluster, time, output.WriteLine);
            _cleanup.Push(members.DisposeAsync);
            ingesterClient = new IngesterClient(() => nodeToken);
            _cleanup.Push(() => Dispose(ingesterClient));
        }
        ITableSource tables = _members is not null && roles.HasFlag(NodeRoles.Query)
            ? new ClusterTableSource(catalog, new StorageTableSource(catalog, null, parquetFiles, time), _members, ingesterClient!)
            : new StorageTableSource(catalog, buffer, parquetFiles, time);
        var remoteWrite = new RemoteWriteIngester(catalog, wal, OverBudget, new MetricMetadataStore(catalog), time);
        var readiness = _readiness = new ServerReadiness { Wal = wal };
        var server = _server = new TsdbHttpServer(
            new ServerOptions
            {
                HttpBind = settings.HttpBind, AuthEnabled = settings.Auth, MaxHttpRequestSize = settings.MaxRequestSize, TlsCertPath = settings.TlsCert, TlsKeyPath = settings.TlsKey,
                QueryMemoryLimit = settings.QueryMemoryLimit, ProcessMemory = processMemory, MaxConcurrentQueries = settings.MaxConcurrentQueries, GrpcResponseCompression = settings.GrpcCompression, LogFormat = settings.LogFormat,
                LogLevel = settings.LogLevel, DisabledAuthz = settings.DisabledAuthz, Readiness = readiness, MaxConnections = settings.MaxConnections, HeaderTimeout = settings.HeaderTimeout,
                Roles = roles,
                PromQLExperimentalFunctions = settings.PromQLExperimentalFunctions,
                RemoteReadSampleLimit = settings.RemoteReadSampleLimit,
                Otlp = settings.Otlp,
                NodesWithRole = role => _members?.UrlsWith(role) ?? [],
                BufferedRows = cluster is not null && roles.HasFlag(NodeRoles.Ingest) ? new StorageTableSource(catalog, buffer, null, time) : null,
            },
            new ServerServices
            {
                Catalog = catalog,
                LineProtocol = ingester,
                RemoteWrite = remoteWrite,
                Tables = tables,
                Storage = storage,
                // A row delete is ordered by the single server's WAL sequence; a cluster has one WAL per ingest node.
                RowDeletes = cluster is null ? new RowDeleter(catalog, wal, time) : null,
                Time = time,
            });
        _cleanup.Push(async () =>
        {
            if (Interlocked.Exchange(ref _server, null) is { } running)
            {
                await running.DisposeAsync().ConfigureAwait(false);
            }
        });
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (SocketErrorOf(e) is { } socketError)
        {
            throw new HostStartException($"cannot listen on {settings.HttpBind}: {socketError.Message} (is another server using it? pick another with --http-bind)", 1);
        }
        Url = server.Address;
        var url = server.Address.ToString().TrimEnd('/');
        if (_members is { } registry)
        {
            var advertise = settings.AdvertiseUrl ?? server.Address;
            if (settings.AdvertiseUrl is null && advertise.Host is "0.0.0.0" or "[::]")
            {
                throw new HostStartException($"this node listens on {url}, which other nodes cannot reach: give --advertise-url", 2);
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
            await registry.StartAsync(advertise, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"registered as '{settings.NodeId}' ({NodeRoleNames.Format(roles)}) at {advertise}; {registry.Live.Count} live nodes");
            if (roles.HasFlag(NodeRoles.Ingest))
            {
                // Query nodes read the registry every heartbeat: until each has, a row written here would be missing from
                // their answers. Ready (the probe, the "listening on" line) only once they all know this node.
                await Task.Delay(registry.Self.HeartbeatInterval * 2, cancellationToken).ConfigureAwait(false);
            }
        }
        // The token before the "listening on" line: whoever waits for that line (scripts, the tests) has it then.
        if (AdminToken is not null)
        {
            PrintAdminToken(AdminToken, settings.DataDir);
        }
        output.WriteLine($"listening on {url}");
        PrintEndpoints(url);
        readiness.SetReady(true);
    }

    /// <summary>
    /// Stops gracefully: requests in flight get a few seconds, then the background storage work stops and the WAL is
    /// closed (every acknowledged write is already fsynced in it). A second call waits for the first.
    /// </summary>
    public Task StopAsync()
    {
        lock (_cleanup)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    private async Task StopCoreAsync()
    {
        _readiness?.SetReady(false);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }
        if (_members is not null && _persister is not null && _buffer is { RowCount: > 0 })
        {
            // A cluster's ingest node may be leaving for good (scaled down): its rows go to files, where every query
            // node finds them, rather than wait in its WAL for a restart.
            try
            {
                var result = await _persister.PersistAsync(CancellationToken.None).ConfigureAwait(false);
                _output.WriteLine($"persisted {result.Rows} rows before leaving the cluster");
            }
            catch (Exception e)
            {
                _output.WriteLine($"warning: could not persist before stopping ({e.Message}); the rows stay in the WAL for the next start");
            }
        }
        if (_members is not null)
        {
            await _members.DisposeAsync().ConfigureAwait(false); // deregistered: query nodes stop asking this one
        }
        if (_compactorLease is not null)
        {
            await _compactorLease.DisposeAsync().ConfigureAwait(false); // released: another compact node takes over now
        }
        if (Interlocked.Exchange(ref _wal, null) is { } wal)
        {
            await wal.DisposeAsync().ConfigureAwait(false);
        }
        _output.WriteLine($"stopped in {stopwatch.Elapsed.TotalSeconds:0.0} s; WAL closed with {_buffer?.RowCount ?? 0} rows not yet persisted (replayed at the next start)");
        await CleanUpAsync().ConfigureAwait(false);
    }

    /// <summary>Closes what is still open, newest first; each closes once (disposing twice is harmless for all of them).</summary>
    private async Task CleanUpAsync()
    {
        while (_cleanup.TryPop(out var close))
        {
            await close().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static ValueTask Dispose(IDisposable disposable)
    {
        disposable.Dispose();
        return ValueTask.CompletedTask;
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

    /// <summary>Every URL the server answers on, and where its data lives.</summary>
    private void PrintEndpoints(string url)
    {
        var settings = _options;
        var output = _output;
        var grpc = url.StartsWith("https:", StringComparison.Ordinal) ? "grpc+tls" + url[5..] : "grpc" + url[4..];
        output.WriteLine($"  web UI (sign in with a token):               {url}/");
        output.WriteLine($"  HTTP API (v3, v2, v1 writes; SQL, InfluxQL): {url}/api/v3/  {url}/api/v2/write  {url}/write  {url}/query");
        output.WriteLine($"  Arrow Flight / Flight SQL (gRPC, same port):  {grpc}");
        output.WriteLine($"  Prometheus remote write:                     {url}/api/v1/write?db=NAME");
        output.WriteLine($"  Prometheus query API (PromQL):               {url}/api/v1/query  {url}/api/v1/query_range");
        output.WriteLine($"  metrics (Prometheus text format):            {url}/metrics");
        output.WriteLine($"  health:                                      {url}/health  {url}/ping  {url}/-/healthy  {url}/-/ready");
        output.WriteLine($"  data directory:                              {settings.DataDir} (WAL in {Path.Combine(settings.DataDir, "wal")})");
        output.WriteLine($"  object store (catalog, Parquet files):       {settings.Store.Describe(settings.StoreDir)}");
        if (!settings.Auth)
        {
            output.WriteLine("  authentication:                              off (--without-auth): anyone who reaches the port can read and write");
        }
        else if (settings.DisabledAuthz.Count > 0)
        {
            output.WriteLine($"  served without a token (--disable-authz):    {string.Join(", ", settings.DisabledAuthz.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>The admin token, once, set apart from the log so that it is not lost in it.</summary>
    private void PrintAdminToken(string token, string dataDir)
    {
        var rule = new string('=', 78);
        _output.WriteLine();
        _output.WriteLine(rule);
        _output.WriteLine($"  admin token (shown once, only its hash is stored): {token}");
        _output.WriteLine("  Keep it now: it is not shown again. Use it as 'Authorization: Bearer <token>'; create more");
        _output.WriteLine("  tokens with 'tsdb token create'. If it is lost, stop the server and run");
        _output.WriteLine($"    tsdb token recover --data-dir {dataDir}");
        _output.WriteLine(rule);
        _output.WriteLine();
    }
}
