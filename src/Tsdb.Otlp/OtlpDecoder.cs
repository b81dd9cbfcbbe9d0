using System.Text;
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
            // Trace and span ids are hex in OTLP/JSON where proto3 JSON has base64; they are only in exemplars, which are
            // dropped, and hex ids of 16 and 8 bytes are valid base64 text too, so the generic parser reads them.
            return Json.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetString(body));
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
    }
}
