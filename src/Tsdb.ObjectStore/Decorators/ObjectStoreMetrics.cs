using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.ObjectStore;

/// <summary>The object store's meter, fed by <see cref="MetricsObjectStore"/>: one measurement per call.</summary>
internal static class ObjectStoreMetrics
{
    public const string MeterName = "Tsdb.ObjectStore";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);

    public static readonly Counter<long> Operations = Meter.CreateCounter<long>(
        "tsdb.object_store.operations", "{operation}", "Object-store calls by operation (put, put_if_absent, get, get_range, head, list, delete, write_part, complete_write, abort_write)");

    public static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "tsdb.object_store.errors", "{error}", "Failed object-store calls by operation and kind (transient, permanent, not_found, io, other)");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "tsdb.object_store.operation.duration", "s", "Time of one object-store call (a listing: until its last item)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });

    public static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "tsdb.object_store.transferred", "By", "Payload bytes sent to (direction=write) or read from (direction=read) the store");

    public static string TagOf(ObjectStoreOperation operation) => operation switch
    {
        ObjectStoreOperation.Put => "put",
        ObjectStoreOperation.PutIfAbsent => "put_if_absent",
        ObjectStoreOperation.Get => "get",
        ObjectStoreOperation.GetRange => "get_range",
        ObjectStoreOperation.Head => "head",
        ObjectStoreOperation.List => "list",
        ObjectStoreOperation.Delete => "delete",
        ObjectStoreOperation.WritePart => "write_part",
        ObjectStoreOperation.CompleteWrite => "complete_write",
        ObjectStoreOperation.AbortWrite => "abort_write",
        _ => operation.ToString().ToLowerInvariant(),
    };

    public static string KindOf(Exception e) => e switch
    {
        ObjectNotFoundException => "not_found",
        ObjectStoreException { IsTransient: true } => "transient",
        ObjectStoreException => "permanent",
        IOException => "io",
        _ => "other",
    };
}
