using System.IO.Compression;
using System.Net;
using System.Text;
using Tsdb.Cli.Client;
using Tsdb.Cli.Writing;

namespace Tsdb.Cli.Tests;

public sealed class BatchWriterTests
{
    /// <summary>Answers from a queue and keeps what it was sent.</summary>
    private sealed class Recorder(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<(string Path, string Body, string? Encoding)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var bytes = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var encoding = request.Content.Headers.ContentEncoding.FirstOrDefault();
            if (encoding == "gzip")
            {
                using var zip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                await zip.CopyToAsync(plain, cancellationToken);
                bytes = plain.ToArray();
            }
            Requests.Add((request.RequestUri!.PathAndQuery, Encoding.UTF8.GetString(bytes), encoding));
            return answers[Math.Min(_next++, answers.Length - 1)]();
        }
    }

    private static SourceRecord[] Batch(params (long Number, string Line)[] lines) => [.. lines.Select(l => new SourceRecord(l.Number, l.Line, null, l.Line))];

    private static BatchWriter Writer(Recorder recorder, bool gzip = true, int retries = 3, bool acceptPartial = true) =>
        new(new TsdbClient(new Uri("http://tsdb.test/"), "apiv3_x", recorder), "db 1", "ms", gzip, retries, acceptPartial, TextWriter.Null) { FirstBackoff = TimeSpan.FromMilliseconds(1) };

    [Fact]
    public async Task A_batch_goes_gzipped_to_write_lp_with_database_and_precision()
    {
        var recorder = new Recorder(() => new HttpResponseMessage(HttpStatusCode.NoContent));
        var writer = Writer(recorder);
        await writer.WriteAsync("f.lp", Batch((1, "m v=1"), (3, "m v=2")), default);
        var (path, body, encoding) = Assert.Single(recorder.Requests);
        Assert.Equal("/api/v3/write_lp?db=db%201&precision=ms&accept_partial=true", path);
        Assert.Equal("m v=1\nm v=2\n", body);
        Assert.Equal("gzip", encoding);
        Assert.Equal(2, writer.LinesWritten);
    }

    [Fact]
    public async Task Rejected_lines_of_a_partial_write_are_mapped_to_input_line_numbers()
    {
        const string answer = """
            {"error":"partial write of line protocol occurred","data":[
              {"original_line":"bad","line_number":2,"error_message":"expected '=' after field key"}]}
            """;
        var recorder = new Recorder(() => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(answer) });
        var writer = Writer(recorder, gzip: false);
        await writer.WriteAsync("f.lp", Batch((10, "m v=1"), (12, "bad"), (13, "m v=3")), default);
        Assert.Null(Assert.Single(recorder.Requests).Encoding);
        Assert.Equal(2, writer.LinesWritten);
        Assert.Equal(new Rejection("f.lp", 12, "expected '=' after field key", "bad"), Assert.Single(writer.Rejections));
    }

    [Fact]
    public async Task Busy_and_failing_servers_are_retried_then_the_batch_goes_through()
    {
        var recorder = new Recorder(
            () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new(TimeSpan.Zero) } },
            () => new HttpResponseMessage(HttpStatusCode.TooManyRequests),
            () => new HttpResponseMessage(HttpStatusCode.InternalServerError),
            () => new HttpResponseMessage(HttpStatusCode.NoContent));
        var writer = Writer(recorder);
        await writer.WriteAsync("f.lp", Batch((1, "m v=1")), default);
        Assert.Equal(4, recorder.Requests.Count);
        Assert.All(recorder.Requests, r => Assert.Equal("m v=1\n", r.Body));
        Assert.Equal(3, writer.Retries);
        Assert.Equal(1, writer.LinesWritten);
    }

    [Fact]
    public async Task Retries_end_with_an_error_naming_the_lines()
    {
        var recorder = new Recorder(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("{\"error\":\"the write buffer is full\"}") });
        var e = await Assert.ThrowsAsync<CliException>(() => Writer(recorder, retries: 2).WriteAsync("f.lp", Batch((5, "m v=1"), (6, "m v=2")), default));
        Assert.Equal("f.lp: lines 5-6: the server answered 503 (Service Unavailable): the write buffer is full (gave up after 2 retries)", e.Message);
        Assert.Equal(3, recorder.Requests.Count);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        var recorder = new Recorder(() => new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("{\"error\":\"the request was not authenticated\"}") });
        var e = await Assert.ThrowsAsync<CliException>(() => Writer(recorder).WriteAsync("f.lp", Batch((1, "m v=1")), default));
        Assert.Equal("f.lp: lines 1-1: the server answered 401 (Unauthorized): the request was not authenticated (the token was refused)", e.Message);
        Assert.Single(recorder.Requests);
    }

    [Fact]
    public async Task Without_partial_writes_the_first_bad_line_stops_the_write()
    {
        const string answer = """{"error":"parsing failed for write_lp endpoint","data":{"original_line":"bad","line_number":1,"error_message":"nope"}}""";
        var recorder = new Recorder(() => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(answer) });
        var writer = Writer(recorder, acceptPartial: false);
        var e = await Assert.ThrowsAsync<CliException>(() => writer.WriteAsync("f.lp", Batch((4, "bad"), (5, "m v=1")), default));
        Assert.Equal("f.lp, line 4: nope (nothing of lines 4-5 was written: --accept-partial false)", e.Message);
        Assert.Contains("accept_partial=false", Assert.Single(recorder.Requests).Path, StringComparison.Ordinal);
        Assert.Equal(0, writer.LinesWritten);
    }
}
