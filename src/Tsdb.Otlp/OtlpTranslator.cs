using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Collections;
using Tsdb.Otlp.Protocol;
using Tsdb.Prometheus;
using Tsdb.PromQL;

namespace Tsdb.Otlp;

/// <summary>
/// ExportMetricsServiceRequest → Prometheus series, as Prometheus 3's OTLP receiver translates (its
/// <c>prometheusremotewrite</c> package and otlptranslator's naming): gauges and non-monotonic cumulative sums are
/// gauges; monotonic cumulative sums counters (<c>_total</c>); histograms classic <c>_bucket{le}</c> (cumulative, with
/// <c>+Inf</c>), <c>_sum</c>, <c>_count</c>; summaries <c>{quantile}</c>, <c>_sum</c>, <c>_count</c>. Resource
/// attributes: <c>job</c> (<c>service.namespace/service.name</c>), <c>instance</c> (<c>service.instance.id</c>), the
/// promoted ones on every series, all of them on <c>target_info</c>. Delta temporality is refused (Prometheus without
/// its delta conversion): converting needs the running totals of every series across requests and restarts.
/// A data point flagged "no recorded value" is written as a staleness marker.
/// </summary>
internal sealed class OtlpTranslator(OtlpOptions options)
{
    private const string ServiceName = "service.name";
    private const string ServiceNamespace = "service.namespace";
    private const string ServiceInstanceId = "service.instance.id";
    private const uint NoRecordedValue = 1;
    private const int MaxSchema = 8;
    private const int MinSchema = -4;

    /// <summary>Prometheus' staleness marker (a NaN with this exact bit pattern).</summary>
    private static readonly double StaleNaN = BitConverter.Int64BitsToDouble(0x7ff0000000000002);

    private readonly OtlpTranslationStrategy _strategy = options.TranslationStrategy;

