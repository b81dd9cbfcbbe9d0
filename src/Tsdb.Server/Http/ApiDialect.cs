namespace Tsdb.Server.Http;

/// <summary>Which API family an endpoint belongs to: it decides the shape of error bodies.</summary>
internal enum ApiDialect
{
    /// <summary>InfluxDB 3 native (<c>/api/v3/…</c>) and InfluxDB 3's v1 compatibility (<c>/write</c>): <c>{"error": …}</c>.</summary>
    V3,

    /// <summary>InfluxDB 2 compatibility (<c>/api/v2/write</c>): <c>{"code": …, "message": …}</c>.</summary>
    V2,

    /// <summary>Prometheus (<c>/api/v1/…</c>): <c>{"status":"error","errorType":…,"error":…}</c>.</summary>
    Prometheus,
}
