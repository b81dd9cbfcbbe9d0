using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tsdb.Cli.Client;

namespace Tsdb.Cli.Writing;

/// <summary>
/// Sends batches of line protocol to <c>/api/v3/write_lp</c>: gzip bodies, retries with exponential back-off on 429
/// and 5xx (honouring <c>Retry-After</c>), and the rejected lines of partial writes mapped back to input lines.
/// </summary>
internal sealed class BatchWriter(TsdbClient client, string database, string precision, bool gzip, int maxRetries, bool acceptPartial, TextWriter log)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // The batch in flight reports its rejections while the reader rejects rows it could not convert.
    private readonly Lock _rejectionsLock = new();

    public long LinesWritten { get; private set; }

    public long Retries { get; private set; }

    public List<Rejection> Rejections
    {
        get
        {
            lock (_rejectionsLock)
            {
                return [.. _rejections];
            }
        }
    }

    private readonly List<Rejection> _rejections = [];

    private void Add(Rejection rejection)
    {
        lock (_rejectionsLock)
        {
            _rejections.Add(rejection);
        }
    }

    /// <summary>Tests shorten the back-off with TSDB_CLI_BACKOFF_MS; the first retry waits this long, each next one twice as long.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public void Reject(string source, SourceRecord record) => Add(new Rejection(source, record.Number, record.Error!, record.Original));

    /// <summary>Writes one batch (lines only; converter errors were rejected before); returns once the server took it.</summary>
    public async Task WriteAsync(string source, IReadOnlyList<SourceRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var body = Body(batch);
        var path = $"api/v3/write_lp?db={Uri.EscapeDataString(database)}&precision={Uri.EscapeDataString(precision)}&accept_partial={(acceptPartial ? "true" : "false")}";
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            if (gzip)
            {
                request.Content.Headers.ContentEncoding.Add("gzip");
            }
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException) when (LinesWritten > 0 && attempt < maxRetries)
            {
                // The server was there a moment ago (a restart, a dropped connection): worth waiting for.
                await Wait(attempt, null, "the connection failed", cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    LinesWritten += batch.Count;
                    return;
                }
                if ((status == 429 || status >= 500) && attempt < maxRetries)
                {
                    await Wait(attempt, response.Headers.RetryAfter, $"the server answered {status}", cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (status == 400 && await PartialAsync(source, batch, response, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
                var message = await client.DescribeFailureAsync(response, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
                {
                    message += " (lower --batch-size)";
                }
                if (status == 429 || status >= 500)
                {
                    message += $" (gave up after {maxRetries} retries)";
                }
                throw new CliException($"{source}: lines {batch[0].Number}-{batch[^1].Number}: {message}");
            }
        }
    }

    /// <summary>A 400 that lists rejected lines: the others were stored (with accept_partial); records them and says true.</summary>
    private async Task<bool> PartialAsync(string source, IReadOnlyList<SourceRecord> batch, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return false;
        }
        using (json)
        {
            if (!json.RootElement.TryGetProperty("data", out var data))
            {
                return false;
            }
            var items = data.ValueKind switch
            {
                JsonValueKind.Array => data.EnumerateArray().ToList(),
                JsonValueKind.Object => [data],
                _ => [],
            };
            if (items.Count == 0)
            {
                return false;
            }
            Rejection? first = null;
            foreach (var item in items)
            {
                var number = item.TryGetProperty("line_number", out var n) && n.TryGetInt32(out var i) ? i : 0;
                var message = item.TryGetProperty("error_message", out var m) ? m.GetString() ?? "" : "";
                var original = item.TryGetProperty("original_line", out var o) ? o.GetString() ?? "" : "";
                // The server counts the lines of the body; the body is the batch, one line each.
                var line = number >= 1 && number <= batch.Count ? batch[number - 1].Number : 0;
                first ??= new Rejection(source, line, message, original);
                Add(new Rejection(source, line, message, original));
            }
            if (!acceptPartial)
            {
                // Nothing of the batch was stored; the server reports only the first bad line.
                throw new CliException($"{source}, line {first!.Line}: {first.Message} (nothing of lines {batch[0].Number}-{batch[^1].Number} was written: --accept-partial false)");
            }
            LinesWritten += batch.Count - items.Count;
            return true;
        }
    }

    private async Task Wait(int attempt, RetryConditionHeaderValue? retryAfter, string why, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(attempt, 16)));
        // Jitter keeps several writers from coming back at the same moment.
        backoff += TimeSpan.FromMilliseconds(Random.Shared.Next(0, Math.Max(1, (int)(backoff.TotalMilliseconds / 4))));
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : backoff);
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }
        Retries++;
        await log.WriteLineAsync($"{why}; retrying in {wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s (retry {attempt + 1} of {maxRetries})").ConfigureAwait(false);
        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
    }

    private byte[] Body(IReadOnlyList<SourceRecord> batch)
    {
        var text = new StringBuilder();
        foreach (var record in batch)
        {
            text.Append(record.Line).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (!gzip)
        {
            return bytes;
        }
        using var compressed = new MemoryStream(bytes.Length / 4 + 64);
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(bytes);
        }
        return compressed.ToArray();
    }
}
