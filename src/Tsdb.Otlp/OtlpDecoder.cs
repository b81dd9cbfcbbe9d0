using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Tsdb.Otlp.Protocol;

namespace Tsdb.Otlp;

/// <summary>ExportMetricsServiceRequest from protobuf or OTLP JSON; failures are <see cref="OtlpDecodeException"/>.</summary>
internal static class OtlpDecoder
{
    // OTLP/JSON: receivers must ignore unknown fields (newer senders add some).
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(64));

    public static ExportMetricsServiceRequest Decode(ReadOnlySpan<byte> body, OtlpEncoding encoding)
    {
        try
        {
            if (encoding == OtlpEncoding.Protobuf)
            {
                return ExportMetricsServiceRequest.Parser.ParseFrom(body);
            }
            return Json.Parse<ExportMetricsServiceRequest>(HexIdsAsBase64(body));
        }
        catch (InvalidProtocolBufferException e) when (encoding == OtlpEncoding.Protobuf)
        {
            throw new OtlpDecodeException($"the body is not a valid opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest protobuf message: {e.Message}");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OtlpDecodeException($"the body is not valid OTLP JSON: {e.Message}");
        }
        catch (InvalidJsonException e)
        {
            throw new OtlpDecodeException($"the body is not valid OTLP JSON: {e.Message}");
        }
        catch (FormatException e)
        {
            throw new OtlpDecodeException($"the body is not valid OTLP JSON: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new OtlpDecodeException($"the body is not valid OTLP JSON: {e.Message}");
        }
    }

    private static readonly byte[][] IdKeys = [.. new[] { "\"traceId\"", "\"spanId\"", "\"trace_id\"", "\"span_id\"" }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>
    /// OTLP/JSON writes trace and span ids (exemplars' only bytes fields) as hex, where proto3 JSON, which the generic
    /// parser reads, has base64: they are turned into base64 first. Hex text is valid base64 too, so left alone the ids
    /// would decode to other bytes without an error. Bodies without ids are parsed as they are.
    /// </summary>
    private static string HexIdsAsBase64(ReadOnlySpan<byte> body)
    {
        var hasIds = false;
        foreach (var key in IdKeys)
        {
            hasIds |= body.IndexOf(key) >= 0;
        }
        if (!hasIds)
        {
            return Encoding.UTF8.GetString(body);
        }
        try
        {
            var root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            Rewrite(root, 0);
            return root?.ToJsonString() ?? "null";
        }
        catch (ArgumentException)
        {
            // A repeated key, which JsonObject refuses: the body goes to the parser as it came (no exporter sends one).
            return Encoding.UTF8.GetString(body);
        }
    }

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    private static void Rewrite(JsonNode? node, int depth)
    {
        if (depth > 64)
        {
            return;
        }
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Rewrite(item, depth + 1);
            }
            return;
        }
        if (node is not JsonObject map)
        {
            return;
        }
        foreach (var (key, value) in map.ToList())
        {
            if (key is "traceId" or "spanId" or "trace_id" or "span_id" && value is JsonValue text && text.TryGetValue<string>(out var hex))
            {
                // Text that is no hex is left to the parser, which reads proto3 JSON's base64 (what generic protobuf
                // JSON writers send).
                if (hex.Length % 2 != 0 || !IsHex(hex))
                {
                    continue;
                }
                var bytes = Convert.FromHexString(hex);
                map[key] = Convert.ToBase64String(bytes);
            }
            else
            {
                Rewrite(value, depth + 1);
            }
        }
    }
}
