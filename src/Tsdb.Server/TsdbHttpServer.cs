using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.ResponseCompression;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Tsdb.Catalog;
using Tsdb.Flight;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Tsdb.Flight.Transport;
using Tsdb.Prometheus;
using Tsdb.Query;
using Tsdb.Query.InfluxQL;
using Tsdb.Query.Sql;
using Tsdb.Core.Cluster;
using Tsdb.Server.Http;

namespace Tsdb.Server;

/// <summary>
/// The HTTP face of the database on Kestrel: write APIs, health, ping, configuration and the export read path,
/// behind token authentication; and Arrow Flight / Flight SQL over gRPC on the same port. Without TLS one cleartext
/// port takes HTTP/1.1 and h2c (prior knowledge, recognised by the HTTP/2 preface); with TLS, ALPN chooses.
/// </summary>
public sealed class TsdbHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public TsdbHttpServer(ServerOptions options, ServerServices services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        var (catalog, ingester, remoteWrite, tables, time, deleter) = (services.Catalog, services.LineProtocol, services.RemoteWrite, services.Tables, services.Time, services.RowDeletes);
        // Configuration comes from the command line: appsettings.json is not watched for changes (the watcher reads
        // every event of the working directory, several per cent of a busy server's CPU when that directory is busy).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        ConfigureLogging(builder.Logging, options);
        // Kestrel waits this long for requests in flight when stopping; shutdown must finish within seconds.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(3));
        ConfigureMetrics(builder.Services);
        ConfigureCompression(builder.Services);
        var engine = new SqlEngine(new QueryExecutor(tables, time, new QueryEngineOptions { MaxQueryMemoryBytes = options.QueryMemoryLimit, MaxConcurrentQueries = options.MaxConcurrentQueries, ProcessMemory = options.ProcessMemory }));
        var flight = new TsdbFlightService(catalog, engine, ingester, new FlightOptions
        {
            AuthEnabled = options.AuthEnabled,
            Version = options.Version,
            Time = time,
            BufferedRows = options.BufferedRows,
            RoleRefusal = role => options.Roles.HasFlag(role) ? null : RoleGate.Message(options, role),
        });
        var health = new HealthServiceImpl();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus(Flight.Protocol.FlightService.Descriptor.FullName, HealthCheckResponse.Types.ServingStatus.Serving);
        var otlpIngester = new Tsdb.Otlp.OtlpIngester(remoteWrite, options.Otlp);
        health.SetStatus(OtlpGrpcService.ServiceName, HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(flight);
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton(new OtlpGrpcService(otlpIngester, new FlightAuthenticator(catalog, options.AuthEnabled, time), options));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = (int)Math.Min(options.MaxHttpRequestSize, int.MaxValue);
            // Responses are bounded where they are made: Flight cuts batches into ~1 MiB slices (a large dictionary is
            // sent decoded instead of whole), so no send limit of the library's applies on top.
            grpc.MaxSendMessageSize = null;
            grpc.ResponseCompressionAlgorithm = options.GrpcResponseCompression;
            grpc.Interceptors.Add<FlightErrorInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Body size is enforced by the endpoints, before and after decompression, with a JSON error.
            kestrel.Limits.MaxRequestBodySize = null;
            // Hostile or broken clients (docs/http-api.md, "Limits"): a connection cap; headers at most 32 KiB and 100
            // fields (431), sent within the header timeout (408); a body slower than 240 bytes/s after 5 s is cut
            // off (408), so slow clients cannot hold connections and memory.
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = options.MaxConnections;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
            kestrel.Limits.RequestHeadersTimeout = options.HeaderTimeout;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            // h2c connections reach Kestrel marked as if ALPN chose "h2"; their :scheme stays http.
            kestrel.AllowAlternateSchemes = true;
            // Room for large DoPut uploads without waiting on window updates at every 64 KiB.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 << 20;
            var (host, port) = ParseBind(options.HttpBind);
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (options.TlsCertPath is not null && options.TlsKeyPath is not null)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(options.TlsCertPath, options.TlsKeyPath));
                }
                else
                {
                    listen.Use(Http2PriorKnowledge.Middleware);
                }
            }
            if (host == "localhost")
            {
                kestrel.ListenLocalhost(port, Configure);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(host), port, Configure);
            }
        });
        _app = builder.Build();
        Options = options;

        var writes = new WriteEndpoints(ingester, options);
        var admin = new AdminEndpoints(catalog, tables, services.Storage, options);
        var tokens = new TokenEndpoints(catalog, time);
        var queries = new QueryEndpoints(catalog, engine, deleter ?? new NoRowDeletes());
        var deletes = new DeleteEndpoints(deleter);
        var influxql = new InfluxQLEndpoints(catalog, new InfluxQLEngine(engine.Executor), options.Version);
        var prometheus = new PrometheusEndpoints(catalog, tables, remoteWrite.Metadata, options, time);
        var remoteWriteEndpoint = new RemoteWriteEndpoint(remoteWrite, options.ProcessMemory);
        var otlpEndpoint = new OtlpEndpoint(otlpIngester, options);
        var remoteRead = new RemoteReadEndpoint(new RemoteReader(catalog, tables) { SampleLimit = options.RemoteReadSampleLimit }, options);
        var loggers = _app.Services.GetRequiredService<ILoggerFactory>();
        var requestLog = new RequestLog(loggers.CreateLogger("tsdb.http"));
        if (options.Readiness.Wal is { } wal)
        {
            WalStateLog.Attach(wal, loggers.CreateLogger("tsdb.wal"));
        }
        _app.Use(requestLog.InvokeAsync);
        _app.UseResponseCompression();
        _app.Use(SmallAnswerBody.InvokeAsync);
        // Routing before authentication, so that it knows the route: unknown routes answer 404 without a token, and
        // each route declares whether it needs one (OpenRoute, AuthzResource).
        _app.UseRouting();
        if (options.AuthEnabled)
        {
            // Each route declares what it needs with RequireAccess below; AccessControl checks it (docs/http-api.md has the
            // table). Probes and the 404 fallback are open; health, ping and metrics are open with --disable-authz.
            _app.Use(AccessControl.Middleware(catalog, time, IsGrpc, endpoint => IsOpen(endpoint, options)));
        }
        // After authentication: a caller without a token learns nothing about the cluster's layout.
        _app.Use(RoleGate.Middleware(options));
        if (options.Roles != NodeRoles.All && options.Roles.HasFlag(NodeRoles.Query))
        {
            // A cluster's query node learns of databases made on ingest nodes by following the catalog (every second);
            // a query naming one it does not know yet reads the catalog first rather than answer "not found".
            _app.Use(async (context, next) =>
            {
                if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresRole>() is { Role: NodeRoles.Query })
                {
                    var db = context.Request.Query["db"].ToString();
                    if (db.Length == 0 && context.Request.Path.StartsWithSegments("/api/v1", StringComparison.Ordinal))
                    {
                        db = "prometheus";
                    }
                    if (db.Length > 0 && catalog.Current.FindDatabase(db) is null)
                    {
                        await catalog.RefreshAsync(context.RequestAborted).ConfigureAwait(false);
                    }
                }
                await next(context).ConfigureAwait(false);
            });
        }
        _app.MapGrpcService<TsdbFlightService>();
        _app.MapGrpcService<HealthServiceImpl>();
        _app.MapGrpcService<OtlpGrpcService>();
        _app.MapGrpcReflectionService();
        _app.MapGet("/health", admin.Health).RequireAccess(Access.Authenticated).WithMetadata(new AuthzResource("health"));
        _app.MapGet("/api/v1/health", admin.Health).RequireAccess(Access.Authenticated).WithMetadata(new AuthzResource("health"));
        _app.MapMethods("/ping", ["GET", "HEAD"], admin.Ping).RequireAccess(Access.Authenticated).WithMetadata(new AuthzResource("ping"));
        _app.MapPrometheusScrapingEndpoint("/metrics").RequireAccess(Access.Authenticated).WithMetadata(new AuthzResource("metrics"));
        _app.MapMethods("/-/healthy", ["GET", "HEAD"], context => ProbeEndpoints.Healthy(context, options.Readiness)).WithMetadata(new OpenRoute());
        _app.MapMethods("/-/ready", ["GET", "HEAD"], context => ProbeEndpoints.Ready(context, options.Readiness)).WithMetadata(new OpenRoute());
        _app.MapPost("/api/v3/write_lp", writes.WriteV3).RequireAccess(Access.Write).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        _app.MapMethods("/api/v3/query_sql", ["GET", "POST"], queries.QuerySql).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapMethods("/api/v3/query_influxql", ["GET", "POST"], influxql.QueryV3).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapMethods("/query", ["GET", "POST"], influxql.Query).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapPost("/api/v2/write", writes.WriteV2).RequireAccess(Access.Write).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        _app.MapPost("/api/v2/delete", deletes.DeleteV2).RequireAccess(Access.Delete).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapPost("/write", writes.WriteV1).RequireAccess(Access.Write).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        _app.MapPost("/api/v3/configure/database", admin.CreateDatabase).RequireAccess(Access.Admin);
        _app.MapGet("/api/v3/configure/database", admin.ListDatabases).RequireAccess(Access.Authenticated);
        _app.MapPost("/api/v3/configure/token", tokens.Create).RequireAccess(Access.Admin);
        _app.MapGet("/api/v3/configure/token", tokens.List).RequireAccess(Access.Admin);
        _app.MapDelete("/api/v3/configure/token", tokens.Delete).RequireAccess(Access.Admin);
        _app.MapPost("/api/v3/configure/token/admin/regenerate", tokens.RegenerateAdmin).RequireAccess(Access.Admin);
        _app.MapGet("/api/v3/export", admin.Export).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapPost("/api/v3/persist", admin.Persist).RequireAccess(Access.Admin).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        _app.MapGet("/api/v3/system/files", admin.ListFiles).RequireAccess(Access.Admin);
        _app.MapPost("/api/v3/compact", admin.Compact).RequireAccess(Access.Admin).WithMetadata(new RequiresRole(NodeRoles.Compact));
        _app.MapMethods("/api/v3/configure/database", ["PATCH"], admin.UpdateDatabase).RequireAccess(Access.Admin);
        _app.MapDelete("/api/v3/configure/database", admin.DeleteDatabase).RequireAccess(Access.Admin);
        _app.MapDelete("/api/v3/configure/table", admin.DeleteTable).RequireAccess(Access.Delete);
        _app.MapPost("/api/v3/configure/table", admin.CreateTable).RequireAccess(Access.Admin);
        _app.MapMethods("/api/v3/configure/table", ["PATCH"], admin.UpdateTable).RequireAccess(Access.Admin);
        _app.MapGet("/api/v3/configure/table", admin.ListTables).RequireAccess(Access.Read);
        _app.MapPost("/api/v1/write", remoteWriteEndpoint.Write).RequireAccess(Access.Write).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        // OTLP/HTTP metrics: the spec's default path, and Prometheus' (docs/otlp.md).
        _app.MapPost("/v1/metrics", otlpEndpoint.Write).RequireAccess(Access.Write).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        _app.MapPost("/api/v1/otlp/v1/metrics", otlpEndpoint.Write).RequireAccess(Access.Write).WithMetadata(new RequiresRole(NodeRoles.Ingest));
        _app.MapMethods("/api/v1/query", ["GET", "POST"], prometheus.Query).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapMethods("/api/v1/query_range", ["GET", "POST"], prometheus.QueryRange).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapMethods("/api/v1/series", ["GET", "POST"], prometheus.Series).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapMethods("/api/v1/labels", ["GET", "POST"], prometheus.LabelNames).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapGet("/api/v1/label/{name}/values", prometheus.LabelValues).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapGet("/api/v1/metadata", prometheus.Metadata).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapGet("/api/v1/status/buildinfo", prometheus.BuildInfo).RequireAccess(Access.Authenticated);
        _app.MapMethods("/api/v1/query_exemplars", ["GET", "POST"], prometheus.QueryExemplars).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapGet("/api/v1/rules", PrometheusEndpoints.Rules).RequireAccess(Access.Authenticated);
        _app.MapMethods("/api/v1/format_query", ["GET", "POST"], prometheus.FormatQuery).RequireAccess(Access.Authenticated);
        _app.MapGet("/api/v1/status/runtimeinfo", prometheus.RuntimeInfo).RequireAccess(Access.Authenticated);
        _app.MapGet("/api/v1/status/flags", prometheus.Flags).RequireAccess(Access.Authenticated);
        _app.MapGet("/api/v1/status/config", PrometheusEndpoints.Config).RequireAccess(Access.Authenticated);
        _app.MapGet("/api/v1/status/tsdb", prometheus.TsdbStatus).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        _app.MapPost("/api/v1/read", remoteRead.Read).RequireAccess(Access.Read).WithMetadata(new RequiresRole(NodeRoles.Query));
        // The web UI: the page and its assets carry no data and need no token; the page signs in to the APIs above.
        _app.MapMethods("/", ["GET", "HEAD"], WebUiEndpoints.Index).WithMetadata(new OpenRoute());
        _app.MapMethods("/ui/{file}", ["GET", "HEAD"], WebUiEndpoints.File).WithMetadata(new OpenRoute());
        // Lowest priority: whatever no route above matches (any method) is a 404 with a JSON message, token or not.
        _app.MapFallback("{*path}", ProbeEndpoints.NotFound).WithMetadata(new OpenRoute());
    }

    private static bool IsOpen(Microsoft.AspNetCore.Http.Endpoint? endpoint, ServerOptions options) =>
        endpoint is not null
        && (endpoint.Metadata.GetMetadata<OpenRoute>() is not null
            || (endpoint.Metadata.GetMetadata<AuthzResource>() is { } resource && options.DisabledAuthz.Contains(resource.Name)));

    private static void ConfigureLogging(ILoggingBuilder logging, ServerOptions options)
    {
        logging.ClearProviders();
        if (options.LogFormat == "json")
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                text.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
            });
        }
        // The same formatter's lines, written in batches (BatchedConsoleLoggerProvider says why).
        foreach (var console in logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider)).ToList())
        {
            logging.Services.Remove(console);
        }
        logging.Services.AddSingleton<ILoggerProvider, BatchedConsoleLoggerProvider>();
        logging.SetMinimumLevel(options.LogLevel);
        // The framework's own chatter (request starting/finished, routing) would double the request line.
        var framework = options.LogLevel > LogLevel.Warning ? options.LogLevel : LogLevel.Warning;
        logging.AddFilter("Microsoft", framework);
        logging.AddFilter("Grpc", framework);
        // Kestrel warns that an HTTP/1.1-and-HTTP/2 endpoint without TLS falls back to HTTP/1.1; the preface step
        // below is what makes h2c work on it, so that warning would be wrong here.
        logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        // A failure to start (the port taken) is thrown to the caller, which says so in one line; the host's own
        // log of it would add a stack trace before that.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    private static void ConfigureMetrics(IServiceCollection services)
    {
        ServerMetrics.EnsureCreated();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("tsdb", serviceVersion: Tsdb.Core.Diagnostics.BuildInfo.Version, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics => metrics
                .AddMeter("Tsdb.*")
                .AddMeter("System.Runtime")
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    private static void ConfigureCompression(IServiceCollection services)
    {
        services.AddResponseCompression(compression =>
        {
            // Over HTTPS too: answers carry data, not the request's token; the one answer with a secret in it (a new
            // token) opts out (AdminEndpoints.CreateToken).
            compression.EnableForHttps = true;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            // Not Parquet (already compressed), not gRPC (it compresses messages itself, --grpc-compression).
            compression.MimeTypes = ["application/json", "application/jsonl", "text/plain", "text/csv", "text/html", "text/javascript", "text/css"];
        });
        // Answers under a few kilobytes go out whole and uncompressed (SmallAnswerBody).
        services.Replace(ServiceDescriptor.Singleton<IResponseCompressionProvider, SmallAnswerCompressionProvider>());
        services.Configure<BrotliCompressionProviderOptions>(brotli => brotli.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(gzip => gzip.Level = System.IO.Compression.CompressionLevel.Fastest);
    }

    public ServerOptions Options { get; }

    /// <summary>The address actually bound (with the real port when port 0 was asked for).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1:0");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    internal static bool IsGrpc(string? contentType) =>
        contentType is not null
        && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';' or '-');

    /// <summary>Checks an --http-bind value; throws <see cref="ArgumentException"/> with a clear message.</summary>
    public static (string Host, int Port) ParseBindForValidation(string bind) => ParseBind(bind);

    internal static (string Host, int Port) ParseBind(string bind)
    {
        var colon = bind.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(bind.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            throw new ArgumentException($"--http-bind must be HOST:PORT, got '{bind}'");
        }
        var host = bind[..colon].Trim('[', ']');
        if (host != "localhost" && !IPAddress.TryParse(host, out _))
        {
            throw new ArgumentException($"--http-bind host must be an IP address or localhost, got '{host}'");
        }
        return (host, port);
    }
}
