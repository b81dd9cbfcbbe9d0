using System.Net;
using System.Text;

namespace Tsdb.Grpc.Tests;

public sealed class GrpcFramingTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(maxReceive: 1024);
        _client = GrpcTestClient.Create(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Messages_split_across_body_writes_are_reassembled()
    {
        var messages = new[] { Encoding.UTF8.GetBytes("first message"), new byte[300], Encoding.UTF8.GetBytes("x"), Array.Empty<byte>() };
        messages[1].AsSpan().Fill(7);
        var stream = messages.SelectMany(m => GrpcTestClient.Frame(m)).ToArray();
        // Cut the framed stream into pieces of 1, 2, 3, ... bytes so prefixes and payloads straddle writes.
        var chunks = new List<byte[]>();
        for (int position = 0, size = 1; position < stream.Length; position += size, size++)
        {
            chunks.Add(stream.AsSpan(position, Math.Min(size, stream.Length - position)).ToArray());
        }
        using var response = await _client.SendAsync(GrpcTestClient.Request("Echo", chunks), HttpCompletionOption.ResponseHeadersRead);
        var (received, status, _, trailersOnly, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal("0", status);
        Assert.False(trailersOnly);
        Assert.Equal(messages.Length, received.Count);
        for (var i = 0; i < messages.Length; i++)
        {
            Assert.Equal(messages[i], received[i]);
        }
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_with_resource_exhausted()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Echo", [GrpcTestClient.Frame(new byte[1025])]));
        var (received, status, message, trailersOnly, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Empty(received);
        Assert.True(trailersOnly);
        Assert.Equal(((int)GrpcStatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture), status);
        Assert.Equal("received message larger than max (1025 vs. 1024)", message);
    }

    [Fact]
    public async Task A_message_at_the_limit_is_accepted()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Echo", [GrpcTestClient.Frame(new byte[1024])]));
        var (received, status, _, _, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal("0", status);
        Assert.Single(received);
        Assert.Equal(1024, received[0].Length);
    }

    [Fact]
    public async Task An_error_before_any_message_is_trailers_only_with_a_percent_encoded_message()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Fail", [GrpcTestClient.Frame([1])]));
        var (received, status, message, trailersOnly, r) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(trailersOnly);
        Assert.Empty(received);
        Assert.Empty(r.TrailingHeaders);
        Assert.Equal("5", status);
        Assert.Equal("database '%C3%BCber' not found: 100%25", message);
        Assert.Equal("database 'über' not found: 100%", GrpcMessageText.Decode(message!));
    }

    [Fact]
    public async Task An_error_after_a_message_goes_in_the_trailers()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("FailAfterOne", [GrpcTestClient.Frame([9, 8])]));
        var (received, status, message, trailersOnly, _) = await GrpcTestClient.ReadAsync(response);
        Assert.False(trailersOnly);
        Assert.Equal([9, 8], Assert.Single(received));
        Assert.Equal("3", status);
        Assert.Equal("bad after one", message);
    }

    [Fact]
    public async Task A_passed_deadline_ends_the_call_with_deadline_exceeded()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Wait", [GrpcTestClient.Frame([1])], timeout: "50m"));
        var (_, status, message, _, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal("4", status);
        Assert.Equal("the deadline passed before the call finished", message);
    }

    [Theory]
    [InlineData("1x")]
    [InlineData("123456789S")]
    [InlineData("S")]
    public async Task A_malformed_timeout_is_refused(string timeout)
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Echo", [GrpcTestClient.Frame([1])], timeout));
        var (_, status, message, _, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal("13", status);
        Assert.Equal($"malformed grpc-timeout header '{timeout}'", message);
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented()
    {
        var request = GrpcTestClient.Request("Nope", [GrpcTestClient.Frame([1])]);
        using var response = await _client.SendAsync(request);
        var (_, status, message, trailersOnly, _) = await GrpcTestClient.ReadAsync(response);
        Assert.True(trailersOnly);
        Assert.Equal("12", status);
        Assert.Equal("unknown method /test.Echo/Nope", message);
    }

    [Fact]
    public async Task A_compressed_message_is_refused()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Echo", [GrpcTestClient.Frame([1, 2], flag: 1)]));
        var (_, status, _, _, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal("12", status);
    }

    [Fact]
    public async Task A_request_ending_inside_a_message_is_an_internal_error()
    {
        var framed = GrpcTestClient.Frame(new byte[10]);
        using var response = await _client.SendAsync(GrpcTestClient.Request("Echo", [framed[..8]]));
        var (_, status, message, _, _) = await GrpcTestClient.ReadAsync(response);
        Assert.Equal("13", status);
        Assert.Equal("the request ended inside a message (8 bytes of it)", message);
    }

    [Fact]
    public async Task Client_streaming_reads_every_message_and_sends_metadata_in_trailers_only()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Sum", [GrpcTestClient.Frame([1, 2]), GrpcTestClient.Frame([3]), GrpcTestClient.Frame([250])]));
        var (received, status, _, trailersOnly, r) = await GrpcTestClient.ReadAsync(response);
        Assert.True(trailersOnly);
        Assert.Empty(received);
        Assert.Equal("0", status);
        Assert.Equal("256", r.Headers.GetValues("x-sum").Single());
    }

    [Fact]
    public async Task One_cleartext_port_serves_http1_and_h2c()
    {
        using var http1 = new HttpClient { BaseAddress = _server.Address };
        Assert.Equal("hello HTTP/1.1", await http1.GetStringAsync(new Uri("/hello", UriKind.Relative)));
        using var h2 = new HttpRequestMessage(HttpMethod.Get, "/hello") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await _client.SendAsync(h2);
        Assert.Equal("hello HTTP/2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Grpc_over_http1_is_told_to_upgrade()
    {
        using var http1 = new HttpClient { BaseAddress = _server.Address };
        using var content = new ByteArrayContent(GrpcTestClient.Frame([1]));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var response = await http1.PostAsync(new Uri($"/{TestServer.Service}/Echo", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    [Fact]
    public async Task A_client_that_resets_the_stream_cancels_the_call()
    {
        using var response = await _client.SendAsync(GrpcTestClient.Request("Endless", [GrpcTestClient.Frame([1])]), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1024];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        // Disposing an unfinished HTTP/2 response resets the stream (RST_STREAM CANCEL).
        response.Dispose();
        await TestServer.EndlessCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(TestServer.EndlessCancelled.Task.IsCompletedSuccessfully);
    }
}
