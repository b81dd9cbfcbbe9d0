using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

public sealed class RequestLogTests
{
    [Fact]
    public async Task An_unhandled_exception_is_logged_once_with_its_stack_and_answered_500_json()
    {
        var logger = new RecordingLogger();
        var (context, body) = NewContext("POST", "/write", "?db=d&u=me&p=apiv3_secret");
        await new RequestLog(logger).InvokeAsync(context, _ => throw new InvalidOperationException("boom"));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("{\"error\":\"internal error: boom\"}", Body(body));
        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("unhandled error in POST /write", error.Message);
        Assert.IsType<InvalidOperationException>(error.Exception);
        var request = Assert.Single(logger.Entries, e => e.Level == LogLevel.Information);
        Assert.Null(request.Exception);   // the stack trace is written once, with the error
        Assert.Equal("POST /write status=500 duration_ms=" + request.State["duration_ms"] + " db=d bytes_in=-1 bytes_out=" + request.State["bytes_out"], request.Message);
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("apiv3_secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_request_line_counts_the_bytes_sent_and_names_the_database()
    {
        var logger = new RecordingLogger();
        var (context, _) = NewContext("GET", "/api/v2/query", "?bucket=b1");
        context.Request.ContentLength = 12;
        await new RequestLog(logger).InvokeAsync(context, async c =>
        {
            c.Response.StatusCode = 200;
            await c.Response.WriteAsync("hello");
            await c.Response.BodyWriter.WriteAsync(Encoding.UTF8.GetBytes(" world"));
        });
        var entry = Assert.Single(logger.Entries);
        Assert.Equal("GET", entry.State["method"]);
        Assert.Equal("/api/v2/query", entry.State["path"]);
        Assert.Equal("b1", entry.State["database"]);
        Assert.Equal(200, entry.State["status"]);
        Assert.Equal(12L, entry.State["bytes_in"]);
        Assert.Equal(11L, entry.State["bytes_out"]);
    }

    [Theory]
    [InlineData("/api/v3/query_sql", "sql")]
    [InlineData("/api/v3/query_influxql", "influxql")]
    [InlineData("/query", "influxql")]
    [InlineData("/api/v1/query", "promql")]
    [InlineData("/api/v1/query_range", "promql")]
    [InlineData("/api/v1/series", null)]
    [InlineData("/api/v3/write_lp", null)]
    public void Query_routes_map_to_their_language(string path, string? language) =>
        Assert.Equal(language, RequestLog.QueryLanguage(path));

    private static (DefaultHttpContext Context, MemoryStream Body) NewContext(string method, string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        var body = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        return (context, body);
    }

    private static string Body(MemoryStream body) => Encoding.UTF8.GetString(body.ToArray());

    private sealed record Entry(LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> State);

    private sealed class RecordingLogger : ILogger
    {
        public List<Entry> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            Entries.Add(new Entry(logLevel, formatter(state, exception), exception, values.ToDictionary(p => p.Key, p => p.Value)));
        }
    }
}
