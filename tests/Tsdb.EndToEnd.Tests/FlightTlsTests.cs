using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>With --tls-cert/--tls-key one port serves HTTPS: HTTP/1.1 and HTTP/2 (gRPC) chosen by ALPN.</summary>
public sealed class FlightTlsTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tsdb-flight-tls-" + Guid.NewGuid().ToString("N"));
    private InProcessServer _server = null!;
    private string _thumbprint = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _thumbprint = cert.GetCertHashString();
        var certPath = Path.Combine(_dir, "cert.pem");
        var keyPath = Path.Combine(_dir, "key.pem");
        await File.WriteAllTextAsync(certPath, cert.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        _server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"), "--tls-cert", certPath, "--tls-key", keyPath);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Https_serves_http1_and_http2_grpc_on_one_port()
    {
        Assert.Equal("https", _server.Url.Scheme);
        using var handler = new SocketsHttpHandler();
        // Trust exactly the certificate this test made.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHashString() == _thumbprint;
        using var client = new HttpClient(handler) { BaseAddress = _server.Url };

        using var http1 = await client.GetAsync(new Uri("/-/healthy", UriKind.Relative));
        Assert.Equal(HttpVersion.Version11, http1.Version);
        Assert.Equal(HttpStatusCode.OK, http1.StatusCode);

        // ListActions over HTTP/2 negotiated by ALPN, with the admin token.
        using var grpc = new HttpRequestMessage(HttpMethod.Post, "/arrow.flight.protocol.FlightService/ListActions")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        grpc.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        grpc.Headers.TryAddWithoutValidation("authorization", "Bearer " + _server.AdminToken);
        using var response = await client.SendAsync(grpc);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Contains("CreatePreparedStatement", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }
}
