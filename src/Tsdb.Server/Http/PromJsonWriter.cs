using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Prometheus;
using Tsdb.PromQL;

namespace Tsdb.Server.Http;

/// <summary>
/// Writes Prometheus API responses: the envelope <c>{"status":"success","data":…,"warnings":[…]}</c> or
/// <c>{"status":"error","errorType":…,"error":…}</c>, with values and timestamps formatted by <see cref="PromFormat"/>.
/// The body is built in memory first so an error found late can still change the status.
/// </summary>
internal static class PromJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    public static async Task Success(HttpContext context, Action<Utf8JsonWriter> writeData, IReadOnlyList<string>? warnings = null)
    {
        // The whole envelope is written before the status goes out (an error while writing still becomes an error
        // response), into a pooled buffer: 32 KiB holds a typical dashboard panel's answer without growing.
        using var buffer = new PooledBufferWriter(32 << 10);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WritePropertyName("data");
            writeData(json);
            if (warnings is { Count: > 0 })
            {
                json.WriteStartArray("warnings");
                foreach (var warning in warnings)
                {
                    json.WriteStringValue(warning);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        // A known length: one write with the headers, no chunked framing.
        context.Response.ContentLength = buffer.WrittenMemory.Length;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }

    public static Task Error(HttpContext context, string errorType, string message, int? status = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("status", "error");
            json.WriteString("errorType", errorType);
            json.WriteString("error", message);
            json.WriteEndObject();
        }
        context.Response.StatusCode = status ?? errorType switch
        {
            "bad_data" => 400,
            "execution" => 422,
            "canceled" => 499,
            "timeout" or "unavailable" => 503,
            "not_found" => 404,
            "not_acceptable" => 406,
            "unauthorized" => 401,
            "forbidden" => 403,
            "misdirected" => 421,
            _ => 500,
        };
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    public static void Labels(Utf8JsonWriter json, Labels labels)
    {
        json.WriteStartObject();
        foreach (var label in labels)
        {
            json.WriteString(label.Name, label.Value);
        }
        json.WriteEndObject();
    }

    public static void Sample(Utf8JsonWriter json, long timestampMs, double value)
    {
        Span<byte> text = stackalloc byte[PromFormat.MaxFloatLength];
        json.WriteStartArray();
        json.WriteRawValue(text[..PromFormat.WriteTimestamp(text, timestampMs)], skipInputValidation: true);
        json.WriteStringValue(text[..PromFormat.WriteFloat(text, value)]);
        json.WriteEndArray();
    }

    /// <summary><c>{"labels":{…},"value":"1.5","timestamp":1600000000.123}</c>, as Prometheus writes an exemplar.</summary>
    public static void Exemplar(Utf8JsonWriter json, StoredExemplar exemplar)
    {
        ArgumentNullException.ThrowIfNull(exemplar);
        Span<byte> text = stackalloc byte[PromFormat.MaxFloatLength];
        json.WriteStartObject();
        json.WritePropertyName("labels");
        Labels(json, exemplar.Labels);
        json.WriteString("value", text[..PromFormat.WriteFloat(text, exemplar.Value)]);
        json.WritePropertyName("timestamp");
        json.WriteRawValue(text[..PromFormat.WriteTimestamp(text, exemplar.TimestampMs)], skipInputValidation: true);
        json.WriteEndObject();
    }

    /// <summary><c>[t, {"count":"…","sum":"…","buckets":[[rule,"lower","upper","count"],…]}]</c>.</summary>
    public static void HistogramSample(Utf8JsonWriter json, long timestampMs, FloatHistogram histogram)
    {
        Span<byte> text = stackalloc byte[PromFormat.MaxFloatLength];
        json.WriteStartArray();
        json.WriteRawValue(text[..PromFormat.WriteTimestamp(text, timestampMs)], skipInputValidation: true);
        Histogram(json, histogram);
        json.WriteEndArray();
    }

    /// <summary>
    /// A native histogram as Prometheus' API writes it: count and sum as strings, then each non-empty bucket with its
    /// boundary rule (0: (lower, upper], 1: [lower, upper), 2: (lower, upper), 3: [lower, upper]), bounds and count.
    /// </summary>
    public static void Histogram(Utf8JsonWriter json, FloatHistogram histogram)
    {
        Span<byte> text = stackalloc byte[PromFormat.MaxFloatLength];
        json.WriteStartObject();
        json.WriteString("count", text[..PromFormat.WriteFloat(text, histogram.Count)]);
        json.WriteString("sum", text[..PromFormat.WriteFloat(text, histogram.Sum)]);
        var wroteBuckets = false;
        foreach (var bucket in histogram.AllBuckets())
        {
            if (bucket.Count == 0)
            {
                continue;
            }
            if (!wroteBuckets)
            {
                json.WriteStartArray("buckets");
                wroteBuckets = true;
            }
            var rule = bucket.LowerInclusive ? (bucket.UpperInclusive ? 3 : 1) : (bucket.UpperInclusive ? 0 : 2);
            json.WriteStartArray();
            json.WriteNumberValue(rule);
            json.WriteStringValue(text[..PromFormat.WriteFloat(text, bucket.Lower)]);
            json.WriteStringValue(text[..PromFormat.WriteFloat(text, bucket.Upper)]);
            json.WriteStringValue(text[..PromFormat.WriteFloat(text, bucket.Count)]);
            json.WriteEndArray();
        }
        if (wroteBuckets)
        {
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    public static void Value(Utf8JsonWriter json, PromQLValue value)
    {
        json.WriteStartObject();
        json.WriteString("resultType", value.ResultType);
        json.WritePropertyName("result");
        switch (value)
        {
            case ScalarValue scalar:
                // Prometheus marshals scalars and strings with encoding/json: the time is the float ms / 1000
                // ("1.5", where vector samples say "1.500").
                json.WriteStartArray();
                json.WriteRawValue(PromFormat.Float(scalar.TimestampMs / 1000.0), skipInputValidation: true);
                json.WriteStringValue(PromFormat.Float(scalar.Value));
                json.WriteEndArray();
                break;
            case StringValue text:
                json.WriteStartArray();
                json.WriteRawValue(PromFormat.Float(text.TimestampMs / 1000.0), skipInputValidation: true);
                json.WriteStringValue(text.Value);
                json.WriteEndArray();
                break;
            case VectorValue vector:
                json.WriteStartArray();
                foreach (var sample in vector.Samples)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("metric");
                    Labels(json, sample.Labels);
                    if (sample.Histogram is { } histogram)
                    {
                        json.WritePropertyName("histogram");
                        HistogramSample(json, sample.TimestampMs, histogram);
                    }
                    else
                    {
                        json.WritePropertyName("value");
                        Sample(json, sample.TimestampMs, sample.Value);
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case MatrixValue matrix:
                json.WriteStartArray();
                foreach (var series in matrix.Series)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("metric");
                    Labels(json, series.Labels);
                    // As Prometheus: "values" for float points, "histograms" for native histogram points, each only
                    // when the series has such points (a float-only series always has "values").
                    if (series.Points.Count > 0 || series.Histograms.Count == 0)
                    {
                        json.WriteStartArray("values");
                        foreach (var point in series.Points)
                        {
                            Sample(json, point.TimestampMs, point.Value);
                        }
                        json.WriteEndArray();
                    }
                    if (series.Histograms.Count > 0)
                    {
                        json.WriteStartArray("histograms");
                        foreach (var point in series.Histograms)
                        {
                            HistogramSample(json, point.TimestampMs, point.Histogram);
                        }
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"unknown PromQL value {value.GetType().Name}");
        }
        json.WriteEndObject();
    }
}
