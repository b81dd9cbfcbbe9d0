using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Tsdb.Server;

/// <summary>
/// Tells Kestrel which protocol a cleartext connection speaks, as ALPN would over TLS. Kestrel picks HTTP/2 on an
/// HTTP/1.1-and-HTTP/2 endpoint only when a TLS feature reports "h2"; this stands in for it on connections that
/// began with the HTTP/2 preface. No certificate is involved.
/// </summary>
internal sealed class CleartextProtocolFeature(ReadOnlyMemory<byte> protocol) : ITlsApplicationProtocolFeature, ITlsConnectionFeature
{
    public ReadOnlyMemory<byte> ApplicationProtocol { get; } = protocol;

    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
}