    public OtlpTranslation Translate(ExportMetricsServiceRequest request)
    {
        var result = new OtlpTranslation();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = resourceMetrics.Resource?.Attributes ?? [];
            var identity = ResourceLabels(resource);
            long earliest = long.MaxValue, latest = long.MinValue;
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var scope = ScopeLabels(scopeMetrics);
                foreach (var metric in scopeMetrics.Metrics)
                {
                    var context = new PointContext(result, identity, scope);
                    TranslateMetric(metric, context);
                    earliest = Math.Min(earliest, context.Earliest);
                    latest = Math.Max(latest, context.Latest);
                }
            }
            if (earliest <= latest)
            {
                AddTargetInfo(result, resource, earliest, latest);
            }
        }
        return result;
    }

    /// <summary>Where a metric's series go, and the labels every one of its points has besides its attributes.</summary>
    private sealed class PointContext(OtlpTranslation result, (List<(string, string)> Promoted, List<(string, string)> Identity) resourceLabels, List<(string, string)> scopeLabels)
    {
        public OtlpTranslation Result { get; } = result;

        public List<(string Name, string Value)> PromotedLabels { get; } = resourceLabels.Promoted;

        public List<(string Name, string Value)> IdentityLabels { get; } = resourceLabels.Identity;

        public List<(string Name, string Value)> ScopeLabels { get; } = scopeLabels;

        public long Earliest { get; set; } = long.MaxValue;

        public long Latest { get; set; } = long.MinValue;

        public int Point { get; set; } = -1;

        public void Saw(long timestampMs)
        {
            Earliest = Math.Min(Earliest, timestampMs);
            Latest = Math.Max(Latest, timestampMs);
        }
    }

    private void TranslateMetric(Metric metric, PointContext context)
    {
        var result = context.Result;
        var (kind, points, temporality) = metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => (OtlpMetricKind.Gauge, metric.Gauge.DataPoints.Count, AggregationTemporality.Cumulative),
            Metric.DataOneofCase.Sum => (metric.Sum.IsMonotonic ? OtlpMetricKind.MonotonicCounter : OtlpMetricKind.NonMonotonicCounter, metric.Sum.DataPoints.Count, metric.Sum.AggregationTemporality),
            Metric.DataOneofCase.Histogram => (OtlpMetricKind.Histogram, metric.Histogram.DataPoints.Count, metric.Histogram.AggregationTemporality),
            Metric.DataOneofCase.ExponentialHistogram => (OtlpMetricKind.ExponentialHistogram, metric.ExponentialHistogram.DataPoints.Count, metric.ExponentialHistogram.AggregationTemporality),
            Metric.DataOneofCase.Summary => (OtlpMetricKind.Summary, metric.Summary.DataPoints.Count, AggregationTemporality.Cumulative),
            _ => ((OtlpMetricKind?)null, 0, AggregationTemporality.Unspecified),
        };
        result.DataPoints += points;
        if (kind is not { } k)
        {
            result.Errors.Add($"metric \"{metric.Name}\": no data (none of gauge, sum, histogram, exponential_histogram, summary)");
            return;
        }
        if (temporality != AggregationTemporality.Cumulative)
        {
            Refuse(result, points, $"metric \"{metric.Name}\": {(temporality == AggregationTemporality.Delta ? "delta" : "unspecified")} aggregation temporality is not supported, only cumulative ({points} data points refused; configure the exporter's temporality preference as cumulative)");
            return;
        }
        if (OtlpNames.MetricName(metric.Name, metric.Unit, k, _strategy) is not { } name)
        {
            Refuse(result, points, $"metric \"{metric.Name}\": its name leaves no valid Prometheus metric name ({points} data points refused)");
            return;
        }
        var before = result.Series.Count;
        switch (k)
        {
            case OtlpMetricKind.Gauge:
                AddNumberPoints(metric.Gauge.DataPoints, name, context);
                break;
            case OtlpMetricKind.MonotonicCounter or OtlpMetricKind.NonMonotonicCounter:
                AddNumberPoints(metric.Sum.DataPoints, name, context);
                break;
            case OtlpMetricKind.Histogram:
                AddHistogramPoints(metric.Histogram.DataPoints, name, context);
                break;
            case OtlpMetricKind.Summary:
                AddSummaryPoints(metric.Summary.DataPoints, name, context);
                break;
            case OtlpMetricKind.ExponentialHistogram:
                AddExponentialPoints(metric.ExponentialHistogram.DataPoints, name, context);
                break;
        }
        if (result.Series.Count > before)
        {
            var type = k switch
            {
                OtlpMetricKind.MonotonicCounter => "counter",
                OtlpMetricKind.Histogram or OtlpMetricKind.ExponentialHistogram => "histogram",
                OtlpMetricKind.Summary => "summary",
                _ => "gauge",
            };
            result.Metadata.Add((name, new MetricMetadata(type, metric.Description, OtlpNames.UnitName(metric.Unit, _strategy))));
        }
    }

    private static void Refuse(OtlpTranslation result, int points, string message)
    {
        result.Rejected += points;
        result.Errors.Add(message);
    }

    private void AddNumberPoints(RepeatedField<NumberDataPoint> points, string name, PointContext context)
    {
        for (var p = 0; p < points.Count; p++)
        {
            var point = points[p];
            context.Point = context.Result.DataPoints - points.Count + p;
            var value = (point.Flags & NoRecordedValue) != 0 ? StaleNaN
                : point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
            var labels = BaseLabels(point.Attributes, context);
            Add(context, labels, name, null, null, Millis(point.TimeUnixNano), value, Exemplars(point.Exemplars));
        }
    }

    private void AddHistogramPoints(RepeatedField<HistogramDataPoint> points, string name, PointContext context)
    {
        for (var p = 0; p < points.Count; p++)
        {
            var point = points[p];
            context.Point = context.Result.DataPoints - points.Count + p;
            var stale = (point.Flags & NoRecordedValue) != 0;
            var time = Millis(point.TimeUnixNano);
            var labels = BaseLabels(point.Attributes, context);
            var exemplars = Exemplars(point.Exemplars);
            if (point.HasSum)
            {
                Add(context, labels, name + "_sum", null, null, time, stale ? StaleNaN : point.Sum);
            }
            Add(context, labels, name + "_count", null, null, time, stale ? StaleNaN : point.Count);
            // OTLP buckets hold their own counts; Prometheus' are cumulative, ending with +Inf = count.
            ulong cumulative = 0;
            var buckets = Math.Min(point.ExplicitBounds.Count, point.BucketCounts.Count);
            for (var i = 0; i < buckets; i++)
            {
                cumulative += point.BucketCounts[i];
                Add(context, labels, name + "_bucket", "le", FormatFloat(point.ExplicitBounds[i]), time, stale ? StaleNaN : cumulative,
                    InBucket(exemplars, i == 0 ? double.NegativeInfinity : point.ExplicitBounds[i - 1], point.ExplicitBounds[i]));
            }
            Add(context, labels, name + "_bucket", "le", "+Inf", time, stale ? StaleNaN : point.Count,
                InBucket(exemplars, buckets == 0 ? double.NegativeInfinity : point.ExplicitBounds[buckets - 1], double.PositiveInfinity));
        }
    }

    private void AddSummaryPoints(RepeatedField<SummaryDataPoint> points, string name, PointContext context)
    {
        for (var p = 0; p < points.Count; p++)
        {
            var point = points[p];
            context.Point = context.Result.DataPoints - points.Count + p;
            var stale = (point.Flags & NoRecordedValue) != 0;
            var time = Millis(point.TimeUnixNano);
            var labels = BaseLabels(point.Attributes, context);
            Add(context, labels, name + "_sum", null, null, time, stale ? StaleNaN : point.Sum);
            Add(context, labels, name + "_count", null, null, time, stale ? StaleNaN : point.Count);
            foreach (var quantile in point.QuantileValues)
            {
                Add(context, labels, name, "quantile", FormatFloat(quantile.Quantile), time, stale ? StaleNaN : quantile.Value);
            }
        }
    }

    /// <summary>
    /// Each point a native histogram sample: the OTLP scale is the schema (scales above 8 merged down to 8), bucket
    /// offsets become Prometheus indexes (OTLP's + 1: OTLP bucket i is (base^i, base^(i+1)], Prometheus' is
    /// (base^(i-1), base^i]). A point with no recorded value is a stale histogram.
    /// </summary>
    private void AddExponentialPoints(RepeatedField<ExponentialHistogramDataPoint> points, string name, PointContext context)
    {
        var refused = 0;
        string? invalid = null;
        for (var p = 0; p < points.Count; p++)
        {
            var point = points[p];
            context.Point = context.Result.DataPoints - points.Count + p;
            if (point.Scale < MinSchema)
            {
                refused++;
                invalid ??= $"{{0}} exponential histogram data points have a scale below {MinSchema}, the coarsest native histogram schema";
                continue;
            }
            FloatHistogram histogram;
            if ((point.Flags & NoRecordedValue) != 0)
            {
                histogram = new FloatHistogram(0, 0, 0, 0, StaleNaN, null, null, null, null);
            }
            else
            {
                // Scales finer than Prometheus' finest schema are merged down to it (2^(scale−8) buckets into one).
                var shift = Math.Max(0, point.Scale - MaxSchema);
                var (positiveOffset, positive) = Downscale(point.Positive, shift);
                var (negativeOffset, negative) = Downscale(point.Negative, shift);
                histogram = new FloatHistogram(Math.Min(point.Scale, MaxSchema), point.ZeroThreshold, point.ZeroCount, point.Count, point.HasSum ? point.Sum : 0,
                    positive.Length == 0 ? null : [new HistogramSpan(positiveOffset, (uint)positive.Length)], positive,
                    negative.Length == 0 ? null : [new HistogramSpan(negativeOffset, (uint)negative.Length)], negative);
                if (HistogramColumns.Validate(histogram, integer: true) is { } error)
                {
                    refused++;
                    invalid ??= "{0} exponential histogram data points are inconsistent, e.g. " + error;
                    continue;
                }
            }
            var labels = BaseLabels(point.Attributes, context);
            labels.Add(("__name__", name));
            context.Result.Series.Add(new PromSeries(labels, ReadOnlyMemory<long>.Empty, ReadOnlyMemory<double>.Empty)
            {
                HistogramTimestampsMs = new[] { Millis(point.TimeUnixNano) },
                Histograms = new[] { histogram },
                HistogramCount = 1,
                Exemplars = Exemplars(point.Exemplars),
            });
            context.Result.PointOfSeries.Add(context.Point);
        }
        if (refused > 0)
        {
            Refuse(context.Result, refused, $"metric \"{name}\": " + string.Format(CultureInfo.InvariantCulture, invalid!, refused));
        }
    }

    private static (int Offset, double[] Counts) Downscale(ExponentialHistogramDataPoint.Types.Buckets? buckets, int shift)
    {
        if (buckets is null || buckets.BucketCounts.Count == 0)
        {
            return (0, []);
        }
        var first = buckets.Offset >> shift;
        var last = (buckets.Offset + buckets.BucketCounts.Count - 1) >> shift;
        var counts = new double[last - first + 1];
        for (var i = 0; i < buckets.BucketCounts.Count; i++)
        {
            counts[((buckets.Offset + i) >> shift) - first] += buckets.BucketCounts[i];
        }
        return (first + 1, counts);
    }

    /// <summary>
    /// A point's exemplars as Prometheus' translator makes them: <c>trace_id</c> and <c>span_id</c> in lowercase hex
    /// when set, then the filtered attributes, unless they would take the labels past Prometheus' 128 characters
    /// (then only the ids are kept). An exemplar without a value is refused when staged.
    /// </summary>
    private static PromExemplar[]? Exemplars(RepeatedField<Exemplar> exemplars)
    {
        if (exemplars.Count == 0)
        {
            return null;
        }
        var result = new PromExemplar[exemplars.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var exemplar = exemplars[i];
            var labels = new List<(string Name, string Value)>(2 + exemplar.FilteredAttributes.Count);
            var runes = 0;
            if (!exemplar.TraceId.IsEmpty)
            {
                labels.Add(("trace_id", Convert.ToHexStringLower(exemplar.TraceId.Span)));
                runes += "trace_id".Length + (2 * exemplar.TraceId.Length);
            }
            if (!exemplar.SpanId.IsEmpty)
            {
                labels.Add(("span_id", Convert.ToHexStringLower(exemplar.SpanId.Span)));
                runes += "span_id".Length + (2 * exemplar.SpanId.Length);
            }
            var attributes = new List<(string, string)>(exemplar.FilteredAttributes.Count);
            foreach (var attribute in exemplar.FilteredAttributes)
            {
                var text = AsString(attribute.Value);
                runes += RuneCount(attribute.Key) + RuneCount(text);
                attributes.Add((attribute.Key, text));
            }
            if (runes <= ExemplarColumns.MaxLabelRunes)
            {
                labels.AddRange(attributes);
            }
            var value = exemplar.ValueCase == Exemplar.ValueOneofCase.AsInt ? exemplar.AsInt : exemplar.AsDouble;
            result[i] = new PromExemplar(labels, value, Millis(exemplar.TimeUnixNano))
            {
                Error = exemplar.ValueCase == Exemplar.ValueOneofCase.None ? "the exemplar has no value (as_double or as_int)" : null,
            };
        }
        return result;
    }

    private static int RuneCount(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>The exemplars a classic histogram's bucket (lower, upper] carries: each goes to the first bucket whose bound is at least its value, as in Prometheus.</summary>
    private static PromExemplar[]? InBucket(PromExemplar[]? exemplars, double lower, double upper)
    {
        if (exemplars is null)
        {
            return null;
        }
        List<PromExemplar>? found = null;
        foreach (var exemplar in exemplars)
        {
            // NaN goes nowhere, as Prometheus' "value <= bound" is false for it.
            if (exemplar.Value <= upper && (double.IsNegativeInfinity(lower) || exemplar.Value > lower))
            {
                (found ??= []).Add(exemplar);
            }
        }
        return found?.ToArray();
    }

    private static void Add(PointContext context, List<(string Name, string Value)> baseLabels, string name, string? extraName, string? extraValue, long timeMs, double value, PromExemplar[]? exemplars = null)
    {
        var labels = new List<(string, string)>(baseLabels.Count + 2);
        foreach (var label in baseLabels)
        {
            if (label.Name != "__name__" && label.Name != extraName)
            {
                labels.Add(label);
            }
        }
        if (extraName is not null)
        {
            labels.Add((extraName, extraValue!));
        }
        labels.Add(("__name__", name));
        context.Result.Series.Add(new PromSeries(labels, new[] { timeMs }, new[] { value }) { Exemplars = exemplars });
        context.Result.PointOfSeries.Add(context.Point);
        context.Saw(timeMs);
    }

    /// <summary>
    /// A point's labels: its attributes (keys that escape to one label keep both values, joined by ';' in key order),
    /// then the promoted resource attributes it does not have, the scope's labels, and job/instance.
    /// </summary>
    private List<(string Name, string Value)> BaseLabels(RepeatedField<KeyValue> attributes, PointContext context)
    {
        var labels = Normalize(attributes, skip: null);
        foreach (var (name, value) in context.PromotedLabels)
        {
            if (!labels.Exists(l => l.Name == name))
            {
                labels.Add((name, value));
            }
        }
        Override(labels, context.ScopeLabels);
        Override(labels, context.IdentityLabels);
        return labels;
    }

    private static void Override(List<(string Name, string Value)> labels, List<(string Name, string Value)> with)
    {
        foreach (var (name, value) in with)
        {
            var at = labels.FindIndex(l => l.Name == name);
            if (at < 0)
            {
                labels.Add((name, value));
            }
            else
            {
                labels[at] = (name, value);
            }
        }
    }

    /// <summary>The promoted resource attributes (not overriding a point's own), and job and instance (overriding).</summary>
    private (List<(string, string)> Promoted, List<(string, string)> Identity) ResourceLabels(RepeatedField<KeyValue> resource)
    {
        var labels = new List<(string, string)>();
        var identity = new List<(string, string)>();
        foreach (var key in options.PromoteResourceAttributes)
        {
            if (Find(resource, key) is { } value)
            {
                var label = OtlpNames.LabelName(key, _strategy);
                if (!labels.Exists(l => l.Item1 == label))
                {
                    labels.Add((label, value));
                }
            }
        }
        var (job, instance) = JobAndInstance(resource);
        if (job is not null)
        {
            identity.Add(("job", job));
        }
        if (instance is not null)
        {
            identity.Add(("instance", instance));
        }
        return (labels, identity);
    }

    private static (string? Job, string? Instance) JobAndInstance(RepeatedField<KeyValue> resource)
    {
        var job = Find(resource, ServiceName);
        if (job is not null && Find(resource, ServiceNamespace) is { } ns)
        {
            job = ns + "/" + job;
        }
        return (job, Find(resource, ServiceInstanceId));
    }

    private List<(string, string)> ScopeLabels(ScopeMetrics scopeMetrics)
    {
        var scope = scopeMetrics.Scope;
        if (!options.PromoteScopeMetadata || scope is null || scope.Name.Length == 0)
        {
            return [];
        }
        var labels = new List<(string, string)> { ("otel_scope_name", scope.Name), ("otel_scope_version", scope.Version), ("otel_scope_schema_url", scopeMetrics.SchemaUrl) };
        foreach (var attribute in scope.Attributes)
        {
            var name = OtlpNames.LabelName("otel_scope_" + attribute.Key, _strategy);
            labels.RemoveAll(l => l.Item1 == name);
            labels.Add((name, AsString(attribute.Value)));
        }
        return labels;
    }

    /// <summary>
    /// <c>target_info</c>: the resource's attributes other than the identifying ones, with job/instance, 1 from the
    /// earliest to the latest point of the request every <see cref="OtlpOptions.TargetInfoInterval"/> (so a PromQL
    /// join finds it wherever the points are). Not written when it would say nothing beyond job and instance.
    /// </summary>
    private void AddTargetInfo(OtlpTranslation result, RepeatedField<KeyValue> resource, long earliest, long latest)
    {
        var (job, instance) = JobAndInstance(resource);
        if (job is null && instance is null)
        {
            return;
        }
        var identifying = new[] { ServiceName, ServiceNamespace, ServiceInstanceId };
        if (!resource.Any(a => !identifying.Contains(a.Key)))
        {
            return;
        }
        var labels = Normalize(resource, options.KeepIdentifyingResourceAttributes ? null : identifying);
        labels.RemoveAll(l => l.Name is "job" or "instance" or "__name__");
        if (job is not null)
        {
            labels.Add(("job", job));
        }
        if (instance is not null)
        {
            labels.Add(("instance", instance));
        }
        labels.Add(("__name__", "target_info"));
        var interval = Math.Max(1, (long)options.TargetInfoInterval.TotalMilliseconds);
        var times = new List<long>();
        for (var t = earliest; t < latest && times.Count < 10_000; t += interval)
        {
            times.Add(t);
        }
        if (times.Count == 0 || times[^1] < latest)
        {
            times.Add(latest);
        }
        var values = new double[times.Count];
        Array.Fill(values, 1.0);
        result.Series.Add(new PromSeries(labels, times.ToArray(), values));
        result.PointOfSeries.Add(-1);
    }

    private List<(string Name, string Value)> Normalize(RepeatedField<KeyValue> attributes, string[]? skip)
    {
        var sorted = new List<KeyValue>(attributes.Count);
        foreach (var attribute in attributes)
        {
            if (skip is null || Array.IndexOf(skip, attribute.Key) < 0)
            {
                sorted.Add(attribute);
            }
        }
        // Stable, by key: keys that escape to the same label join their values in a fixed order.
        var ordered = sorted.OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        var labels = new List<(string Name, string Value)>(ordered.Count + 4);
        foreach (var attribute in ordered)
        {
            var name = OtlpNames.LabelName(attribute.Key, _strategy);
            var value = AsString(attribute.Value);
            var at = labels.FindIndex(l => l.Name == name);
            if (at < 0)
            {
                labels.Add((name, value));
            }
            else
            {
                labels[at] = (name, labels[at].Value + ";" + value);
            }
        }
        return labels;
    }

    private static string? Find(RepeatedField<KeyValue> attributes, string key)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Key == key)
            {
                return AsString(attribute.Value);
            }
        }
        return null;
    }

    private static long Millis(ulong unixNanos) => (long)(unixNanos / 1_000_000);

    /// <summary>Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c>: the shortest digits that read back the same, never an exponent.</summary>
    internal static string FormatFloat(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (!shortest.Contains('E', StringComparison.Ordinal))
        {
            return shortest;
        }
        // Expand d.dddE±x by moving the point: the digits stay the shortest round-trip ones.
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        var exponent = int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = shortest[..e];
        var negative = mantissa.StartsWith('-');
        if (negative)
        {
            mantissa = mantissa[1..];
        }
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var text = point <= 0 ? "0." + new string('0', -point) + digits
            : point >= digits.Length ? digits + new string('0', point - digits.Length)
            : digits[..point] + "." + digits[point..];
        return negative ? "-" + text : text;
    }

    /// <summary>An attribute value as a label value, as the collector's <c>AsString</c>: scalars plainly, arrays and maps as JSON, bytes as base64.</summary>
    internal static string AsString(AnyValue? value)
    {
        if (value is null)
        {
            return "";
        }
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return value.DoubleValue.ToString("R", CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.BytesValue:
                return Convert.ToBase64String(value.BytesValue.Span);
            case AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue:
                using (var stream = new MemoryStream())
                {
                    using (var writer = new Utf8JsonWriter(stream))
                    {
                        WriteJson(writer, value, 0);
                    }
                    return Encoding.UTF8.GetString(stream.ToArray());
                }
            default:
                return "";
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, AnyValue? value, int depth)
    {
        if (value is null || depth > 32)
        {
            writer.WriteNullValue();
            return;
        }
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                writer.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                writer.WriteStringValue(AsString(value));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                writer.WriteStringValue(Convert.ToBase64String(value.BytesValue.Span));
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    WriteJson(writer, item, depth + 1);
                }
                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                foreach (var pair in value.KvlistValue.Values)
                {
                    writer.WritePropertyName(pair.Key);
                    WriteJson(writer, pair.Value, depth + 1);
                }
                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
