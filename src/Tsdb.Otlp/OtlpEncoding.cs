namespace Tsdb.Otlp;

/// <summary>The body encodings of OTLP/HTTP; the answer uses the request's.</summary>
public enum OtlpEncoding
{
    /// <summary><c>application/x-protobuf</c>.</summary>
    Protobuf,

    /// <summary><c>application/json</c>: proto3 JSON with OTLP's rules (lowerCamelCase keys, integer enums, hex trace/span ids).</summary>
    Json,
}
