using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>
/// The small-answer middleware over the framework's own stream body feature: what reaches the connection, when, in
/// what order, and with what length.
/// </summary>
public sealed class SmallAnswerBodyTests
{
    [Fact]
    public async Task A_small_answer_is_held_through_flushes_and_sent_whole_with_its_length()
    {
        var (context, sent) = NewContext("GET");
        await SmallAnswerBody.InvokeAsync(context, async c =>
        {
            await c.Response.WriteAsync("{\"a\":");   // starts the response, as the framework helper does
            await c.Response.Body.FlushAsync();
            await c.Response.BodyWriter.WriteAsync(Encoding.UTF8.GetBytes("1"));
            await c.Response.BodyWriter.FlushAsync();
            c.Response.Body.Write("}"u8);
            Assert.Equal(0, sent.Length);
            Assert.False(c.Response.HasStarted);
        });
        Assert.Equal("{\"a\":1}", Text(sent));
        Assert.Equal(7, context.Response.ContentLength);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_answer_past_the_limit_streams_from_there_in_order_without_a_length(bool writer)
    {
        var (context, sent) = NewContext("GET");
        var expected = new StringBuilder();
        long sentWhileRunning = 0;
        await SmallAnswerBody.InvokeAsync(context, async c =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var piece = $"{i},";
                expected.Append(piece);
                // Alternate the two ways in, so that order across them is checked at the switch too.
                if (writer == (i % 2 == 0))
                {
                    await c.Response.BodyWriter.WriteAsync(Encoding.UTF8.GetBytes(piece));
                }
                else
                {
                    await c.Response.Body.FlushAsync();
                    await c.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(piece));
                }
            }
            await c.Response.BodyWriter.FlushAsync();
            sentWhileRunning = sent.Length;
        });
        Assert.True(expected.Length > SmallAnswerBody.Limit);
        Assert.True(sentWhileRunning > SmallAnswerBody.Limit, $"{sentWhileRunning} bytes had gone out before the handler returned");
        Assert.Equal(expected.ToString(), Text(sent));
        Assert.Null(context.Response.ContentLength);
    }

    [Fact]
    public async Task A_large_write_through_the_pipe_writer_passes_the_held_bytes_first()
    {
        var (context, sent) = NewContext("GET");
        await SmallAnswerBody.InvokeAsync(context, async c =>
        {
            await c.Response.BodyWriter.WriteAsync("head:"u8.ToArray());
            var span = c.Response.BodyWriter.GetSpan(SmallAnswerBody.Limit);
            span[..SmallAnswerBody.Limit].Fill((byte)'x');
            c.Response.BodyWriter.Advance(SmallAnswerBody.Limit);
            await c.Response.BodyWriter.FlushAsync();
        });
        Assert.Equal("head:" + new string('x', SmallAnswerBody.Limit), Text(sent));
    }

    [Fact]
    public async Task Clearing_the_response_takes_the_held_bytes_back()
    {
        var (context, sent) = NewContext("GET");
        await SmallAnswerBody.InvokeAsync(context, async c =>
        {
            await c.Response.WriteAsync("{\"results\":[{\"partial\"");
            c.Response.Clear();   // a handler that failed part-way answers with an error instead
            c.Response.StatusCode = 400;
            await c.Response.WriteAsync("{\"error\":\"bad\"}");
        });
        Assert.Equal("{\"error\":\"bad\"}", Text(sent));
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(15, context.Response.ContentLength);
    }

    [Fact]
    public async Task Held_bytes_are_dropped_when_the_handler_throws()
    {
        var (context, sent) = NewContext("GET");
        var original = context.Features.Get<IHttpResponseBodyFeature>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => SmallAnswerBody.InvokeAsync(context, async c =>
        {
            await c.Response.WriteAsync("half an answer");
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal(0, sent.Length);
        Assert.Same(original, context.Features.Get<IHttpResponseBodyFeature>());
        Assert.False(context.Response.HasStarted);
    }

    [Fact]
    public async Task Disabling_buffering_sends_what_is_held_at_the_next_flush()
    {
        var (context, sent) = NewContext("GET");
        await SmallAnswerBody.InvokeAsync(context, async c =>
        {
            await c.Response.WriteAsync("first ");
            c.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
            await c.Response.WriteAsync("second");
            await c.Response.Body.FlushAsync();
            Assert.Equal("first second", Text(sent));
        });
        Assert.Equal("first second", Text(sent));
        Assert.Null(context.Response.ContentLength);
    }

    [Fact]
    public async Task A_head_answer_and_an_empty_one_get_no_length_from_it()
    {
        var (head, _) = NewContext("HEAD");
        await SmallAnswerBody.InvokeAsync(head, c => c.Response.WriteAsync(""));
        Assert.Null(head.Response.ContentLength);
        var (empty, sent) = NewContext("GET");
        await SmallAnswerBody.InvokeAsync(empty, c =>
        {
            c.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        Assert.Null(empty.Response.ContentLength);
        Assert.Equal(0, sent.Length);
    }

    [Fact]
    public async Task Grpc_requests_pass_untouched()
    {
        var (context, sent) = NewContext("POST");
        context.Request.ContentType = "application/grpc";
        await SmallAnswerBody.InvokeAsync(context, async c =>
        {
            Assert.IsType<StreamResponseBodyFeature>(c.Features.Get<IHttpResponseBodyFeature>());
            await c.Response.Body.WriteAsync("frame"u8.ToArray());
            Assert.Equal(5, sent.Length);
        });
        Assert.Null(context.Response.ContentLength);
    }

    private static (DefaultHttpContext Context, MemoryStream Sent) NewContext(string method)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/query";
        var sent = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(sent));
        return (context, sent);
    }

    private static string Text(MemoryStream sent) => Encoding.UTF8.GetString(sent.ToArray());
}
