using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tsdb.Cli.Client;
using Tsdb.Cli.Writing;

namespace Tsdb.Cli;

/// <summary><c>tsdb write</c>: line protocol, CSV or Parquet files (or stdin) to a running server, in batches.</summary>
internal static class WriteCommand
{
    /// <summary>Rejected lines listed in the summary; the count covers all of them.</summary>
    private const int ListedRejections = 50;

    /// <summary>A batch is sent once it holds this many bytes even if it has fewer lines than --batch-size (the server takes 10 MiB).</summary>
    private const int MaxBatchBytes = 4 << 20;

    public static Command Create()
    {
        var connection = new ClientOptions();
        var files = new Argument<string[]>("files") { Description = "Files to write (line protocol, .csv, .parquet; .gz is decompressed); none or '-' reads line protocol from stdin", Arity = ArgumentArity.ZeroOrMore };
        var database = DatabaseOption();
        var precision = new Option<string>("--precision") { Description = "Unit of integer timestamps: auto (guessed from the size), ns, us, ms or s", DefaultValueFactory = _ => "auto" };
        var format = new Option<string?>("--format") { Description = "Input format: lp, csv or parquet (default: from the file extension; stdin is lp)" };
        format.AcceptOnlyFromAmong("lp", "csv", "parquet");
        var measurement = new Option<string?>("--measurement", "-m") { Description = "Table for CSV and Parquet rows that no measurement column names (default: the file name)" };
        var tags = new Option<string?>("--tags") { Description = "CSV/Parquet columns that are tags, comma-separated (CSV: or tag:NAME in the header; Parquet default: dictionary-encoded and iox tag columns)" };
        var batchSize = new Option<int>("--batch-size") { Description = "Lines per write request", DefaultValueFactory = _ => 10_000 };
        var noGzip = new Option<bool>("--no-gzip") { Description = "Send request bodies uncompressed (default: gzip)" };
        var retries = new Option<int>("--retries") { Description = "Retries of a batch answered 429 or 5xx (or cut off), with exponential back-off and Retry-After", DefaultValueFactory = _ => 5 };
        var acceptPartial = new Option<bool>("--accept-partial") { Description = "Store the good lines of a batch with bad ones; --accept-partial false: a bad line stops the write, its batch unwritten", DefaultValueFactory = _ => true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var command = new Command("write", "Write line protocol, CSV or Parquet files (or stdin) to a database")
        {
            files, database, precision, format, measurement, tags, batchSize, noGzip, retries, acceptPartial, quiet,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliAction.Run(async () =>
        {
            var db = RequireDatabase(parse.GetValue(database));
            var unit = parse.GetValue(precision)!;
            long nanosPerUnit;
            try
            {
                nanosPerUnit = TimeText.NanosecondsPer(unit);
            }
            catch (FormatException e)
            {
                throw new CliException(e.Message, 2);
            }
            var size = parse.GetValue(batchSize);
            if (size < 1)
            {
                throw new CliException("--batch-size must be at least 1", 2);
            }
            var tagSet = parse.GetValue(tags) is { Length: > 0 } t ? t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : null;
            var options = new WriteSourceOptions(parse.GetValue(measurement), tagSet, nanosPerUnit);
            var paths = parse.GetValue(files) is { Length: > 0 } given ? given : ["-"];
            if (paths.Count(p => p == "-") > 1)
            {
                throw new CliException("stdin ('-') can be read only once", 2);
            }
            if (paths.Contains("-") && !Console.IsInputRedirected)
            {
                throw new CliException("nothing to write: give files, or pipe line protocol in (tsdb write -d DB < data.lp)", 2);
            }
            // Open every input first: a missing file or bad CSV header is reported before anything is written.
            var sources = paths.Select(p => WriteSource.Open(p, parse.GetValue(format), options)).ToList();
            using var client = connection.Connect(parse);
            var writer = new BatchWriter(client, db, unit, !parse.GetValue(noGzip), Math.Max(0, parse.GetValue(retries)), parse.GetValue(acceptPartial), Console.Error)
            {
                FirstBackoff = Environment.GetEnvironmentVariable("TSDB_CLI_BACKOFF_MS") is { } ms && int.TryParse(ms, CultureInfo.InvariantCulture, out var m) ? TimeSpan.FromMilliseconds(m) : TimeSpan.FromMilliseconds(500),
            };
            var clock = Stopwatch.StartNew();
            var failure = await WriteProgress.RunAsync(parse.GetValue(quiet), async progress =>
            {
                foreach (var source in sources)
                {
                    try
                    {
                        await WriteSourceAsync(source, writer, progress, size, cancellationToken).ConfigureAwait(false);
                    }
                    catch (CliException e)
                    {
                        return e;
                    }
                    catch (OperationCanceledException)
                    {
                        // Ctrl-C: still say what was written before it.
                        return new CliException("interrupted", 130);
                    }
                }
                return null;
            }).ConfigureAwait(false);
            Summarize(writer, sources.Count, clock.Elapsed);
            if (failure is not null)
            {
                throw failure;
            }
            return writer.Rejections.Count == 0 ? 0 : 1;
        }));
        return command;
    }

    internal static Option<string> DatabaseOption()
    {
        var database = EnvOption.Text("--database", "TSDB_DATABASE", null, "Database name");
        database.Aliases.Add("-d");
        return database;
    }

    internal static string RequireDatabase(string? name) =>
        string.IsNullOrEmpty(name) ? throw new CliException("no database: give --database NAME (or -d, or TSDB_DATABASE)", 2) : name;

    private static async Task WriteSourceAsync(WriteSource source, BatchWriter writer, WriteProgress progress, int batchSize, CancellationToken cancellationToken)
    {
        progress.Start(source);
        var batch = new List<SourceRecord>(Math.Min(batchSize, 100_000));
        var bytes = 0;
        Task pending = Task.CompletedTask;
        var pendingCount = 0;
        async Task Flush()
        {
            // One batch in flight while the next is read and converted.
            await pending.ConfigureAwait(false);
            progress.Advance(pendingCount);
            var sending = batch;
            pendingCount = sending.Count;
            pending = writer.WriteAsync(source.Name, sending, cancellationToken);
            batch = new List<SourceRecord>(sending.Count);
            bytes = 0;
        }
        try
        {
            await foreach (var record in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (record.Error is not null)
                {
                    writer.Reject(source.Name, record);
                    continue;
                }
                batch.Add(record);
                bytes += record.Line!.Length + 1;
                if (batch.Count >= batchSize || bytes >= MaxBatchBytes)
                {
                    await Flush().ConfigureAwait(false);
                }
            }
            await Flush().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CliException or OperationCanceledException)
        {
            // Reading failed (or was interrupted) with a batch in flight: let it finish so the summary counts it. The
            // reading error is the one reported; the batch's own failure, if any, would only repeat the cause.
            if (!ReferenceEquals(pending.Exception?.InnerException, e))
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (Exception inner) when (inner is CliException or OperationCanceledException)
                {
                    await Console.Error.WriteLineAsync($"{source.Name}: the batch in flight also failed: {inner.Message}").ConfigureAwait(false);
                }
            }
            throw;
        }
        await pending.ConfigureAwait(false);
        progress.Advance(pendingCount);
        progress.Finish();
    }

    private static void Summarize(BatchWriter writer, int inputs, TimeSpan elapsed)
    {
        var rejected = writer.Rejections.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {writer.LinesWritten:N0} line{(writer.LinesWritten == 1 ? "" : "s")} from {inputs} input{(inputs == 1 ? "" : "s")} in {elapsed.TotalSeconds:0.0} s ({WriteProgress.Rate(writer.LinesWritten, elapsed)} lines/s){(writer.Retries > 0 ? $", {writer.Retries} retries" : "")}; {rejected:N0} rejected"));
        if (rejected == 0)
        {
            return;
        }
        Console.Error.WriteLine($"rejected lines ({rejected:N0}):");
        foreach (var r in writer.Rejections.OrderBy(r => r.Source, StringComparer.Ordinal).ThenBy(r => r.Line).Take(ListedRejections))
        {
            Console.Error.WriteLine($"  {r.Source}:{r.Line}: {r.Message}");
            Console.Error.WriteLine($"      {(r.Original.Length > 200 ? r.Original[..200] + "…" : r.Original)}");
        }
        if (rejected > ListedRejections)
        {
            Console.Error.WriteLine($"  … and {rejected - ListedRejections:N0} more");
        }
    }
}
