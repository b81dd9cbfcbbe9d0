using System.CommandLine;
using Tsdb.Host;

namespace Tsdb.Cli;

/// <summary>
/// The data directory and object-store options as <c>serve</c> takes them (same names and environment variables),
/// for commands that open a stopped server's catalog.
/// </summary>
internal sealed class StoreOptions
{
    private readonly Option<string> _dataDir = EnvOption.Text("--data-dir", "TSDB_DATA_DIR", "./tsdb-data", "The server's data directory");
    private readonly Option<string> _objectStore = EnvOption.Text("--object-store", "TSDB_OBJECT_STORE", "file", "Where the catalog lives: file (under --data-dir) or s3");
    private readonly Option<string> _s3Endpoint = EnvOption.Text("--s3-endpoint", "TSDB_S3_ENDPOINT", null, "S3 endpoint URL");
    private readonly Option<string> _s3Bucket = EnvOption.Text("--s3-bucket", "TSDB_S3_BUCKET", null, "S3 bucket");
    private readonly Option<string> _s3Region = EnvOption.Text("--s3-region", "TSDB_S3_REGION", "us-east-1", "S3 region");
    private readonly Option<string> _s3AccessKey = EnvOption.Text("--s3-access-key", "TSDB_S3_ACCESS_KEY", null, "S3 access key");
    private readonly Option<string> _s3SecretKey = EnvOption.Text("--s3-secret-key", "TSDB_S3_SECRET_KEY", null, "S3 secret key");
    private readonly Option<string> _objectStoreDir = EnvOption.Text("--object-store-dir", "TSDB_OBJECT_STORE_DIR", null, "With --object-store file: the directory of the catalog and Parquet files, when the server was given one (default: --data-dir)");

    public void AddTo(Command command)
    {
        foreach (var option in new[] { _dataDir, _objectStore, _s3Endpoint, _s3Bucket, _s3Region, _s3AccessKey, _s3SecretKey, _objectStoreDir })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Where a file store lives: --object-store-dir if given, else the data directory.</summary>
    public string StoreDirectory(ParseResult parse, string dataDir) =>
        parse.GetValue(_objectStoreDir) is { } dir ? Path.GetFullPath(dir) : dataDir;

    /// <summary>The data directory, the store settings and where a file store lives; null (the reason printed) when they are not usable.</summary>
    public async Task<(string DataDir, ObjectStoreSettings Settings, string StoreDir)?> ParseOrReportAsync(ParseResult parse)
    {
        try
        {
            var (dataDir, settings) = Parse(parse);
            return (dataDir, settings, StoreDirectory(parse, dataDir));
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>The full data directory and the store settings; throws <see cref="ArgumentException"/> when they are not usable.</summary>
    public (string DataDir, ObjectStoreSettings Settings) Parse(ParseResult parse)
    {
        var kind = parse.GetValue(_objectStore)!;
        if (kind == "memory")
        {
            throw new ArgumentException("--object-store memory keeps no catalog across restarts: there is nothing to recover");
        }
        return (Path.GetFullPath(parse.GetValue(_dataDir)!),
            ObjectStoreSettings.Parse(kind, parse.GetValue(_s3Endpoint), parse.GetValue(_s3Bucket), parse.GetValue(_s3Region)!, parse.GetValue(_s3AccessKey), parse.GetValue(_s3SecretKey)));
    }
}
