namespace Tsdb.Server.Http;

/// <summary>Endpoint metadata: the route never asks for a token (the Prometheus-style probes, unknown routes).</summary>
internal sealed record OpenRoute;

/// <summary>
/// Endpoint metadata: the route asks for a token unless <c>--disable-authz</c> names its resource (health, ping,
/// metrics), as in InfluxDB 3.
/// </summary>
internal sealed record AuthzResource(string Name)
{
    public static IReadOnlyList<string> All { get; } = ["health", "ping", "metrics"];
}
