using System.CommandLine;
using System.Runtime.InteropServices;
using Tsdb.Catalog;
using Tsdb.Ingest;
using Tsdb.Server;
using Tsdb.Storage;
using Tsdb.Wal;

namespace Tsdb.Cli;

/// <summary><c>tsdb serve</c>: composes catalog, WAL, buffer, ingester and HTTP server, and runs until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var dataDir = EnvOption.Text("--data-dir", "TSDB_DATA_DIR", "./tsdb-data", "Directory for the WAL and the catalog");
        var httpBind = EnvOption.Text("--http-bind", "TSDB_HTTP_BIND", "127.0.0.1:8181", "HOST:PORT to serve HTTP on; port 0 picks a free port");
        var withoutAuth = EnvOption.Flag("--without-auth", "TSDB_WITHOUT_AUTH", "Serve without token authentication");
        var maxRequest = EnvOption.Text("--max-http-request-size", "TSDB_MAX_HTTP_REQUEST_SIZE", "10MiB", "Largest request body, before and after decompression");
        var walFlush = EnvOption.Text("--wal-flush-interval", "TSDB_WAL_FLUSH_INTERVAL", "0", "How long the WAL waits to gather writes into one fsync (0: commit as soon as idle)");
        var walSegment = EnvOption.Text("--wal-segment-size", "TSDB_WAL_SEGMENT_SIZE", "64MiB", "Size at which a WAL segment file is closed and a new one started");
        var bufferLimit = EnvOption.Text("--buffer-memory-limit", "TSDB_BUFFER_MEMORY_LIMIT", "4GiB", "Memory for rows not yet persisted; beyond it writes get 503 with Retry-After");
        var maxDatabases = EnvOption.Number("--max-databases", "TSDB_MAX_DATABASES", 100, "Most databases");
        var maxTables = EnvOption.Number("--max-tables-per-database", "TSDB_MAX_TABLES_PER_DATABASE", 2000, "Most tables in one database");
        var maxColumns = EnvOption.Number("--max-columns-per-table", "TSDB_MAX_COLUMNS_PER_TABLE", 500, "Most columns in one table (tags, fields and time)");

        var command = new Command("serve", "Run the database server")
        {
            dataDir, httpBind, withoutAuth, maxRequest, walFlush, walSegment, bufferLimit, maxDatabases, maxTables, maxColumns,
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
                    Values.ParseSize(parse.GetValue(bufferLimit)!),
                    new CatalogLimits { MaxDatabases = parse.GetValue(maxDatabases), MaxTablesPerDatabase = parse.GetValue(maxTables), MaxColumnsPerTable = parse.GetValue(maxColumns) });
                _ = TsdbHttpServer.ParseBindForValidation(settings.HttpBind);
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

    private sealed record ServeSettings(string DataDir, string HttpBind, bool Auth, long MaxRequestSize, TimeSpan WalFlushInterval, long WalSegmentBytes, long BufferLimit, CatalogLimits Limits);

    private static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDir);
        var time = TimeProvider.System;
        var catalog = new Catalog.Catalog(new FileCatalogStore(Path.Combine(settings.DataDir, "catalog.json")), settings.Limits);
        if (settings.Auth && catalog.Current.Tokens.Count == 0)
        {
            var secret = catalog.CreateToken("_admin", admin: true, time.GetUtcNow());
            Console.WriteLine($"admin token (shown once, only its hash is stored; create more with 'tsdb token create'): {secret}");
        }
        var buffer = new WriteBuffer(settings.BufferLimit);
        var wal = WriteAheadLog.Open(new WalOptions
        {
            Directory = Path.Combine(settings.DataDir, "wal"),
            FlushInterval = settings.WalFlushInterval,
            SegmentBytes = settings.WalSegmentBytes,
        }, buffer);
        foreach (var problem in wal.ReplayReport.Problems)
        {
            await Console.Error.WriteLineAsync($"warning: {problem}").ConfigureAwait(false);
        }
        Console.WriteLine($"replayed {wal.ReplayReport.RecordCount} WAL records ({buffer.RowCount} rows) from {wal.ReplayReport.SegmentCount} segments");
        var ingester = new LineProtocolIngester(catalog, wal, time, () => buffer.IsOverBudget);
        var server = new TsdbHttpServer(
            new ServerOptions { HttpBind = settings.HttpBind, AuthEnabled = settings.Auth, MaxHttpRequestSize = settings.MaxRequestSize },
            catalog, ingester, buffer, time);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"listening on {server.Address.ToString().TrimEnd('/')}");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        using var registration = cancellationToken.Register(() => stop.TrySetResult());
        await stop.Task.ConfigureAwait(false);

        Console.WriteLine("shutting down");
        await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        await wal.DisposeAsync().ConfigureAwait(false);
        return 0;
    }
}
