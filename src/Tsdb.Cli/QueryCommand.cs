using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Tsdb.Cli.Client;
using Tsdb.Cli.Output;

namespace Tsdb.Cli;

/// <summary>
/// <c>tsdb query</c>: SQL and InfluxQL through <c>/api/v3/query_sql|query_influxql</c> (the server formats csv, json,
/// jsonl and parquet; pretty is a table drawn here from its CSV), PromQL through <c>/api/v1/query[_range]</c>
/// (rows built here: the labels, time and value).
/// </summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var connection = new ClientOptions();
        var text = new Argument<string?>("query") { Description = "The query; or give --file, or pipe it in", Arity = ArgumentArity.ZeroOrOne };
        var database = WriteCommand.DatabaseOption();
        var language = new Option<string>("--language", "-l") { Description = "Query language", DefaultValueFactory = _ => "sql" };
        language.AcceptOnlyFromAmong("sql", "influxql", "promql");
        var format = new Option<string>("--format") { Description = "Output format (parquet: SQL and InfluxQL only, to --output or a redirect)", DefaultValueFactory = _ => "pretty" };
        format.AcceptOnlyFromAmong("pretty", "csv", "json", "jsonl", "parquet");
        var output = new Option<string?>("--output", "-o") { Description = "Write the result to this file instead of stdout" };
        var file = new Option<string?>("--file", "-f") { Description = "Read the query from this file ('-': stdin)" };
        var time = new Option<string?>("--time") { Description = "PromQL instant query: evaluation time (RFC 3339, Unix seconds, now, or now-1h / -1h); default now" };
        var start = new Option<string?>("--start") { Description = "PromQL range query: start (as --time); default end - 1h" };
        var end = new Option<string?>("--end") { Description = "PromQL range query: end (as --time); default now" };
        var step = new Option<string?>("--step") { Description = "PromQL range query: resolution (a duration like 15s or 1m, or seconds); default (end - start) / 250" };
        var command = new Command("query", "Run a SQL, InfluxQL or PromQL query")
        {
            text, database, language, format, output, file, time, start, end, step,
        };
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliAction.Run(async () =>
        {
            var query = await QueryText(parse.GetValue(text), parse.GetValue(file), cancellationToken).ConfigureAwait(false);
            var lang = parse.GetValue(language)!;
            var fmt = parse.GetValue(format)!;
            var outputPath = parse.GetValue(output);
            if (fmt == "parquet" && outputPath is null && !Console.IsOutputRedirected)
            {
                throw new CliException("parquet is binary: write it to a file with --output FILE (or redirect stdout)", 2);
            }
            using var client = connection.Connect(parse);
            if (lang == "promql")
            {
                if (fmt == "parquet")
                {
                    throw new CliException("--format parquet is for SQL and InfluxQL; PromQL answers as pretty, csv, json or jsonl", 2);
                }
                var range = parse.GetValue(start) is not null || parse.GetValue(end) is not null || parse.GetValue(step) is not null;
                if (range && parse.GetValue(time) is not null)
                {
                    throw new CliException("--time is for instant queries; a range query takes --start, --end and --step", 2);
                }
                var path = PromQLPath(query, parse.GetValue(database), range, parse.GetValue(time), parse.GetValue(start), parse.GetValue(end), parse.GetValue(step));
                var body = await client.GetStringAsync(path, cancellationToken).ConfigureAwait(false);
                var rows = PromQLRows.Parse(body);
                await WriteRowsAsync(rows, fmt, outputPath).ConfigureAwait(false);
                return 0;
            }
            var db = WriteCommand.RequireDatabase(parse.GetValue(database));
            var endpoint = lang == "sql" ? "api/v3/query_sql" : "api/v3/query_influxql";
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = JsonContent.Create(new Dictionary<string, string> { ["db"] = db, ["q"] = query, ["format"] = fmt == "pretty" ? "csv" : fmt }),
            };
            using var response = await client.SendOkAsync(request, cancellationToken).ConfigureAwait(false);
            if (fmt == "pretty")
            {
                var csv = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                await WriteRowsAsync(RowWriter.FromCsv(csv), fmt, outputPath).ConfigureAwait(false);
                return 0;
            }
            // The server's own bytes, streamed: no reformatting of large answers.
            await using var destination = outputPath is null ? Console.OpenStandardOutput() : new FileStream(outputPath, FileMode.Create, FileAccess.Write);
            await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static async Task WriteRowsAsync(RowSet rows, string format, string? outputPath)
    {
        if (outputPath is null)
        {
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
            await using (stdout.ConfigureAwait(false))
            {
                RowWriter.Write(rows, format, stdout, terminal: !Console.IsOutputRedirected);
            }
            return;
        }
        var file = new StreamWriter(outputPath, append: false, new UTF8Encoding(false));
        await using (file.ConfigureAwait(false))
        {
            RowWriter.Write(rows, format, file, terminal: false);
        }
    }

    private static async Task<string> QueryText(string? argument, string? file, CancellationToken cancellationToken)
    {
        if (argument is not null && file is not null)
        {
            throw new CliException("give the query as an argument or with --file, not both", 2);
        }
        string? query = argument;
        if (file is not null)
        {
            query = file == "-"
                ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : throw new CliException($"no such file: {file}", 2);
        }
        else if (query is null && Console.IsInputRedirected)
        {
            query = await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        query = query?.Trim();
        return string.IsNullOrEmpty(query) ? throw new CliException("no query: give it as an argument, with --file, or on stdin", 2) : query;
    }

    internal static string PromQLPath(string query, string? database, bool range, string? time, string? start, string? end, string? step)
    {
        var now = DateTimeOffset.UtcNow;
        var parameters = new List<string> { "query=" + Uri.EscapeDataString(query) };
        if (!string.IsNullOrEmpty(database))
        {
            parameters.Add("db=" + Uri.EscapeDataString(database));
        }
        if (!range)
        {
            parameters.Add("time=" + Seconds(PromQLTime.Parse(time ?? "now", now)));
            return "api/v1/query?" + string.Join('&', parameters);
        }
        var endTime = PromQLTime.Parse(end ?? "now", now);
        var startTime = start is null ? endTime - TimeSpan.FromHours(1) : PromQLTime.Parse(start, now);
        if (startTime > endTime)
        {
            throw new CliException("--start is after --end", 2);
        }
        // About 250 points per series, as Prometheus' UI picks for a graph.
        var resolution = step ?? Math.Max(1, Math.Ceiling((endTime - startTime).TotalSeconds / 250)).ToString(CultureInfo.InvariantCulture);
        parameters.Add("start=" + Seconds(startTime));
        parameters.Add("end=" + Seconds(endTime));
        parameters.Add("step=" + Uri.EscapeDataString(resolution));
        return "api/v1/query_range?" + string.Join('&', parameters);
    }

    private static string Seconds(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
