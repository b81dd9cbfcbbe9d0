using System.Collections.Concurrent;
using Tsdb.Catalog;
using Tsdb.Ingest;
using Tsdb.Wal;

namespace Tsdb.Prometheus;

/// <summary>
/// The remote-write path: snappy + protobuf → series (<see cref="PromSeries"/>) → the shared <see cref="WritePath"/>
/// (catalog checks, Arrow batches per table and day, WAL), acknowledged once the WAL record is fsynced. The good
/// series of a request are stored even when some are refused (the answer is then a 400, which senders do not retry).
/// </summary>
public sealed class RemoteWriteIngester
{
    private const int MaxReportedErrors = 10;

    private readonly WritePath _path;

    /// <param name="time">The clock retention is judged by (samples older than their table's retention are dropped).</param>
    public RemoteWriteIngester(Catalog.Catalog catalog, WriteAheadLog wal, Func<bool> isOverBudget, MetricMetadataStore metadata, TimeProvider? time = null)
        : this(new WritePath(catalog, wal, time ?? TimeProvider.System, isOverBudget), metadata)
    {
    }

    public RemoteWriteIngester(WritePath path, MetricMetadataStore metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        _path = path;
        Metadata = metadata;
    }

    public MetricMetadataStore Metadata { get; }

    /// <summary>Decodes and stores one request. Throws <see cref="WalUnavailableException"/> when the WAL cannot write.</summary>
    public async ValueTask<RemoteWriteOutcome> WriteAsync(string database, ReadOnlyMemory<byte> body, RemoteWriteVersion version, CancellationToken cancellationToken = default)
    {
        if (Refuse(database) is { } refusal)
        {
            return refusal;
        }
        var series = RentSeriesList();
        try
        {
            try
            {
                series = RemoteWriteDecoder.Decode(body.Span, version, database, Metadata, series);
            }
            catch (RemoteWriteDecodeException e)
            {
                return RemoteWriteOutcome.Refused(RemoteWriteStatus.BadRequest, e.Message);
            }
            return await StoreAsync(database, series, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReturnSeriesList(series);
        }
    }

    /// <summary>
    /// Stores series another protocol decoded (OTLP), with the same checks, staging and WAL append as a remote-write
    /// request: such a protocol adds no staging code. <paramref name="refused"/> gets the index of every series refused
    /// or cut by retention, so the caller can count what it could not store in its own terms. Throws
    /// <see cref="WalUnavailableException"/>.
    /// </summary>
    public ValueTask<RemoteWriteOutcome> WriteSeriesAsync(string database, List<PromSeries> series, List<int> refused, CancellationToken cancellationToken = default) =>
        Refuse(database) is { } refusal ? ValueTask.FromResult(refusal) : StoreAsync(database, series, refused, cancellationToken);

    private RemoteWriteOutcome? Refuse(string database) =>
        Names.ValidateDatabaseName(database) is { } badName ? RemoteWriteOutcome.Refused(RemoteWriteStatus.BadRequest, badName)
        : _path.IsOverBudget ? RemoteWriteOutcome.Refused(RemoteWriteStatus.Overloaded, WritePath.OverloadedMessage)
        : null;

    private async ValueTask<RemoteWriteOutcome> StoreAsync(string database, List<PromSeries> series, List<int>? refused, CancellationToken cancellationToken)
    {
        var staged = await _path.StageAsync(database, stager => Stage(series, stager, refused), cancellationToken).ConfigureAwait(false);
        if (staged.DatabaseError is { } dbError)
        {
            return RemoteWriteOutcome.Refused(dbError.Kind == CatalogErrorKind.LimitExceeded ? RemoteWriteStatus.LimitExceeded : RemoteWriteStatus.BadRequest, dbError.Message);
        }
        using var writeStager = staged.Stager!;
        var pass = staged.Pass!;
        var stager = pass.Rows;
        await _path.AppendAsync(database, writeStager, sync: true, cancellationToken).ConfigureAwait(false);
        if (pass.Errors.Count == 0 && stager.OutOfBounds.Count == 0 && stager.ExemplarErrors.Count == 0)
        {
            return new RemoteWriteOutcome(RemoteWriteStatus.Ok, null, stager.SamplesStaged, stager.HistogramsStaged, stager.ExemplarsStaged);
        }
        var problems = pass.Errors.Concat(stager.OutOfBounds).Concat(stager.ExemplarErrors).ToList();
        var shown = string.Join("; ", problems.Take(MaxReportedErrors));
        var more = problems.Count > MaxReportedErrors ? $" (and {problems.Count - MaxReportedErrors} more)" : "";
        // As Prometheus answers samples outside its TSDB's bounds: a 400 (senders do not retry it), the rest stored.
        // Prometheus only logs refused exemplars; here they are named in the 400 too, so a sender learns of them.
        var refusedExemplars = stager.ExemplarsRefused > 0 ? $"{stager.ExemplarsRefused} exemplars refused, " : "";
        var message = stager.OutOfBounds.Count == 0
            ? pass.Errors.Count > 0
                ? $"{pass.Errors.Count} series refused, {refusedExemplars}{Stored(stager)} of the other series stored: {shown}{more}"
                : $"{refusedExemplars}{Stored(stager)} stored: {shown}{more}"
            : $"out of bounds: {stager.SamplesOutOfBounds} samples older than the retention period dropped" + (pass.Errors.Count > 0 ? $", {pass.Errors.Count} series refused" : "") + (refusedExemplars.Length > 0 ? ", " + refusedExemplars[..^2] : "") + $", {stager.SamplesStaged} other samples" + (stager.HistogramsStaged > 0 ? $" and {stager.HistogramsStaged} histogram samples" : "") + $" stored: {shown}{more}";
        // A limit that only cost exemplars (their table could not be made) refused no series.
        var status = writeStager.LimitExceeded && pass.Errors.Count > 0 ? RemoteWriteStatus.LimitExceeded : RemoteWriteStatus.BadRequest;
        return new RemoteWriteOutcome(status, message, stager.SamplesStaged, stager.HistogramsStaged, stager.ExemplarsStaged);
    }

    private static string Stored(PromSeriesRows rows) =>
        (rows.HistogramsStaged == 0 ? $"{rows.SamplesStaged} samples" : $"{rows.SamplesStaged} samples and {rows.HistogramsStaged} histogram samples")
        + (rows.ExemplarsStaged == 0 ? "" : $" (and {rows.ExemplarsStaged} exemplars)");

    private sealed record SeriesPass(PromSeriesRows Rows, List<string> Errors);

    private const int MaxPooledSeries = 1 << 16;

    private static readonly ConcurrentQueue<List<PromSeries>> SpareSeriesLists = new();

    private static List<PromSeries> RentSeriesList() => SpareSeriesLists.TryDequeue(out var list) ? list : [];

    private static void ReturnSeriesList(List<PromSeries> list)
    {
        if (list.Capacity <= MaxPooledSeries && SpareSeriesLists.Count < 32)
        {
            list.Clear();
            SpareSeriesLists.Enqueue(list);
        }
    }

    /// <summary>One pass over the series into <paramref name="stager"/>; stops early when a schema change is needed.</summary>
    private static SeriesPass Stage(List<PromSeries> series, WriteStager stager, List<int>? refused)
    {
        var rows = new PromSeriesRows(stager);
        var errors = new List<string>();
        refused?.Clear();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.DecodeError is { } decodeError)
            {
                errors.Add($"series {s.Describe()}: {decodeError}");
                refused?.Add(i);
                continue;
            }
            var outOfBounds = rows.SamplesOutOfBounds;
            var error = rows.Stage(in s);
            if (stager.NeedsSchemaChange)
            {
                break;
            }
            if (error is not null)
            {
                errors.Add(error);
            }
            if (error is not null || rows.SamplesOutOfBounds != outOfBounds)
            {
                refused?.Add(i);
            }
        }
        return new SeriesPass(rows, errors);
    }
}
