using System.IO.Compression;

namespace Tsdb.Cli.Writing;

/// <summary>An input of <c>tsdb write</c>: a file or stdin, read as rows of line protocol with their input line numbers.</summary>
internal abstract class WriteSource(string name, long total)
{
    public string Name { get; } = name;

    /// <summary>Size in <see cref="Done"/>'s unit, or -1 when unknown (stdin).</summary>
    public long Total { get; } = total;

    /// <summary>Progress so far: bytes read of a text file, rows of a Parquet file.</summary>
    public abstract long Done { get; }

    public abstract IAsyncEnumerable<SourceRecord> ReadAsync(CancellationToken cancellationToken);

    /// <summary>A file ("-" is stdin) by format: lp, csv or parquet, or by its extension when null.</summary>
    public static WriteSource Open(string path, string? format, WriteSourceOptions options)
    {
        var stdin = path == "-";
        format ??= stdin ? "lp" : FormatOf(path);
        if (format == "parquet")
        {
            return stdin ? throw new Client.CliException("Parquet cannot be read from stdin: give the file's path", 2) : new ParquetSource(path, options);
        }
        if (!stdin && !File.Exists(path))
        {
            throw new Client.CliException($"no such file: {path}", 2);
        }
        Stream raw = stdin ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var total = stdin ? -1 : raw.Length;
        var text = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        var name = stdin ? "stdin" : path;
        return format switch
        {
            "lp" => new LineProtocolSource(name, raw, text, total),
            "csv" => new CsvSource(name, raw, text, total, options),
            _ => throw new Client.CliException($"unknown input format '{format}': use lp, csv or parquet", 2),
        };
    }

    private static string FormatOf(string path)
    {
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".csv" => "csv",
            ".parquet" or ".pq" => "parquet",
            _ => "lp",
        };
    }
}
