using System.Buffers;
using Google.Protobuf;
using Tsdb.Core.Compression;
using V1 = Tsdb.Prometheus.Protocol.V1;
using V2 = Tsdb.Prometheus.Protocol.V2;

namespace Tsdb.Prometheus;

/// <summary>Snappy block + protobuf → <see cref="PromSeries"/> and metadata; errors are <see cref="RemoteWriteDecodeException"/> with a message for the 400.</summary>
internal static class RemoteWriteDecoder
{
    /// <summary>Largest decoded body (Prometheus' receiver: 32 MiB).</summary>
    public const int MaxDecodedBytes = 32 << 20;

    /// <summary>Decodes a request; a 1.0 request's series go into <paramref name="into"/> when given (the list returned).</summary>
    public static List<PromSeries> Decode(ReadOnlySpan<byte> compressed, RemoteWriteVersion version, string database, MetricMetadataStore metadata, List<PromSeries>? into = null)
    {
        int length;
        try
        {
            length = Snappy.GetDecompressedLength(compressed);
        }
        catch (InvalidDataException e)
        {
            throw new RemoteWriteDecodeException($"the body is not snappy (block format) data: {e.Message}");
        }
        if (length > MaxDecodedBytes)
        {
            throw new RemoteWriteDecodeException($"the snappy body decodes to {length} bytes, more than the limit of {MaxDecodedBytes}");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int decoded;
            try
            {
                decoded = Snappy.Decompress(compressed, buffer);
            }
            catch (InvalidDataException e)
            {
                throw new RemoteWriteDecodeException($"the body is not snappy (block format) data: {e.Message}");
            }
            var message = buffer.AsSpan(0, decoded);
            try
            {
                return version == RemoteWriteVersion.V1
                    ? WriteRequestReader.Read(message, database, metadata, into)
                    : FromV2(V2.Request.Parser.ParseFrom(message), database, metadata);
            }
            catch (InvalidProtocolBufferException e)
            {
                var type = version == RemoteWriteVersion.V1 ? "prometheus.WriteRequest" : "io.prometheus.write.v2.Request";
                throw new RemoteWriteDecodeException($"the body is not a valid {type} protobuf message: {e.Message}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>1.0 through the generated classes: the reference <see cref="WriteRequestReader"/> is tested against.</summary>
    internal static List<PromSeries> FromV1(V1.WriteRequest request, string database, MetricMetadataStore metadata)
    {
        var result = new List<PromSeries>(request.Timeseries.Count);
        foreach (var series in request.Timeseries)
        {
            var labels = new List<(string, string)>(series.Labels.Count);
            foreach (var label in series.Labels)
            {
                labels.Add((label.Name, label.Value));
            }
            var count = series.Samples.Count;
            var times = new long[count];
            var values = new double[count];
            for (var i = 0; i < count; i++)
            {
                var sample = series.Samples[i];
                times[i] = sample.Timestamp;
                values[i] = sample.Value;
            }
            var (histogramTimes, histograms, error) = HistogramMessage.Convert(series.Histograms, static (m, h) => m.From(h));
            result.Add(new PromSeries(labels, times, values)
            {
                HistogramTimestampsMs = histogramTimes, Histograms = histograms, HistogramCount = series.Histograms.Count,
                Exemplars = FromV1(series.Exemplars), DecodeError = error,
            });
        }
        foreach (var entry in request.Metadata)
        {
            metadata.Set(database, entry.MetricFamilyName, new MetricMetadata(MetricMetadataStore.TypeName((int)entry.Type), entry.Help, entry.Unit));
        }
        return result;
    }

    private static PromExemplar[]? FromV1(Google.Protobuf.Collections.RepeatedField<V1.Exemplar> exemplars)
    {
        if (exemplars.Count == 0)
        {
            return null;
        }
        var result = new PromExemplar[exemplars.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var exemplar = exemplars[i];
            var labels = new List<(string, string)>(exemplar.Labels.Count);
            foreach (var label in exemplar.Labels)
            {
                labels.Add((label.Name, label.Value));
            }
            result[i] = new PromExemplar(labels, exemplar.Value, exemplar.Timestamp);
        }
        return result;
    }

    /// <summary>2.0 exemplars: labels by reference into the symbols table; a reference out of range refuses that exemplar only.</summary>
    private static PromExemplar[]? FromV2(Google.Protobuf.Collections.RepeatedField<V2.Exemplar> exemplars, Google.Protobuf.Collections.RepeatedField<string> symbols)
    {
        if (exemplars.Count == 0)
        {
            return null;
        }
        var result = new PromExemplar[exemplars.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var exemplar = exemplars[i];
            var refs = exemplar.LabelsRefs;
            var labels = new List<(string, string)>(refs.Count / 2);
            string? error = null;
            if (refs.Count % 2 != 0)
            {
                error = $"exemplar labels_refs has {refs.Count} entries, not a whole number of name/value pairs";
            }
            else
            {
                for (var r = 0; r < refs.Count; r += 2)
                {
                    if (refs[r] >= symbols.Count || refs[r + 1] >= symbols.Count)
                    {
                        error = $"exemplar labels_refs entry {Math.Max(refs[r], refs[r + 1])} is outside the symbols table ({symbols.Count} symbols)";
                        break;
                    }
                    labels.Add((symbols[(int)refs[r]], symbols[(int)refs[r + 1]]));
                }
            }
            result[i] = new PromExemplar(labels, exemplar.Value, exemplar.Timestamp) { Error = error };
        }
        return result;
    }

    private static List<PromSeries> FromV2(V2.Request request, string database, MetricMetadataStore metadata)
    {
        var symbols = request.Symbols;
        if (symbols.Count > 0 && symbols[0].Length != 0)
        {
            throw new RemoteWriteDecodeException("the symbols table must start with the empty string");
        }
        var result = new List<PromSeries>(request.Timeseries.Count);
        foreach (var series in request.Timeseries)
        {
            var count = series.Samples.Count;
            var times = new long[count];
            var values = new double[count];
            for (var i = 0; i < count; i++)
            {
                var sample = series.Samples[i];
                times[i] = sample.Timestamp;
                values[i] = sample.Value;
            }
            var refs = series.LabelsRefs;
            var labels = new List<(string, string)>(refs.Count / 2);
            string? error = null;
            if (refs.Count % 2 != 0)
            {
                error = $"labels_refs has {refs.Count} entries, not a whole number of name/value pairs";
            }
            else
            {
                for (var i = 0; i < refs.Count; i += 2)
                {
                    if (refs[i] >= symbols.Count || refs[i + 1] >= symbols.Count)
                    {
                        error = $"labels_refs entry {Math.Max(refs[i], refs[i + 1])} is outside the symbols table ({symbols.Count} symbols)";
                        break;
                    }
                    labels.Add((symbols[(int)refs[i]], symbols[(int)refs[i + 1]]));
                }
            }
            var (histogramTimes, histograms, histogramError) = HistogramMessage.Convert(series.Histograms, static (m, h) => m.From(h));
            error ??= histogramError;
            var promSeries = new PromSeries(labels, times, values)
            {
                HistogramTimestampsMs = histogramTimes, Histograms = histograms, HistogramCount = series.Histograms.Count,
                Exemplars = FromV2(series.Exemplars, symbols), DecodeError = error,
            };
            result.Add(promSeries);
            if (error is null && series.Metadata is { } meta && (meta.Type != V2.Metadata.Types.MetricType.Unspecified || meta.HelpRef != 0 || meta.UnitRef != 0))
            {
                var name = labels.Find(l => l.Item1 == "__name__").Item2 ?? "";
                var help = meta.HelpRef < symbols.Count ? symbols[(int)meta.HelpRef] : "";
                var unit = meta.UnitRef < symbols.Count ? symbols[(int)meta.UnitRef] : "";
                metadata.Set(database, name, new MetricMetadata(MetricMetadataStore.TypeName((int)meta.Type), help, unit));
            }
        }
        return result;
    }
}
