using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Tsdb.Cli.Client;

/// <summary>
/// The HTTP side of the client commands: one base address and token, and the translation of what can go wrong
/// (an unreachable server, a 4xx/5xx answer) into a <see cref="CliException"/> with the server's own message.
/// </summary>
internal sealed class TsdbClient : IDisposable
{
    private readonly HttpClient _http;

    public TsdbClient(Uri baseAddress, string? token)
        : this(baseAddress, token, new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
    }

    /// <summary>With a handler of the caller's (tests answer from memory).</summary>
    public TsdbClient(Uri baseAddress, string? token, HttpMessageHandler handler)
    {
        BaseAddress = baseAddress;
        HasToken = !string.IsNullOrEmpty(token);
        // Queries and big writes may take long; Ctrl-C cancels them instead of a fixed timeout.
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("tsdb-cli", "1"));
        if (HasToken)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseAddress { get; }

    public bool HasToken { get; }

    /// <summary>Sends a request; an unreachable server becomes "cannot reach URL: reason".</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(Unreachable(e));
        }
    }

    public string Unreachable(HttpRequestException e) => $"cannot reach the server at {BaseAddress}: {e.Message}";

    /// <summary>Sends a request and throws with the server's message unless the answer is a success.</summary>
    public async Task<HttpResponseMessage> SendOkAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw new CliException(await DescribeFailureAsync(response, cancellationToken).ConfigureAwait(false));
            }
        }
        return response;
    }

    public async Task<string> GetStringAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendOkAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"the server answered 404 (Not Found): database 'x' not found", with a hint for the usual causes.</summary>
    public async Task<string> DescribeFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var message = ErrorMessage(body);
        var status = (int)response.StatusCode;
        var text = $"the server answered {status} ({response.ReasonPhrase ?? response.StatusCode.ToString()})" + (message.Length > 0 ? ": " + message : "");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            text += HasToken ? " (the token was refused)" : " (give a token with --token or TSDB_TOKEN)";
        }
        return text;
    }

    /// <summary>The message in an error body: v3 <c>{"error"}</c>, v2 <c>{"code","message"}</c>, Prometheus' <c>{"error"}</c>, else the text.</summary>
    public static string ErrorMessage(string body)
    {
        body = body.Trim();
        if (body.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                foreach (var name in new[] { "error", "message" })
                {
                    if (json.RootElement.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String)
                    {
                        return e.GetString()!;
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: show the text.
            }
        }
        return body.Length > 500 ? body[..500] + "…" : body;
    }

    public void Dispose() => _http.Dispose();
}
